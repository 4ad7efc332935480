// MemoryFileSystem: a FileSystem held in memory that remembers what is durable, for tests that
// simulate a power cut. Each file keeps its current bytes and the bytes its last sync() made
// durable; each directory keeps its current entries and the entries its last sync_dir() made
// durable. power_cut() throws away everything not durable: unsynced bytes, and creations, renames
// and removals not followed by a sync of their directory. Directories themselves always exist once
// created.
//
// Thread-safety: all methods may be called from any thread. Locks are per instance (a second
// lock() of the same path fails with Status::busy until the first FileLock is destroyed).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "storage/file_system.hpp"

namespace prik::storage {

class MemoryFileSystem final : public FileSystem {
 public:
  MemoryFileSystem() = default;

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

  // Loses everything not durable, as a machine does when its power goes. Call it once nothing
  // writes any more (destroy the Store first).
  void power_cut();

  // Replaces a file's bytes, durably (for tests that damage files between runs).
  void overwrite(const std::filesystem::path& path, std::string contents);

  struct Node {
    std::string data;
    std::string durable;
  };

 private:
  class File;
  class Reader;
  class Lock;
  using Entries = std::map<std::string, std::shared_ptr<Node>>;

  mutable std::mutex mutex_;
  std::set<std::string> dirs_;
  Entries entries_;
  Entries durable_entries_;
  std::set<std::string> locked_;
};

}  // namespace prik::storage
