#include "storage/store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "storage/file_system.hpp"
#include "storage/format.hpp"
#include "storage/recovery.hpp"

namespace prik::storage {
namespace {

// A group commit takes at most this many queued batches, so one slow group cannot grow forever.
constexpr std::size_t max_group_batches = 4096;
constexpr std::size_t max_group_bytes = 16u << 20;
// Snapshot records hold documents up to this many bytes each (or a single larger document).
constexpr std::size_t snapshot_record_bytes = 64u << 10;
constexpr std::size_t snapshot_write_bytes = 1u << 20;
// The journal's zeros are written this far ahead of its last record (or as far as a larger group
// needs), so that a commit's sync writes its data alone and not the file's new size as well: about
// half the time and CPU of a sync on ext4. The zeros cost one extra write and sync per megabyte.
constexpr std::uint64_t journal_reserve_bytes = 1u << 20;
// A journal sync slower than this is logged as a warning.
constexpr std::chrono::milliseconds slow_sync_warning{100};
// A read-only open that races a compaction reads the data dir again, after a short pause.
constexpr int read_only_open_attempts = 3;
constexpr std::chrono::milliseconds read_only_open_retry_delay{50};

Status validate(const Batch& batch) {
  for (const auto& op : batch.ops()) {
    if (op.collection.empty()) return Status::invalid_argument("empty collection name");
  }
  if (const std::uint64_t size = format::batch_payload_size(batch.ops());
      size > format::max_payload_bytes) {
    return Status::invalid_argument("batch of " + std::to_string(size) + " bytes exceeds " +
                                    std::to_string(format::max_payload_bytes));
  }
  return {};
}

Status write_new_file(FileSystem* file_system, const std::filesystem::path& path,
                      std::string_view contents, std::unique_ptr<WritableFile>* file) {
  if (Status status = file_system->open_writable(path, OpenMode::truncate, file); !status.ok()) {
    return status;
  }
  if (Status status = (*file)->append(contents); !status.ok()) return status;
  return (*file)->sync();
}

}  // namespace

void Batch::put(std::string collection, std::string key, std::string document) {
  ops_.push_back({false, std::move(collection), std::move(key), std::move(document)});
}

void Batch::erase(std::string collection, std::string key) {
  ops_.push_back({true, std::move(collection), std::move(key), {}});
}

struct Store::Impl {
  struct Pending {
    Batch batch;
    std::function<void(Status)> done;
    Status rejected;       // set when the batch was invalid
    bool compact = false;  // a compaction request instead of a batch
  };

  Options options;
  FileSystem* file_system = nullptr;
  std::unique_ptr<FileLock> lock;

  mutable std::shared_mutex state_mutex;
  format::Collections collections;  // written only by the writer thread
  std::uint64_t documents = 0;

  std::mutex queue_mutex;
  std::condition_variable queue_changed;
  std::deque<Pending> queue;
  bool stopping = false;
  std::thread writer;

  // Owned by the writer thread once it runs.
  std::unique_ptr<WritableFile> journal;
  std::uint64_t journal_end = 0;       // bytes in the segment up to the end of its last record
  std::uint64_t journal_reserved = 0;  // zeros written after them (WritableFile::reserve)
  std::uint64_t first_segment = 1;
  std::uint64_t segment = 1;
  std::uint64_t sequence = 0;
  // A group's records, kept between groups so that each group writes into memory already mapped
  // instead of growing a new string page by page.
  std::string group_records;

  // What a compaction replaces: the segments up to the one the writer sealed for it.
  struct Compaction {
    std::uint64_t first_segment = 0;
    std::uint64_t last_segment = 0;
    std::uint64_t sequence = 0;        // the last batch in the sealed segments
    std::uint64_t sealed_bytes = 0;    // their size, as counted in stats.journal_bytes
    std::function<void(Status)> done;  // for Store::compact(); empty for automatic ones
  };
  // One compaction at a time runs on this thread, started and joined by the writer (and joined
  // at destruction), so that commits go on meanwhile.
  std::thread compactor;
  std::atomic<bool> compacting = false;

