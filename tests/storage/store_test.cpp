// The store's everyday behaviour: commits, reads, reopening, group commit, the lock, compaction.
#include "storage/store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <thread>

#include "storage/fault_file_system.hpp"
#include "storage/format.hpp"
#include "storage/memory_file_system.hpp"
#include "tests/storage/test_support.hpp"

namespace prik::storage {
namespace {

using testing::TempDir;
using namespace std::chrono_literals;

std::unique_ptr<Store> open_store(const Options& options) {
  std::unique_ptr<Store> store;
  const Status status = Store::open(options, &store);
  EXPECT_TRUE(status.ok()) << status.to_string();
  return store;
}

std::string padded_key(int number) {
  std::string key = std::to_string(number);
  return std::string(6 - key.size(), '0') + key;
}

// How many records a journal segment holds, and where the last one ends.
std::pair<int, std::size_t> journal_records(const std::string& bytes) {
  std::size_t end = format::journal_header_size;
  std::string_view payload;
  int records = 0;
  while (format::read_record(bytes, end, &payload, &end).ok()) ++records;
  return {records, end};
}

std::vector<std::string> keys_of(const Store& store, std::string_view collection,
                                 std::string_view prefix) {
  std::vector<std::string> keys;
  store.scan(collection, prefix,
             [&](std::string_view key, std::string_view) { keys.emplace_back(key); });
  return keys;
}

TEST(Store, CommittedDocumentsCanBeReadBack) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  Batch batch;
  batch.put("volunteers", "slack:T1:U1", R"({"name":"Anna"})");
  batch.put("volunteers", "matrix:@bo:example.org", R"({"name":"Bo"})");
  ASSERT_TRUE(store->commit(std::move(batch)).ok());
  EXPECT_EQ(store->get("volunteers", "slack:T1:U1"), R"({"name":"Anna"})");
  EXPECT_EQ(store->get("volunteers", "slack:T1:U2"), std::nullopt);
  EXPECT_EQ(store->get("roles", "slack:T1:U1"), std::nullopt);
  EXPECT_EQ(store->stats().documents, 2u);
}

TEST(Store, ScanVisitsOnlyThePrefixInKeyOrder) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  Batch batch;
  for (const char* key : {"b/2", "a/1", "b/10", "b/1", "c/1", "b"}) batch.put("x", key, "{}");
  batch.put("y", "b/3", "{}");
  ASSERT_TRUE(store->commit(std::move(batch)).ok());
  EXPECT_EQ(keys_of(*store, "x", "b/"), (std::vector<std::string>{"b/1", "b/10", "b/2"}));
  EXPECT_EQ(keys_of(*store, "x", "").size(), 6u);
  EXPECT_TRUE(keys_of(*store, "x", "d").empty());
  EXPECT_TRUE(keys_of(*store, "nothing", "").empty());
}

TEST(Store, EraseRemovesADocumentAndLaterPutsReplaceIt) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  Batch first;
  first.put("c", "k", "1");
  first.put("c", "gone", "2");
  ASSERT_TRUE(store->commit(std::move(first)).ok());
  Batch second;
  second.erase("c", "gone");
  second.erase("c", "never-there");
  second.put("c", "k", "3");
  ASSERT_TRUE(store->commit(std::move(second)).ok());
  EXPECT_EQ(store->get("c", "gone"), std::nullopt);
  EXPECT_EQ(store->get("c", "k"), "3");
  EXPECT_EQ(store->stats().documents, 1u);
}

TEST(Store, ReopeningRestoresEveryCommit) {
  TempDir dir;
  {
    auto store = open_store({.dir = dir.path()});
    for (int i = 0; i < 50; ++i) {
      Batch batch;
      batch.put("c", "key" + std::to_string(i), "doc" + std::to_string(i));
      if (i % 5 == 4) batch.erase("c", "key" + std::to_string(i - 1));
      ASSERT_TRUE(store->commit(std::move(batch)).ok());
    }
  }
  auto store = open_store({.dir = dir.path()});
  for (int i = 0; i < 50; ++i) {
    const auto document = store->get("c", "key" + std::to_string(i));
    if (i % 5 == 3) {
      EXPECT_EQ(document, std::nullopt) << i;
    } else {
      EXPECT_EQ(document, "doc" + std::to_string(i)) << i;
    }
  }
  EXPECT_EQ(store->stats().documents, 40u);
}

