// Store: Prik's embedded document store. Collections of JSON documents keyed by string.
//
// Reads (get, scan) are served from memory. commit(batch) applies a batch of puts and erases
// atomically -- all or nothing, also across a crash -- and reports success only once the batch is
// durable (written and fdatasync'ed). Commits issued concurrently, from several threads or queued
// through commit_async, share one journal write and one sync (group commit). On disk: a snapshot
// plus an append-only journal of CRC32C-framed records (storage/FORMAT.md), written into zeros
// laid down ahead of it so that a commit's sync writes no new file size. Recovery at open
// loads the snapshot, replays the journal, and cuts a torn tail; damage before the tail refuses
// the open, naming file and offset. A lock file keeps a second process out.
//
// A journal sync that takes 100 ms or more is logged as a warning: every commit waiting for it
// waited as long.
//
// A failed write or sync turns the store read-only (fail-stop): the failing commit and every
// later one report the error, and the next open recovers from what is on disk.
//
// Compaction replaces the journal written so far by a new snapshot without erased documents. It
// runs on a thread of its own from the files on disk, so commits go on meanwhile: the writer only
// moves on to a new journal segment.
//
// Thread-safety: every method may be called from any thread. A commit's effects are visible to
// get/scan once it has been acknowledged. The Store owns a writer thread and, while a compaction
// runs, a compactor thread; destroying the Store finishes queued commits and a running compaction
// first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.hpp"

namespace prik::storage {

class FileSystem;

struct Options {
  std::filesystem::path dir;
  // File-system access; nullptr uses the POSIX file system. Not owned; must outlive the Store.
  FileSystem* file_system = nullptr;
  // Compact automatically once the journal grows past this many bytes (0: never).
  std::uint64_t compact_journal_bytes = 64u << 20;
  // Runs first on the writer's thread, which syncs the commits and calls their callbacks, e.g. to
  // let it run as soon as a sync is done. Empty: nothing.
  std::function<void()> writer_started;
  // Runs first on each compaction's thread, e.g. to lower its priority below the threads that
  // wait for commits. Empty: nothing.
  std::function<void()> compactor_started;
};

// One atomic unit of change. Documents are JSON text; the store does not interpret them.
class Batch {
 public:
  struct Op {
    bool erase = false;
    std::string collection;
    std::string key;
    std::string document;  // empty for erase
  };

  void put(std::string collection, std::string key, std::string document);
  void erase(std::string collection, std::string key);
  bool empty() const { return ops_.empty(); }
  std::size_t size() const { return ops_.size(); }
  const std::vector<Op>& ops() const { return ops_; }
  // Moves the ops out, leaving the batch empty.
  std::vector<Op> take_ops() {
    std::vector<Op> ops = std::move(ops_);
    ops_.clear();
    return ops;
  }

 private:
  std::vector<Op> ops_;
};

struct StoreStats {
  std::uint64_t documents = 0;
  std::uint64_t journal_bytes = 0;
  std::uint64_t commits = 0;
  std::uint64_t syncs = 0;  // journal syncs; fewer than commits when group commit batched them
  std::uint64_t compactions = 0;
};

// What `prik store verify` reports about a data dir; verify() changes nothing on disk.
struct VerifyReport {
  std::uint64_t snapshot_documents = 0;
  std::uint64_t journal_records = 0;
  std::uint64_t documents = 0;        // after replay
  std::uint64_t torn_tail_bytes = 0;  // bytes an open would cut
  std::vector<std::string> messages;  // human-readable findings
};

class Store {
 public:
  using Visitor = std::function<void(std::string_view key, std::string_view document)>;

  static Status open(const Options& options, std::unique_ptr<Store>* store);
  // Opens a data dir for reading only, without its lock, so a tool can read it while the bot runs:
  // the store holds the state of some prefix of the acknowledged commits (a batch being written
  // at that moment counts as a torn tail and is left out), changes no file, and refuses commits
  // and compaction with Status::read_only. A compaction running meanwhile may remove a file being
  // read; the open then reads the data dir again, up to three times. A data dir that does not
  // exist reads as empty (and is not created).
  static Status open_read_only(const Options& options, std::unique_ptr<Store>* store);
  // Inspects a data dir without changing it (and without taking its lock).
  static Status verify(const Options& options, VerifyReport* report);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  std::optional<std::string> get(std::string_view collection, std::string_view key) const;
  // Visits the collection's documents whose key starts with prefix, in key order. visit runs
  // under the store's read lock: it must not wait for a commit to finish.
  void scan(std::string_view collection, std::string_view prefix, const Visitor& visit) const;

  // Blocks until the batch is durable (or failed). An empty batch completes without any I/O.
  Status commit(Batch batch);
  // Queues the batch; done(status) runs on the store's writer thread once it is durable or failed.
  void commit_async(Batch batch, std::function<void(Status)> done);

  // Compacts every commit acknowledged so far into a new snapshot, without erased documents, and
  // removes the journal segments it replaces; returns once that is done. Commits go on meanwhile.
  Status compact();

  // ok() while the store accepts commits; the reason once it turned read-only.
  Status health() const;
  StoreStats stats() const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace prik::storage
