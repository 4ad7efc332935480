// FaultFileSystem: wraps another FileSystem, counts its operations and injects failures, for
// tests of the store's error paths. Not owning: the wrapped FileSystem must outlive it.
//
// Failures are planned by operation kind and number (the nth call of that kind since construction,
// counting from 1): fail_nth() makes it fail with an errno (ENOSPC, EIO, ...) without doing
// anything; short_write_nth() makes the nth append write only the first half of its bytes and then
// fail with ENOSPC. cut_power_after(k) makes every mutating operation after the kth fail with EIO,
// as if the machine stopped there (pair it with MemoryFileSystem::power_cut()).
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "storage/file_system.hpp"

namespace prik::storage {

class FaultFileSystem final : public FileSystem {
 public:
  // The operations that change something, and can be counted and failed.
  enum class Operation { open, append, sync, truncate, rename, remove, sync_dir, reserve };

  explicit FaultFileSystem(FileSystem* base) : base_(base) {}

  void fail_nth(Operation operation, std::uint64_t nth, int error);
  void short_write_nth(std::uint64_t nth);
  void cut_power_after(std::uint64_t operations);
  // Every WritableFile::sync() sleeps this long first (a slow disk, for group-commit tests).
  void set_sync_delay(std::chrono::microseconds delay);
  // Runs before every open_writable() with its path, outside the lock: a test may block in it to
  // hold one thread's work (a compaction, say) while others go on.
  void set_before_open(std::function<void(const std::filesystem::path&)> hook);

  std::uint64_t count(Operation operation) const;
  // All mutating operations so far.
  std::uint64_t operations() const;

  Status create_dir(const std::filesystem::path& dir) override;
  Status list_dir(const std::filesystem::path& dir, std::vector<std::string>* names) override;
  Status file_exists(const std::filesystem::path& path, bool* exists) override;
  Status read_file(const std::filesystem::path& path, std::string* contents) override;
  Status open_sequential(const std::filesystem::path& path,
                         std::unique_ptr<SequentialFile>* file) override;
  Status open_writable(const std::filesystem::path& path, OpenMode mode,
                       std::unique_ptr<WritableFile>* file) override;
  Status truncate(const std::filesystem::path& path, std::uint64_t size) override;
  Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Status remove(const std::filesystem::path& path) override;
  Status sync_dir(const std::filesystem::path& dir) override;
  Status lock(const std::filesystem::path& path, std::unique_ptr<FileLock>* lock) override;

 private:
  class File;
  struct Decision {
    std::optional<int> error;  // fail with this errno
    bool short_write = false;
  };
  // Counts one operation and says whether it should fail.
  Decision next(Operation operation);
  static Status injected(Operation operation, const std::filesystem::path& path, int error);

  FileSystem* base_;
  mutable std::mutex mutex_;
  std::map<Operation, std::uint64_t> counts_;
  std::map<std::pair<Operation, std::uint64_t>, int> planned_errors_;
  std::optional<std::uint64_t> short_write_;
  std::optional<std::uint64_t> power_cut_after_;
  std::uint64_t operations_ = 0;
  std::chrono::microseconds sync_delay_{0};
  std::function<void(const std::filesystem::path&)> before_open_;
};

}  // namespace prik::storage