TEST(Store, EmptyBatchSucceedsWithoutAnyIo) {
  MemoryFileSystem memory;
  FaultFileSystem faults(&memory);
  auto store = open_store({.dir = "/data", .file_system = &faults});
  const std::uint64_t before = faults.operations();
  EXPECT_TRUE(store->commit(Batch{}).ok());
  std::promise<Status> done;
  store->commit_async(Batch{}, [&](Status status) { done.set_value(status); });
  EXPECT_TRUE(done.get_future().get().ok());
  EXPECT_EQ(faults.operations(), before);
}

TEST(Store, BatchWithAnEmptyCollectionNameIsRefused) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  Batch batch;
  batch.put("", "k", "{}");
  EXPECT_EQ(store->commit(std::move(batch)).kind(), Status::Kind::invalid_argument);
  EXPECT_TRUE(store->health().ok());
}

TEST(Store, CommitAsyncReportsOnceDurable) {
  MemoryFileSystem memory;
  {
    auto store = open_store({.dir = "/data", .file_system = &memory});
    std::promise<Status> done;
    Batch batch;
    batch.put("c", "k", "v");
    store->commit_async(std::move(batch), [&](Status status) { done.set_value(status); });
    ASSERT_TRUE(done.get_future().get().ok());
    EXPECT_EQ(store->get("c", "k"), "v");
  }
  memory.power_cut();
  auto store = open_store({.dir = "/data", .file_system = &memory});
  EXPECT_EQ(store->get("c", "k"), "v");
}

// The bot lets this thread run as soon as a sync is done; it must be the one that reports commits.
TEST(Store, WriterStartedRunsOnceOnTheThreadThatReportsCommits) {
  MemoryFileSystem memory;
  std::atomic<int> writers_started = 0;
  std::thread::id writer_thread;
  auto store = open_store({.dir = "/data", .file_system = &memory, .writer_started = [&] {
                             ++writers_started;
                             writer_thread = std::this_thread::get_id();
                           }});
  for (int i = 0; i < 3; ++i) {
    auto reported_on = std::make_shared<std::promise<std::thread::id>>();
    auto reported = reported_on->get_future();
    Batch batch;
    batch.put("c", std::to_string(i), "v");
    store->commit_async(std::move(batch), [reported_on](Status status) {
      EXPECT_TRUE(status.ok());
      reported_on->set_value(std::this_thread::get_id());
    });
    ASSERT_EQ(reported.wait_for(10s), std::future_status::ready);
    const auto thread = reported.get();
    EXPECT_EQ(thread, writer_thread);
    EXPECT_NE(thread, std::this_thread::get_id());
  }
  EXPECT_EQ(writers_started, 1);
}

TEST(Store, ASlowJournalSyncIsLoggedWithItsDuration) {
  MemoryFileSystem memory;
  FaultFileSystem faults(&memory);
  auto store = open_store({.dir = "/data", .file_system = &faults});
  testing::LogCapture log;
  Batch quick;
  quick.put("c", "quick", "{}");
  ASSERT_TRUE(store->commit(std::move(quick)).ok());
  EXPECT_EQ(log.text().find("journal sync took"), std::string::npos) << log.text();

  faults.set_sync_delay(std::chrono::milliseconds(120));
  Batch slow;
  slow.put("c", "slow", "{}");
  ASSERT_TRUE(store->commit(std::move(slow)).ok());
  EXPECT_NE(log.text().find("store /data: a journal sync took 1"), std::string::npos) << log.text();
}

TEST(Store, ConcurrentCommitsShareSyncs) {
  MemoryFileSystem memory;
  FaultFileSystem faults(&memory);
  faults.set_sync_delay(std::chrono::milliseconds(2));
  auto store = open_store({.dir = "/data", .file_system = &faults});
  const std::uint64_t syncs_before = faults.count(FaultFileSystem::Operation::sync);
  constexpr int threads = 16;
  constexpr int commits_per_thread = 20;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < commits_per_thread; ++i) {
        Batch batch;
        batch.put("c", std::to_string(t) + "/" + std::to_string(i), "{}");
        ASSERT_TRUE(store->commit(std::move(batch)).ok());
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const std::uint64_t syncs = faults.count(FaultFileSystem::Operation::sync) - syncs_before;
  const StoreStats stats = store->stats();
  EXPECT_EQ(stats.commits, std::uint64_t{threads * commits_per_thread});
  EXPECT_EQ(stats.syncs, syncs);
  EXPECT_LT(syncs, stats.commits / 4) << "group commit should batch concurrent commits";
  EXPECT_EQ(stats.documents, std::uint64_t{threads * commits_per_thread});
}

