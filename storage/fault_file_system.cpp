#include "storage/fault_file_system.hpp"

#include <cerrno>
#include <cstring>
#include <thread>

namespace prik::storage {

class FaultFileSystem::File final : public WritableFile {
 public:
  File(FaultFileSystem* owner, std::unique_ptr<WritableFile> base, std::filesystem::path path)
      : owner_(owner), base_(std::move(base)), path_(std::move(path)) {}

  Status append(std::string_view data) override {
    const Decision decision = owner_->next(Operation::append);
    if (decision.short_write) {
      if (Status status = base_->append(data.substr(0, data.size() / 2)); !status.ok()) {
        return status;
      }
      return injected(Operation::append, path_, ENOSPC);
    }
    if (decision.error) return injected(Operation::append, path_, *decision.error);
    return base_->append(data);
  }

  Status sync() override {
    std::chrono::microseconds delay;
    {
      std::lock_guard lock(owner_->mutex_);
      delay = owner_->sync_delay_;
    }
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    const Decision decision = owner_->next(Operation::sync);
    if (decision.error) return injected(Operation::sync, path_, *decision.error);
    return base_->sync();
  }

  Status reserve(std::uint64_t bytes) override {
    const Decision decision = owner_->next(Operation::reserve);
    if (decision.error) return injected(Operation::reserve, path_, *decision.error);
    return base_->reserve(bytes);
  }

 private:
  FaultFileSystem* owner_;
  std::unique_ptr<WritableFile> base_;
  std::filesystem::path path_;
};

void FaultFileSystem::fail_nth(Operation operation, std::uint64_t nth, int error) {
  std::lock_guard lock(mutex_);
  planned_errors_[{operation, nth}] = error;
}

void FaultFileSystem::short_write_nth(std::uint64_t nth) {
  std::lock_guard lock(mutex_);
  short_write_ = nth;
}

void FaultFileSystem::cut_power_after(std::uint64_t operations) {
  std::lock_guard lock(mutex_);
  power_cut_after_ = operations;
}

void FaultFileSystem::set_sync_delay(std::chrono::microseconds delay) {
  std::lock_guard lock(mutex_);
  sync_delay_ = delay;
}

void FaultFileSystem::set_before_open(std::function<void(const std::filesystem::path&)> hook) {
  std::lock_guard lock(mutex_);
  before_open_ = std::move(hook);
}

std::uint64_t FaultFileSystem::count(Operation operation) const {
  std::lock_guard lock(mutex_);
  const auto found = counts_.find(operation);
  return found == counts_.end() ? 0 : found->second;
}

std::uint64_t FaultFileSystem::operations() const {
  std::lock_guard lock(mutex_);
  return operations_;
}

FaultFileSystem::Decision FaultFileSystem::next(Operation operation) {
  std::lock_guard lock(mutex_);
  const std::uint64_t nth = ++counts_[operation];
  ++operations_;
  Decision decision;
  if (power_cut_after_ && operations_ > *power_cut_after_) {
    decision.error = EIO;
    return decision;
  }
  if (const auto planned = planned_errors_.find({operation, nth});
      planned != planned_errors_.end()) {
    decision.error = planned->second;
  }
  decision.short_write = operation == Operation::append && short_write_ == nth;
  return decision;
}

Status FaultFileSystem::injected(Operation operation, const std::filesystem::path& path,
                                 int error) {
  static constexpr const char* names[] = {"open",   "write",  "fdatasync", "truncate",
                                          "rename", "unlink", "sync dir",  "reserve"};
  return Status::io_error(std::string(names[static_cast<int>(operation)]) + " " + path.string() +
                          ": " + std::strerror(error) + " (injected)");
}

Status FaultFileSystem::create_dir(const std::filesystem::path& dir) {
  return base_->create_dir(dir);
}

Status FaultFileSystem::list_dir(const std::filesystem::path& dir,
                                 std::vector<std::string>* names) {
  return base_->list_dir(dir, names);
}

Status FaultFileSystem::file_exists(const std::filesystem::path& path, bool* exists) {
  return base_->file_exists(path, exists);
}

Status FaultFileSystem::read_file(const std::filesystem::path& path, std::string* contents) {
  return base_->read_file(path, contents);
}

Status FaultFileSystem::open_sequential(const std::filesystem::path& path,
                                        std::unique_ptr<SequentialFile>* file) {
  return base_->open_sequential(path, file);
}

Status FaultFileSystem::open_writable(const std::filesystem::path& path, OpenMode mode,
                                      std::unique_ptr<WritableFile>* file) {
  std::function<void(const std::filesystem::path&)> before_open;
  {
    std::lock_guard lock(mutex_);
    before_open = before_open_;
  }
  if (before_open) before_open(path);
  if (const Decision decision = next(Operation::open); decision.error) {
    return injected(Operation::open, path, *decision.error);
  }
  std::unique_ptr<WritableFile> base;
  if (Status status = base_->open_writable(path, mode, &base); !status.ok()) return status;
  *file = std::make_unique<File>(this, std::move(base), path);
  return {};
}

Status FaultFileSystem::truncate(const std::filesystem::path& path, std::uint64_t size) {
  if (const Decision decision = next(Operation::truncate); decision.error) {
    return injected(Operation::truncate, path, *decision.error);
  }
  return base_->truncate(path, size);
}

Status FaultFileSystem::rename(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (const Decision decision = next(Operation::rename); decision.error) {
    return injected(Operation::rename, from, *decision.error);
  }
  return base_->rename(from, to);
}

Status FaultFileSystem::remove(const std::filesystem::path& path) {
  if (const Decision decision = next(Operation::remove); decision.error) {
    return injected(Operation::remove, path, *decision.error);
  }
  return base_->remove(path);
}

Status FaultFileSystem::sync_dir(const std::filesystem::path& dir) {
  if (const Decision decision = next(Operation::sync_dir); decision.error) {
    return injected(Operation::sync_dir, dir, *decision.error);
  }
  return base_->sync_dir(dir);
}

Status FaultFileSystem::lock(const std::filesystem::path& path, std::unique_ptr<FileLock>* lock) {
  return base_->lock(path, lock);
}

}  // namespace prik::storage
