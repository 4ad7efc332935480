#include "storage/memory_file_system.hpp"

#include <algorithm>

namespace prik::storage {
namespace {

std::string normal(const std::filesystem::path& path) {
  std::string text = path.lexically_normal().string();
  if (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

std::string parent_of(const std::string& path) {
  return normal(std::filesystem::path(path).parent_path());
}

Status missing(std::string_view operation, const std::string& path) {
  return Status::io_error(std::string(operation) + " " + path + ": No such file or directory");
}

}  // namespace

class MemoryFileSystem::File final : public WritableFile {
 public:
  File(std::mutex* mutex, std::shared_ptr<Node> node)
      : mutex_(mutex), node_(std::move(node)), end_(node_->data.size()) {}

  Status append(std::string_view data) override {
    std::lock_guard lock(*mutex_);
    std::string& contents = node_->data;
    if (contents.size() < end_ + data.size()) contents.resize(end_ + data.size());
    contents.replace(end_, data.size(), data);
    end_ += data.size();
    return {};
  }

  Status sync() override {
    std::lock_guard lock(*mutex_);
    node_->durable = node_->data;
    return {};
  }

  Status reserve(std::uint64_t bytes) override {
    std::lock_guard lock(*mutex_);
    // Bytes past end_ can only be zeros of an earlier reserve: appends move end_ past theirs.
    std::string& contents = node_->data;
    contents.resize(std::max(contents.size(), end_ + static_cast<std::size_t>(bytes)), '\0');
    node_->durable = contents;
    return {};
  }

 private:
  std::mutex* mutex_;
  std::shared_ptr<Node> node_;
  std::size_t end_;  // where the next append writes
};

class MemoryFileSystem::Reader final : public SequentialFile {
 public:
  explicit Reader(std::string contents) : contents_(std::move(contents)) {}

  Status read(char* to, std::size_t size, std::size_t* got) override {
    *got = contents_.copy(to, size, std::min(position_, contents_.size()));
    position_ += *got;
    return {};
  }

 private:
  std::string contents_;
  std::size_t position_ = 0;
};

class MemoryFileSystem::Lock final : public FileLock {
 public:
  Lock(MemoryFileSystem* owner, std::string path) : owner_(owner), path_(std::move(path)) {}
  ~Lock() override {
    std::lock_guard lock(owner_->mutex_);
    owner_->locked_.erase(path_);
  }

 private:
  MemoryFileSystem* owner_;
  std::string path_;
};

Status MemoryFileSystem::create_dir(const std::filesystem::path& dir) {
  std::lock_guard lock(mutex_);
  dirs_.insert(normal(dir));
  return {};
}

Status MemoryFileSystem::list_dir(const std::filesystem::path& dir,
                                  std::vector<std::string>* names) {
  std::lock_guard lock(mutex_);
  const std::string wanted = normal(dir);
  if (!dirs_.contains(wanted)) return missing("opendir", wanted);
  names->clear();
  for (const auto& [path, node] : entries_) {
    if (parent_of(path) == wanted) names->push_back(std::filesystem::path(path).filename());
  }
  return {};
}

Status MemoryFileSystem::file_exists(const std::filesystem::path& path, bool* exists) {
  std::lock_guard lock(mutex_);
  *exists = entries_.contains(normal(path)) || dirs_.contains(normal(path));
  return {};
}

Status MemoryFileSystem::read_file(const std::filesystem::path& path, std::string* contents) {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(normal(path));
  if (found == entries_.end()) return missing("open", normal(path));
  *contents = found->second->data;
  return {};
}

Status MemoryFileSystem::open_sequential(const std::filesystem::path& path,
                                         std::unique_ptr<SequentialFile>* file) {
  std::string contents;
  if (Status status = read_file(path, &contents); !status.ok()) return status;
  *file = std::make_unique<Reader>(std::move(contents));
  return {};
}

Status MemoryFileSystem::open_writable(const std::filesystem::path& path, OpenMode mode,
                                       std::unique_ptr<WritableFile>* file) {
  std::lock_guard lock(mutex_);
  const std::string name = normal(path);
  if (!dirs_.contains(parent_of(name))) return missing("open", name);
  auto& node = entries_[name];
  if (!node) node = std::make_shared<Node>();
  if (mode == OpenMode::truncate) node->data.clear();
  *file = std::make_unique<File>(&mutex_, node);
  return {};
}

Status MemoryFileSystem::truncate(const std::filesystem::path& path, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(normal(path));
  if (found == entries_.end()) return missing("truncate", normal(path));
  std::string& data = found->second->data;
  data.resize(std::min<std::size_t>(data.size(), size));
  return {};
}

Status MemoryFileSystem::rename(const std::filesystem::path& from,
                                const std::filesystem::path& to) {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(normal(from));
  if (found == entries_.end()) return missing("rename", normal(from));
  auto node = found->second;
  entries_.erase(found);
  entries_[normal(to)] = std::move(node);
  return {};
}

Status MemoryFileSystem::remove(const std::filesystem::path& path) {
  std::lock_guard lock(mutex_);
  if (entries_.erase(normal(path)) == 0) return missing("unlink", normal(path));
  return {};
}

Status MemoryFileSystem::sync_dir(const std::filesystem::path& dir) {
  std::lock_guard lock(mutex_);
  const std::string wanted = normal(dir);
  std::erase_if(durable_entries_,
                [&](const auto& entry) { return parent_of(entry.first) == wanted; });
  for (const auto& [path, node] : entries_) {
    if (parent_of(path) == wanted) durable_entries_[path] = node;
  }
  return {};
}

Status MemoryFileSystem::lock(const std::filesystem::path& path, std::unique_ptr<FileLock>* lock) {
  std::lock_guard guard(mutex_);
  const std::string name = normal(path);
  if (!locked_.insert(name).second) {
    return Status::busy("data dir " + parent_of(name) + " is in use by this process");
  }
  *lock = std::make_unique<Lock>(this, name);
  return {};
}

void MemoryFileSystem::power_cut() {
  std::lock_guard lock(mutex_);
  entries_ = durable_entries_;
  for (auto& [path, node] : entries_) node->data = node->durable;
  locked_.clear();
}

void MemoryFileSystem::overwrite(const std::filesystem::path& path, std::string contents) {
  std::lock_guard lock(mutex_);
  const std::string name = normal(path);
  auto node = std::make_shared<Node>();
  node->data = contents;
  node->durable = std::move(contents);
  entries_[name] = node;
  durable_entries_[name] = node;
}

}  // namespace prik::storage