// FORMAT.md, "Durability": commits fill zeros written ahead of them, so that their syncs write no
// new file size.
TEST(Store, JournalZerosAreWrittenAMegabyteAheadAndCutAtACleanClose) {
  using Operation = FaultFileSystem::Operation;
  MemoryFileSystem memory;
  FaultFileSystem counting(&memory);
  const std::filesystem::path journal = "/data/journal-000001.log";
  {
    auto store = open_store({.dir = "/data", .file_system = &counting});
    const std::uint64_t syncs_at_open = counting.count(Operation::sync);
    for (int i = 0; i < 20; ++i) {
      Batch batch;
      batch.put("c", padded_key(i), std::string(100, 'v'));
      ASSERT_TRUE(store->commit(std::move(batch)).ok());
    }
    EXPECT_EQ(counting.count(Operation::reserve), 1u) << "twenty small commits share a megabyte";
    EXPECT_EQ(counting.count(Operation::sync) - syncs_at_open, 20u);
    std::string bytes;
    ASSERT_TRUE(memory.read_file(journal, &bytes).ok());
    const auto [records, end] = journal_records(bytes);
    EXPECT_EQ(records, 20);
    EXPECT_GE(bytes.size(), end + (1u << 20) - 20 * 150);
    EXPECT_EQ(bytes.find_first_not_of('\0', end), std::string::npos);

    // A batch larger than the zeros left gets zeros of its own size.
    Batch big;
    big.put("c", "big", std::string(3u << 19, 'b'));
    ASSERT_TRUE(store->commit(std::move(big)).ok());
    EXPECT_EQ(counting.count(Operation::reserve), 2u);
  }
  std::string closed;
  ASSERT_TRUE(memory.read_file(journal, &closed).ok());
  const auto [records, end] = journal_records(closed);
  EXPECT_EQ(records, 21);
  EXPECT_EQ(end, closed.size()) << "a clean close leaves no zeros";
  memory.power_cut();
  auto store = open_store({.dir = "/data", .file_system = &memory});
  EXPECT_EQ(store->get("c", "big"), std::string(3u << 19, 'b'));
  EXPECT_EQ(keys_of(*store, "c", "0").size(), 20u);
}

TEST(Store, ZerosLeftByACrashAreReportedAsReservedAndCutAtTheNextOpen) {
  MemoryFileSystem memory;
  FaultFileSystem faults(&memory);
  {
    auto store = open_store({.dir = "/data", .file_system = &faults});
    Batch batch;
    batch.put("c", "k", "v");
    ASSERT_TRUE(store->commit(std::move(batch)).ok());
    faults.cut_power_after(faults.operations());  // the close cannot cut the zeros
  }
  memory.power_cut();
  VerifyReport report;
  ASSERT_TRUE(Store::verify({.dir = "/data", .file_system = &memory}, &report).ok());
  EXPECT_GT(report.torn_tail_bytes, 1000000u);
  EXPECT_EQ(report.documents, 1u);
  EXPECT_TRUE(std::any_of(report.messages.begin(), report.messages.end(), [](const auto& line) {
    return line.find("zeros reserved for appends") != std::string::npos;
  }));
  {
    auto store = open_store({.dir = "/data", .file_system = &memory});
    EXPECT_EQ(store->get("c", "k"), "v");
  }
  ASSERT_TRUE(Store::verify({.dir = "/data", .file_system = &memory}, &report).ok());
  EXPECT_EQ(report.torn_tail_bytes, 0u);
}

TEST(Store, OnDiskTheJournalRunsAMegabyteAheadWhileOpenAndEndsAtItsRecordsOnceClosed) {
  TempDir dir;
  const auto journal = dir.path() / "journal-000001.log";
  for (const char* key : {"first", "second"}) {
    auto store = open_store({.dir = dir.path()});
    Batch batch;
    batch.put("c", key, "v");
    ASSERT_TRUE(store->commit(std::move(batch)).ok());
    EXPECT_GE(std::filesystem::file_size(journal), 1u << 20);
    store.reset();
    EXPECT_LT(std::filesystem::file_size(journal), 200u);
  }
  auto store = open_store({.dir = dir.path()});
  EXPECT_EQ(keys_of(*store, "c", ""), (std::vector<std::string>{"first", "second"}));
}