  mutable std::mutex health_mutex;
  Status failure;  // the first write or sync error; ok while healthy
  StoreStats stats;

  std::filesystem::path path(std::string_view name) const { return options.dir / name; }

  Status health() const {
    std::lock_guard guard(health_mutex);
    return failure;
  }

  Status refused() const {
    std::lock_guard guard(health_mutex);
    // A store opened read-only has a read_only failure from the start; a fail-stop one never does.
    if (failure.ok() || failure.kind() == Status::Kind::read_only) return failure;
    return Status::read_only("store is read-only since " + failure.to_string());
  }

  // Fail-stop: remembers the first error; commits are refused from now on.
  Status fail(Status status) {
    spdlog::error("store {}: {}; the store is read-only until it is reopened", options.dir.string(),
                  status.to_string());
    std::lock_guard guard(health_mutex);
    if (failure.ok()) failure = status;
    return status;
  }

  void enqueue(Pending pending) {
    {
      std::lock_guard guard(queue_mutex);
      queue.push_back(std::move(pending));
    }
    queue_changed.notify_one();
  }

  void run_writer() {
    if (options.writer_started) options.writer_started();
    for (;;) {
      std::vector<Pending> group;
      {
        std::unique_lock guard(queue_mutex);
        queue_changed.wait(guard, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) {
          release_at_close();
          return;
        }
        if (queue.front().compact) {
          group.push_back(std::move(queue.front()));
          queue.pop_front();
        } else {
          std::size_t bytes = 0;
          while (!queue.empty() && !queue.front().compact && group.size() < max_group_batches &&
                 bytes < max_group_bytes) {
            bytes += format::batch_payload_size(queue.front().batch.ops());
            group.push_back(std::move(queue.front()));
            queue.pop_front();
          }
        }
      }
      if (group.front().compact) {
        start_compaction(std::move(group.front().done));
        continue;
      }
      commit_group(group);
      if (options.compact_journal_bytes > 0 && health().ok() && !compacting &&
          stats_snapshot().journal_bytes >= options.compact_journal_bytes) {
        start_compaction({});  // a failure is logged and makes the store read-only
      }
    }
  }

  StoreStats stats_snapshot() const {
    std::lock_guard guard(health_mutex);
    return stats;
  }

  void commit_group(std::vector<Pending>& group) {
    constexpr std::size_t kKeptCapacity = 256u << 10;  // an idle store stays small
    std::string& records = group_records;
    records.clear();
    std::uint64_t next_sequence = sequence;
    std::size_t written = 0;
    const Status refusal = refused();
    for (auto& pending : group) {
      if (!pending.rejected.ok()) continue;
      if (!refusal.ok()) {
        pending.rejected = refusal;
        continue;
      }
      if (pending.batch.empty()) continue;
      format::append_batch_record(&records, ++next_sequence, pending.batch.ops());
      ++written;
    }
    if (written > 0) {
      Status status = reserve_journal_space(records.size());
      if (status.ok()) status = journal->append(records);
      if (status.ok()) status = timed_journal_sync();
      if (!status.ok()) {
        fail(status);
        for (auto& pending : group) pending.done(pending.rejected.ok() ? status : pending.rejected);
        return;
      }
      journal_end += records.size();
      journal_reserved -= records.size();
      sequence = next_sequence;
      std::unique_lock guard(state_mutex);
      for (auto& pending : group) {
        if (pending.rejected.ok()) apply(std::move(pending.batch));
      }
    }
    {
      std::lock_guard guard(health_mutex);
      stats.documents = documents;
      stats.journal_bytes += records.size();
      stats.commits += written;
      if (written > 0) ++stats.syncs;
    }
    if (records.capacity() > kKeptCapacity) std::string().swap(records);
    for (auto& pending : group) pending.done(pending.rejected);
  }

