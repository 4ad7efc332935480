// The only file that talks to the operating system's file calls; grep for fsync lands here.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "storage/file_system.hpp"

namespace prik::storage {
namespace {

Status os_error(std::string_view operation, const std::filesystem::path& path, int error) {
  return Status::io_error(std::string(operation) + " " + path.string() + ": " +
                          std::strerror(error));
}

// Writes at an offset of its own (the end of what was appended), not with O_APPEND, so that
// appends can fill the zeros reserve() wrote past them.
class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::filesystem::path path, off_t end)
      : fd_(fd), path_(std::move(path)), end_(end) {}
  ~PosixWritableFile() override { ::close(fd_); }

  Status append(std::string_view data) override {
    if (Status status = write_at(end_, data); !status.ok()) return status;
    end_ += static_cast<off_t>(data.size());
    return {};
  }

  Status sync() override {
    // Never retried: after a failed fdatasync the kernel may already have dropped the dirty pages.
    if (::fdatasync(fd_) != 0) return os_error("fdatasync", path_, errno);
    return {};
  }

  Status reserve(std::uint64_t bytes) override {
    // Zeros written for real: space from fallocate() would be marked unwritten, and the first
    // write into it would change the file's extents, the metadata this is meant to spare.
    static const std::string zeros(std::size_t{1} << 16, '\0');
    off_t offset = end_;
    for (std::uint64_t left = bytes; left > 0;) {
      const std::size_t chunk =
          static_cast<std::size_t>(std::min<std::uint64_t>(left, zeros.size()));
      if (Status status = write_at(offset, {zeros.data(), chunk}); !status.ok()) return status;
      offset += static_cast<off_t>(chunk);
      left -= chunk;
    }
    return sync();
  }

 private:
  Status write_at(off_t offset, std::string_view data) {
    while (!data.empty()) {
      const ssize_t written = ::pwrite(fd_, data.data(), data.size(), offset);
      if (written < 0) {
        if (errno == EINTR) continue;
        return os_error("write", path_, errno);
      }
      data.remove_prefix(static_cast<std::size_t>(written));
      offset += written;
    }
    return {};
  }

  int fd_;
  std::filesystem::path path_;
  off_t end_;  // where the next append writes
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Status read(char* to, std::size_t size, std::size_t* got) override {
    for (;;) {
      const ssize_t result = ::read(fd_, to, size);
      if (result >= 0) {
        *got = static_cast<std::size_t>(result);
        return {};
      }
      if (errno != EINTR) return os_error("read", path_, errno);
    }
  }

 private:
  int fd_;
  std::filesystem::path path_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing the descriptor releases the flock

 private:
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Status create_dir(const std::filesystem::path& dir) override {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return os_error("mkdir", dir, errno);
    return {};
  }

  Status list_dir(const std::filesystem::path& dir, std::vector<std::string>* names) override {
    names->clear();
    DIR* handle = ::opendir(dir.c_str());
    if (handle == nullptr) return os_error("opendir", dir, errno);
    while (const dirent* entry = ::readdir(handle)) {
      const std::string_view name = entry->d_name;
      if (name != "." && name != "..") names->emplace_back(name);
    }
    ::closedir(handle);
    return {};
  }

  Status file_exists(const std::filesystem::path& path, bool* exists) override {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
      *exists = true;
      return {};
    }
    if (errno != ENOENT) return os_error("stat", path, errno);
    *exists = false;
    return {};
  }

  Status read_file(const std::filesystem::path& path, std::string* contents) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return os_error("open", path, errno);
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
      const int error = errno;
      ::close(fd);
      return os_error("fstat", path, error);
    }
    contents->resize(static_cast<std::size_t>(info.st_size));
    std::size_t done = 0;
    while (done < contents->size()) {
      const ssize_t got = ::read(fd, contents->data() + done, contents->size() - done);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        const int error = errno;
        ::close(fd);
        return os_error("read", path, error);
      }
      if (got == 0) break;  // the file shrank meanwhile
      done += static_cast<std::size_t>(got);
    }
    contents->resize(done);
    ::close(fd);
    return {};
  }

  Status open_sequential(const std::filesystem::path& path,
                         std::unique_ptr<SequentialFile>* file) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return os_error("open", path, errno);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    *file = std::make_unique<PosixSequentialFile>(fd, path);
    return {};
  }

  Status open_writable(const std::filesystem::path& path, OpenMode mode,
                       std::unique_ptr<WritableFile>* file) override {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
    if (mode == OpenMode::truncate) flags |= O_TRUNC;
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return os_error("open", path, errno);
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
      const int error = errno;
      ::close(fd);
      return os_error("fstat", path, error);
    }
    *file = std::make_unique<PosixWritableFile>(fd, path, info.st_size);
    return {};
  }

  Status truncate(const std::filesystem::path& path, std::uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return os_error("truncate", path, errno);
    }
    return {};
  }

  Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return os_error("rename", from, errno);
    return {};
  }

  Status remove(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) != 0) return os_error("unlink", path, errno);
    return {};
  }

  Status sync_dir(const std::filesystem::path& dir) override {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return os_error("open", dir, errno);
    const int result = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (result != 0) return os_error("fsync", dir, error);
    return {};
  }

  Status lock(const std::filesystem::path& path, std::unique_ptr<FileLock>* lock) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return os_error("open", path, errno);
    // flock, not fcntl: an fcntl lock vanishes when any descriptor of the file is closed.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      if (error != EWOULDBLOCK) {
        ::close(fd);
        return os_error("flock", path, error);
      }
      char buffer[32] = {};
      const ssize_t got = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
      ::close(fd);
      std::string holder = got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : "";
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      return Status::busy("data dir " + path.parent_path().string() + " is in use by pid " +
                          (holder.empty() ? std::string("unknown") : holder));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
      const int error = errno;
      ::close(fd);
      return os_error("write", path, error);
    }
    *lock = std::make_unique<PosixFileLock>(fd);
    return {};
  }
};

}  // namespace

FileSystem* posix_file_system() {
  static auto* const instance = new PosixFileSystem();
  return instance;
}

}  // namespace prik::storage