TEST(Store, SecondProcessIsToldWhichPidHoldsTheDataDir) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  // Closing some other descriptor of the lock file must not drop the lock (the fcntl trap).
  ::close(::open((dir.path() / "LOCK").c_str(), O_RDONLY));
  testing::Helper second({"open", dir.path().string()});
  const std::string output = second.read_all();
  const int status = second.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << output;
  EXPECT_NE(output.find("busy: data dir " + dir.path().string() + " is in use by pid " +
                        std::to_string(::getpid())),
            std::string::npos)
      << output;
}

TEST(Store, DataDirIsFreeAgainOnceTheStoreIsClosed) {
  TempDir dir;
  open_store({.dir = dir.path()}).reset();
  testing::Helper second({"open", dir.path().string()});
  EXPECT_EQ(second.read_all(), "ok\n");
  EXPECT_EQ(second.wait(), 0);
}

TEST(Store, SecondOpenInTheSameProcessIsBusy) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  std::unique_ptr<Store> second;
  EXPECT_EQ(Store::open({.dir = dir.path()}, &second).kind(), Status::Kind::busy);
}

TEST(Store, ErasedDocumentsLeaveNoBytesInAnyFileAfterCompaction) {
  TempDir dir;
  const std::string secret = "cpr-0101701234-never-keep-me";
  auto store = open_store({.dir = dir.path()});
  Batch put;
  put.put("volunteers", "anna", R"({"note":")" + secret + R"("})");
  put.put("volunteers", "bo", R"({"note":"keep"})");
  ASSERT_TRUE(store->commit(std::move(put)).ok());
  ASSERT_TRUE(store->compact().ok());  // the secret is now in the snapshot too
  Batch erase;
  erase.erase("volunteers", "anna");
  ASSERT_TRUE(store->commit(std::move(erase)).ok());
  ASSERT_TRUE(store->compact().ok());
  for (const auto& [name, bytes] : testing::read_all_files(posix_file_system(), dir.path())) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << name << " still holds the erased bytes";
  }
  store.reset();
  store = open_store({.dir = dir.path()});
  EXPECT_EQ(store->get("volunteers", "anna"), std::nullopt);
  EXPECT_EQ(store->get("volunteers", "bo"), R"({"note":"keep"})");
}

TEST(Store, CompactsAutomaticallyOnceTheJournalPassesTheLimit) {
  TempDir dir;
  {
    auto store = open_store({.dir = dir.path(), .compact_journal_bytes = 4096});
    for (int i = 0; i < 200; ++i) {
      Batch batch;
      batch.put("c", std::to_string(i % 20), std::string(100, 'a' + i % 26));
      ASSERT_TRUE(store->commit(std::move(batch)).ok());
    }
    // Each compaction that starts waits for the one before it, so by now one has finished.
    EXPECT_GT(store->stats().compactions, 0u);
  }  // closing waits for a compaction still running
  auto store = open_store({.dir = dir.path()});
  EXPECT_LT(store->stats().journal_bytes, 4096u);
  EXPECT_EQ(store->stats().documents, 20u);
  EXPECT_EQ(store->get("c", "19"), std::string(100, 'a' + 199 % 26));
  std::vector<std::string> names;
  ASSERT_TRUE(posix_file_system()->list_dir(dir.path(), &names).ok());
  std::sort(names.begin(), names.end());
  ASSERT_EQ(names.size(), 3u) << "old journal segments are removed";
  EXPECT_EQ(names[0], "LOCK");
  EXPECT_TRUE(names[1].starts_with("journal-"));
  EXPECT_EQ(names[2], "snapshot");
}