  // Syncs the journal and warns when the disk took long: every commit waiting for the sync waited
  // that long too, and a slow disk is otherwise hard to tell from a slow bot.
  Status timed_journal_sync() {
    const auto started = std::chrono::steady_clock::now();
    Status status = journal->sync();
    const auto took = std::chrono::steady_clock::now() - started;
    if (took >= slow_sync_warning) {
      spdlog::warn("store {}: a journal sync took {} ms (the disk was slow to flush)",
                   options.dir.string(),
                   std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
    }
    return status;
  }

  // Makes sure the next `bytes` of the journal go into zeros written ahead.
  Status reserve_journal_space(std::uint64_t bytes) {
    if (journal_reserved >= bytes) return {};
    const std::uint64_t reserve = std::max(journal_reserve_bytes, bytes);
    if (Status status = journal->reserve(reserve); !status.ok()) return status;
    journal_reserved = reserve;
    return {};
  }

  // Cuts the zeros written ahead from the segment, durably, so that it ends at its last record:
  // only the last segment may end in zeros (FORMAT.md).
  Status release_journal_space() {
    if (journal_reserved == 0) return {};
    Status status = file_system->truncate(path(format::segment_file(segment)), journal_end);
    if (status.ok()) status = journal->sync();
    if (status.ok()) journal_reserved = 0;
    return status;
  }

  // A data dir closed cleanly ends at its last record, with no zeros for the next open to cut.
  void release_at_close() {
    if (!health().ok()) return;  // after a failure no file is touched again
    if (Status status = release_journal_space(); !status.ok()) {
      spdlog::warn(
          "store {}: could not cut the zeros after the journal's last record ({}); the "
          "next open cuts them",
          options.dir.string(), status.to_string());
    }
  }

  // Called with state_mutex held exclusively.
  void apply(Batch batch) {
    for (auto& op : batch.take_ops()) {
      if (op.erase) {
        const auto collection = collections.find(op.collection);
        if (collection == collections.end()) continue;
        documents -= collection->second.erase(op.key);
        if (collection->second.empty()) collections.erase(collection);
        continue;
      }
      auto& collection = collections[op.collection];
      const auto [where, inserted] =
          collection.insert_or_assign(std::move(op.key), std::move(op.document));
      if (inserted) ++documents;
    }
  }

  // On the writer thread: seals the segment commits go to, moves them on to a new one and starts
  // the compaction of the sealed segments on the compactor thread, where `done` (if any) learns
  // the outcome. A compaction still running is waited for first, so that each one covers every
  // commit acknowledged before it was asked for.
  void start_compaction(std::function<void(Status)> done) {
    if (compactor.joinable()) compactor.join();
    Status status = refused();
    Compaction compaction{first_segment, segment, sequence, stats_snapshot().journal_bytes,
                          std::move(done)};
    std::unique_ptr<WritableFile> next_journal;
    if (status.ok()) {
      status = release_journal_space();
      if (status.ok()) {
        status = write_new_file(file_system, path(format::segment_file(segment + 1)),
                                format::journal_header(), &next_journal);
      }
      if (status.ok()) status = file_system->sync_dir(options.dir);
      if (!status.ok()) fail(status);
    }
    if (!status.ok()) {
      if (compaction.done) compaction.done(status);
      return;
    }
    journal = std::move(next_journal);
    journal_end = format::journal_header_size;
    first_segment = segment = compaction.last_segment + 1;
    {
      std::lock_guard guard(health_mutex);
      stats.journal_bytes += format::journal_header_size;
    }
    compacting = true;
    compactor = std::thread([this, compaction = std::move(compaction)] {
      if (options.compactor_started) options.compactor_started();
      const Status outcome = compact_sealed(compaction);
      compacting = false;
      if (compaction.done) compaction.done(outcome);
    });
  }

  // On the compactor thread: writes a snapshot of the sealed segments, read again from the disk
  // (the writer keeps changing the collections in memory), and removes them.
  Status compact_sealed(const Compaction& compaction) {
    const auto started = std::chrono::steady_clock::now();
    Recovered sealed;
    Status status = recover_sealed(file_system, options.dir, compaction.last_segment, &sealed);
    if (status.ok() && sealed.sequence != compaction.sequence) {
      status =
          Status::corruption("the sealed journal ends at batch " + std::to_string(sealed.sequence) +
                             " instead of " + std::to_string(compaction.sequence));
    }
    if (status.ok()) status = write_snapshot(sealed, compaction.last_segment + 1);
    for (std::uint64_t number = compaction.first_segment;
         status.ok() && number <= compaction.last_segment; ++number) {
      status = file_system->remove(path(format::segment_file(number)));
    }
    if (status.ok()) status = file_system->sync_dir(options.dir);
    if (!status.ok()) return fail(status);
    {
      std::lock_guard guard(health_mutex);
      stats.journal_bytes -= compaction.sealed_bytes;
      ++stats.compactions;
    }
    spdlog::info("store {}: compacted {} documents into a new snapshot in {} ms",
                 options.dir.string(), sealed.documents,
                 std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count());
    return {};
  }

  // Writes `state` as the snapshot that replaces every segment before `next_segment`: to a
  // temporary file first, synced, then renamed into place.
  Status write_snapshot(const Recovered& state, std::uint64_t next_segment) {
    const std::filesystem::path temp = path(format::snapshot_temp_file);
    std::unique_ptr<WritableFile> file;
    Status status = file_system->open_writable(temp, OpenMode::truncate, &file);
    if (!status.ok()) return status;
    std::string buffer = format::snapshot_header({next_segment, state.sequence, state.documents});
    for (const auto& [name, collection] : state.collections) {
      auto first = collection.begin();
      std::size_t bytes = 0;
      for (auto it = collection.begin(); it != collection.end(); ++it) {
        const std::size_t size = it->first.size() + it->second.size() + 16;
        if (it != first && bytes + size > snapshot_record_bytes) {
          format::append_snapshot_record(&buffer, name, first, it);
          first = it;
          bytes = 0;
          if (buffer.size() >= snapshot_write_bytes) {
            // Synced chunk by chunk: the journal's syncs, which commits wait for, then queue
            // behind one chunk at most instead of the whole snapshot.
            if (status = file->append(buffer); !status.ok()) return status;
            if (status = file->sync(); !status.ok()) return status;
            buffer.clear();
          }
        }
        bytes += size;
      }
      format::append_snapshot_record(&buffer, name, first, collection.end());
    }
    if (status = file->append(buffer); !status.ok()) return status;
    if (status = file->sync(); !status.ok()) return status;
    file.reset();
    if (status = file_system->rename(temp, path(format::snapshot_file)); !status.ok()) {
      return status;
    }
    return file_system->sync_dir(options.dir);
  }

  // Removes leftovers, cuts a torn tail and opens the journal segment to append to.
  Status repair_and_open_journal(const Recovered& recovered) {
    bool directory_changed = false;
    for (const auto& name : recovered.leftovers) {
      spdlog::info("store {}: removing {} (left by an interrupted compaction)",
                   options.dir.string(), name);
      if (Status status = file_system->remove(path(name)); !status.ok()) return status;
      directory_changed = true;
    }
    if (recovered.segments.empty()) {
      segment = first_segment = recovered.snapshot.next_segment;
      if (Status status = write_new_file(file_system, path(format::segment_file(segment)),
                                         format::journal_header(), &journal);
          !status.ok()) {
        return status;
      }
      journal_end = format::journal_header_size;
      directory_changed = true;
    } else {
      first_segment = recovered.segments.front().number;
      const RecoveredSegment& last = recovered.segments.back();
      segment = last.number;
      const std::filesystem::path file = path(format::segment_file(segment));
      if (recovered.torn_tail_zeros) {
        spdlog::info("store {}: cut {} bytes of zeros after the last record of {}",
                     options.dir.string(), recovered.torn_bytes, file.string());
      } else if (recovered.torn_bytes > 0 || last.header_torn) {
        spdlog::warn("store {}: cut a torn tail of {} bytes from {} at offset {}",
                     options.dir.string(), recovered.torn_bytes, file.string(), last.valid_size);
      }
      if (recovered.torn_bytes > 0 || last.header_torn) {
        if (Status status = file_system->truncate(file, last.valid_size); !status.ok()) {
          return status;
        }
      }
      if (Status status = file_system->open_writable(file, OpenMode::append, &journal);
          !status.ok()) {
        return status;
      }
      journal_end = last.valid_size;
      if (last.header_torn) {
        if (Status status = journal->append(format::journal_header()); !status.ok()) return status;
        journal_end = format::journal_header_size;
      }
      if (recovered.torn_bytes > 0 || last.header_torn) {
        if (Status status = journal->sync(); !status.ok()) return status;
      }
    }
    if (directory_changed) return file_system->sync_dir(options.dir);
    return {};
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  {
    std::lock_guard guard(impl_->queue_mutex);
    impl_->stopping = true;
  }
  impl_->queue_changed.notify_one();
  impl_->writer.join();
  if (impl_->compactor.joinable()) impl_->compactor.join();
}

Status Store::open(const Options& options, std::unique_ptr<Store>* store) {
  const auto started = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->file_system = options.file_system ? options.file_system : posix_file_system();
  FileSystem* file_system = impl->file_system;
  if (options.dir.empty()) return Status::invalid_argument("no data dir given");

  bool exists = false;
  if (Status status = file_system->file_exists(options.dir, &exists); !status.ok()) return status;
  if (!exists) {
    if (Status status = file_system->create_dir(options.dir); !status.ok()) return status;
    const std::filesystem::path parent = options.dir.parent_path();
    if (Status status = file_system->sync_dir(parent.empty() ? "." : parent); !status.ok()) {
      return status;
    }
  }
  if (Status status = file_system->lock(impl->path(format::lock_file), &impl->lock); !status.ok()) {
    return status;
  }
  Recovered recovered;
  if (Status status = recover(file_system, options.dir, &recovered); !status.ok()) return status;
  if (Status status = impl->repair_and_open_journal(recovered); !status.ok()) return status;

  impl->collections = std::move(recovered.collections);
  impl->documents = recovered.documents;
  impl->sequence = recovered.sequence;
  impl->stats.documents = recovered.documents;
  impl->stats.journal_bytes = recovered.journal_bytes;
  if (recovered.segments.empty() || recovered.segments.back().header_torn) {
    impl->stats.journal_bytes += format::journal_header_size;
  }
  spdlog::info(
      "store {}: opened with {} documents ({} from the snapshot, {} journal records) in "
      "{} ms",
      options.dir.string(), recovered.documents, recovered.snapshot.documents,
      recovered.journal_records,
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                            started)
          .count());
  Impl* raw = impl.get();
  raw->writer = std::thread([raw] { raw->run_writer(); });
  store->reset(new Store(std::move(impl)));
  return {};
}

Status Store::open_read_only(const Options& options, std::unique_ptr<Store>* store) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->file_system = options.file_system ? options.file_system : posix_file_system();
  if (options.dir.empty()) return Status::invalid_argument("no data dir given");
  Recovered recovered;
  bool exists = false;
  Status status = impl->file_system->file_exists(options.dir, &exists);
  if (!status.ok()) return status;
  for (int attempt = 0; exists && attempt < read_only_open_attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(read_only_open_retry_delay);
    recovered = {};
    status = recover(impl->file_system, options.dir, &recovered);
    if (status.ok()) break;
  }
  if (!status.ok()) return status;
  impl->collections = std::move(recovered.collections);
  impl->documents = recovered.documents;
  impl->sequence = recovered.sequence;
  impl->stats.documents = recovered.documents;
  impl->stats.journal_bytes = recovered.journal_bytes;
  // Refuses every commit and compaction from the start; the writer thread answers them.
  impl->failure = Status::read_only("the store was opened read-only");
  Impl* raw = impl.get();
  raw->writer = std::thread([raw] { raw->run_writer(); });
  store->reset(new Store(std::move(impl)));
  return {};
}

Status Store::verify(const Options& options, VerifyReport* report) {
  FileSystem* file_system = options.file_system ? options.file_system : posix_file_system();
  *report = {};
  Recovered recovered;
  const Status status = recover(file_system, options.dir, &recovered);
  if (!status.ok()) {
    report->messages.push_back(status.to_string());
    return status;
  }
  report->snapshot_documents = recovered.has_snapshot ? recovered.snapshot.documents : 0;
  report->journal_records = recovered.journal_records;
  report->documents = recovered.documents;
  report->torn_tail_bytes = recovered.torn_bytes;
  auto& messages = report->messages;
  if (recovered.has_snapshot) {
    messages.push_back("snapshot: " + std::to_string(recovered.snapshot.documents) +
                       " documents up to batch " + std::to_string(recovered.snapshot.sequence));
  } else {
    messages.push_back("snapshot: none yet");
  }
  for (const auto& segment : recovered.segments) {
    messages.push_back(format::segment_file(segment.number) + ": " +
                       std::to_string(segment.records) + " records, " +
                       std::to_string(segment.size) + " bytes");
  }
  if (recovered.torn_bytes > 0 ||
      (!recovered.segments.empty() && recovered.segments.back().header_torn)) {
    const auto& last = recovered.segments.back();
    messages.push_back(
        format::segment_file(last.number) + ": " +
        (recovered.torn_tail_zeros ? "zeros reserved for appends, " : "torn tail of ") +
        std::to_string(recovered.torn_bytes) + " bytes at offset " +
        std::to_string(last.valid_size) + " (the next open cuts it)");
  }
  for (const auto& name : recovered.leftovers) {
    messages.push_back(name + ": left by an interrupted compaction (the next open removes it)");
  }
  messages.push_back("documents: " + std::to_string(recovered.documents) + " after " +
                     std::to_string(recovered.sequence) + " batches");
  return {};
}

std::optional<std::string> Store::get(std::string_view collection, std::string_view key) const {
  std::shared_lock guard(impl_->state_mutex);
  const auto found = impl_->collections.find(collection);
  if (found == impl_->collections.end()) return std::nullopt;
  const auto document = found->second.find(key);
  if (document == found->second.end()) return std::nullopt;
  return document->second;
}

void Store::scan(std::string_view collection, std::string_view prefix, const Visitor& visit) const {
  std::shared_lock guard(impl_->state_mutex);
  const auto found = impl_->collections.find(collection);
  if (found == impl_->collections.end()) return;
  for (auto it = found->second.lower_bound(prefix);
       it != found->second.end() && it->first.starts_with(prefix); ++it) {
    visit(it->first, it->second);
  }
}

Status Store::commit(Batch batch) {
  if (batch.empty()) return impl_->refused();
  std::promise<Status> promise;
  auto result = promise.get_future();
  commit_async(std::move(batch),
               [&promise](Status status) { promise.set_value(std::move(status)); });
  return result.get();
}

void Store::commit_async(Batch batch, std::function<void(Status)> done) {
  Impl::Pending pending;
  pending.rejected = validate(batch);
  pending.batch = std::move(batch);
  pending.done = std::move(done);
  impl_->enqueue(std::move(pending));
}

Status Store::compact() {
  std::promise<Status> promise;
  auto result = promise.get_future();
  Impl::Pending pending;
  pending.compact = true;
  pending.done = [&promise](Status status) { promise.set_value(std::move(status)); };
  impl_->enqueue(std::move(pending));
  return result.get();
}

Status Store::health() const { return impl_->health(); }

StoreStats Store::stats() const { return impl_->stats_snapshot(); }

}  // namespace prik::storage
