// FileSystem: every file operation the store performs, behind one small interface, so tests can
// swap the real disk for an in-memory one that simulates a power cut
// (storage/memory_file_system.hpp) or a wrapper that injects faults
// (storage/fault_file_system.hpp).
//
// Durability rules the store relies on: bytes appended to a WritableFile are durable once sync()
// returned ok, and so are the zeros of a reserve() once it returned ok; a created, renamed or
// removed directory entry is durable once sync_dir() of its directory returned ok. Every operation
// returns a Status naming the operation and the path.
//
// Thread-safety: implementations are safe to call from several threads; one WritableFile is used
// by one thread at a time. posix_file_system() is a process-wide instance that is never destroyed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.hpp"

namespace prik::storage {

// A file open for appending. Closing happens on destruction.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of data after the bytes appended so far, or fails (a short write is an error).
  // Appends go into space reserve() made first, if any, instead of after it.
  virtual Status append(std::string_view data) = 0;
  // Makes the appended bytes (and the file size) durable.
  virtual Status sync() = 0;
  // Writes zeros to the `bytes` bytes after the appended ones and makes them durable, so that the
  // file is at least that long. The appends that fill this space change neither the file's size
  // nor its allocation, so their sync() writes the data alone: no inode, no file-system metadata.
  // Readers see the zeros left after the last append; the store's formats end at them.
  virtual Status reserve(std::uint64_t bytes) = 0;
};

// A file open for reading from start to end.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to size bytes into to; *got is 0 at the end of the file.
  virtual Status read(char* to, std::size_t size, std::size_t* got) = 0;
};

// An exclusive lock on a data dir; released on destruction (or when the process dies).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

enum class OpenMode { append, truncate };

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates the directory (not its parents); ok if it exists already.
  virtual Status create_dir(const std::filesystem::path& dir) = 0;
  // The names (not paths) of the directory's entries, except "." and "..".
  virtual Status list_dir(const std::filesystem::path& dir, std::vector<std::string>* names) = 0;
  virtual Status file_exists(const std::filesystem::path& path, bool* exists) = 0;
  virtual Status read_file(const std::filesystem::path& path, std::string* contents) = 0;
  virtual Status open_sequential(const std::filesystem::path& path,
                                 std::unique_ptr<SequentialFile>* file) = 0;
  // Opens the file for appending, creating it if needed; OpenMode::truncate empties it first.
  virtual Status open_writable(const std::filesystem::path& path, OpenMode mode,
                               std::unique_ptr<WritableFile>* file) = 0;
  // Shortens the file to size bytes; durable after a sync() of a WritableFile on it.
  virtual Status truncate(const std::filesystem::path& path, std::uint64_t size) = 0;
  // Atomically replaces to with from.
  virtual Status rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  virtual Status remove(const std::filesystem::path& path) = 0;
  virtual Status sync_dir(const std::filesystem::path& dir) = 0;
  // Takes an exclusive lock on the lock file at path (creating it) and records this process's pid
  // in it. Status::busy naming the holder's pid when another process holds it.
  virtual Status lock(const std::filesystem::path& path, std::unique_ptr<FileLock>* lock) = 0;
};

// The real file system (POSIX calls: open with O_CLOEXEC, fdatasync, flock).
FileSystem* posix_file_system();

}  // namespace prik::storage