TEST(Store, CommitsAreAcknowledgedWhileACompactionWritesItsSnapshot) {
  MemoryFileSystem memory;
  FaultFileSystem gated(&memory);
  std::promise<void> snapshot_reached;
  std::promise<void> release_snapshot;
  std::shared_future<void> released = release_snapshot.get_future().share();
  gated.set_before_open([&](const std::filesystem::path& path) {
    if (path.filename() != "snapshot.tmp") return;
    snapshot_reached.set_value();
    released.wait();
  });
  std::atomic<int> compactors_started = 0;
  std::atomic<bool> started_elsewhere = false;
  const auto test_thread = std::this_thread::get_id();
  auto store = open_store(
      {.dir = "/data", .file_system = &gated, .compact_journal_bytes = 0, .compactor_started = [&] {
         ++compactors_started;
         started_elsewhere = std::this_thread::get_id() != test_thread;
       }});
  Batch first;
  first.put("c", "before", "1");
  first.put("c", "erased", "secret");
  ASSERT_TRUE(store->commit(std::move(first)).ok());
  Batch erase;
  erase.erase("c", "erased");
  ASSERT_TRUE(store->commit(std::move(erase)).ok());

  auto compacted = std::async(std::launch::async, [&] { return store->compact(); });
  ASSERT_EQ(snapshot_reached.get_future().wait_for(10s), std::future_status::ready);
  // The snapshot is held: commits still go through, to the next segment.
  for (int i = 0; i < 5; ++i) {
    Batch batch;
    batch.put("c", "during/" + std::to_string(i), "2");
    ASSERT_TRUE(store->commit(std::move(batch)).ok());
  }
  EXPECT_EQ(store->stats().compactions, 0u);
  EXPECT_EQ(compacted.wait_for(50ms), std::future_status::timeout);
  release_snapshot.set_value();
  ASSERT_TRUE(compacted.get().ok());
  EXPECT_EQ(store->stats().compactions, 1u);
  EXPECT_EQ(compactors_started, 1);
  EXPECT_TRUE(started_elsewhere);
  gated.set_before_open({});
  store.reset();

  std::vector<std::string> names;
  ASSERT_TRUE(memory.list_dir("/data", &names).ok());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"journal-000002.log", "snapshot"}));
  for (const auto& [name, bytes] : testing::read_all_files(&memory, "/data")) {
    EXPECT_EQ(bytes.find("secret"), std::string::npos) << name << " holds erased bytes";
  }
  store = open_store({.dir = "/data", .file_system = &memory});
  EXPECT_EQ(store->get("c", "before"), "1");
  EXPECT_EQ(store->get("c", "erased"), std::nullopt);
  EXPECT_EQ(keys_of(*store, "c", "during/").size(), 5u);
}

TEST(Store, SnapshotOfManyDocumentsAcrossCollectionsReopensIntact) {
  MemoryFileSystem memory;
  const std::string large(200 << 10, 'L');  // larger than one snapshot record on its own
  {
    auto store = open_store({.dir = "/data", .file_system = &memory});
    for (const char* collection : {"applications", "conversations", "outbox"}) {
      Batch batch;
      for (int i = 0; i < 2000; ++i) {
        batch.put(collection, std::to_string(i), std::string(100, static_cast<char>('a' + i % 26)));
      }
      batch.put(collection, "large", large);
      ASSERT_TRUE(store->commit(std::move(batch)).ok());
    }
    ASSERT_TRUE(store->compact().ok());
  }
  auto store = open_store({.dir = "/data", .file_system = &memory});
  EXPECT_EQ(store->stats().documents, 3u * 2001u);
  EXPECT_EQ(store->get("outbox", "large"), large);
  EXPECT_EQ(store->get("applications", "1999"),
            std::string(100, static_cast<char>('a' + 1999 % 26)));
  VerifyReport report;
  ASSERT_TRUE(Store::verify({.dir = "/data", .file_system = &memory}, &report).ok());
  EXPECT_EQ(report.snapshot_documents, 3u * 2001u);
  EXPECT_EQ(report.journal_records, 0u);
}

TEST(Store, VerifyReportsAHealthyDataDirWithoutChangingIt) {
  TempDir dir;
  {
    auto store = open_store({.dir = dir.path()});
    Batch batch;
    batch.put("c", "a", "1");
    batch.put("c", "b", "2");
    ASSERT_TRUE(store->commit(std::move(batch)).ok());
    ASSERT_TRUE(store->compact().ok());
    Batch more;
    more.put("c", "c", "3");
    ASSERT_TRUE(store->commit(std::move(more)).ok());
  }
  const auto before = testing::read_all_files(posix_file_system(), dir.path());
  VerifyReport report;
  ASSERT_TRUE(Store::verify({.dir = dir.path()}, &report).ok());
  EXPECT_EQ(report.snapshot_documents, 2u);
  EXPECT_EQ(report.journal_records, 1u);
  EXPECT_EQ(report.documents, 3u);
  EXPECT_EQ(report.torn_tail_bytes, 0u);
  EXPECT_FALSE(report.messages.empty());
  EXPECT_EQ(testing::read_all_files(posix_file_system(), dir.path()), before);
}

TEST(Store, ReadOnlyOpenReadsADataDirInUseAndChangesNothing) {
  TempDir dir;
  auto writer = open_store({.dir = dir.path()});
  Batch batch;
  batch.put("volunteers", "slack:T1:U1", R"({"name":"Anna"})");
  batch.put("volunteers", "console:bo", R"({"name":"Bo"})");
  ASSERT_TRUE(writer->commit(std::move(batch)).ok());
  const auto before = testing::read_all_files(posix_file_system(), dir.path());

  std::unique_ptr<Store> reader;
  const Status opened = Store::open_read_only({.dir = dir.path()}, &reader);
  ASSERT_TRUE(opened.ok()) << opened.to_string();
  EXPECT_EQ(reader->get("volunteers", "console:bo"), R"({"name":"Bo"})");
  EXPECT_EQ(keys_of(*reader, "volunteers", ""),
            (std::vector<std::string>{"console:bo", "slack:T1:U1"}));
  EXPECT_EQ(reader->stats().documents, 2u);
  Batch refused;
  refused.put("volunteers", "console:cy", "{}");
  EXPECT_EQ(reader->commit(std::move(refused)).kind(), Status::Kind::read_only);
  EXPECT_EQ(reader->compact().kind(), Status::Kind::read_only);
  EXPECT_EQ(reader->health().kind(), Status::Kind::read_only);
  reader.reset();
  EXPECT_EQ(testing::read_all_files(posix_file_system(), dir.path()), before);

  // The writer still holds the data dir and goes on committing.
  Batch later;
  later.put("volunteers", "console:cy", "{}");
  EXPECT_TRUE(writer->commit(std::move(later)).ok());
}

TEST(Store, ReadOnlyOpenOfAMissingDataDirIsEmptyAndCreatesNothing) {
  TempDir dir;
  std::unique_ptr<Store> reader;
  ASSERT_TRUE(Store::open_read_only({.dir = dir.path() / "none"}, &reader).ok());
  EXPECT_EQ(reader->stats().documents, 0u);
  EXPECT_EQ(reader->get("c", "k"), std::nullopt);
  reader.reset();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none"));
}

TEST(Store, ReadOnlyOpenLeavesATornTailOutWithoutCuttingIt) {
  TempDir dir;
  {
    auto store = open_store({.dir = dir.path()});
    Batch batch;
    batch.put("c", "k", "1");
    ASSERT_TRUE(store->commit(std::move(batch)).ok());
  }
  {
    std::unique_ptr<WritableFile> file;
    ASSERT_TRUE(posix_file_system()
                    ->open_writable(dir.path() / "journal-000001.log", OpenMode::append, &file)
                    .ok());
    ASSERT_TRUE(file->append(std::string("\x30\x00\x00\x00half a record", 17)).ok());
  }
  const auto before = testing::read_all_files(posix_file_system(), dir.path());
  std::unique_ptr<Store> reader;
  ASSERT_TRUE(Store::open_read_only({.dir = dir.path()}, &reader).ok());
  EXPECT_EQ(reader->get("c", "k"), "1");
  reader.reset();
  EXPECT_EQ(testing::read_all_files(posix_file_system(), dir.path()), before);
}

TEST(Store, ReadOnlyOpensDuringCommitsAndCompactionsSeeWholeBatches) {
  TempDir dir;
  auto writer = open_store({.dir = dir.path(), .compact_journal_bytes = 0});
  std::atomic<bool> done{false};
  std::thread commits([&] {
    // Batch i puts items/i and sets meta/count to i: a reader sees both or neither.
    for (int i = 1; i <= 300; ++i) {
      Batch batch;
      batch.put("items", padded_key(i), std::string(200, 'x'));
      batch.put("meta", "count", std::to_string(i));
      const Status committed = writer->commit(std::move(batch));
      const Status compacted = i % 25 == 0 ? writer->compact() : Status::ok_status();
      EXPECT_TRUE(committed.ok() && compacted.ok())
          << committed.to_string() << compacted.to_string();
      if (!committed.ok() || !compacted.ok()) break;
    }
    done = true;
  });
  int opens = 0;
  while (!done || opens < 5) {
    std::unique_ptr<Store> reader;
    const Status status = Store::open_read_only({.dir = dir.path()}, &reader);
    if (!status.ok()) {
      ADD_FAILURE() << status.to_string();
      break;
    }
    const auto count = reader->get("meta", "count");
    const auto items = keys_of(*reader, "items", "").size();
    EXPECT_EQ(count ? std::stoul(*count) : 0u, items);
    ++opens;
  }
  commits.join();
}

}  // namespace
}  // namespace prik::storage
