// Recovery from damaged files (storage/FORMAT.md, "Torn tails and corruption"): a torn tail is cut
// and logged; damage before the tail refuses the open, naming the file and offset.
#include "storage/recovery.hpp"

#include <gtest/gtest.h>

#include <random>

#include "storage/format.hpp"
#include "storage/memory_file_system.hpp"
#include "storage/store.hpp"
#include "tests/storage/test_support.hpp"

namespace prik::storage {
namespace {

constexpr int batches = 5;
const std::filesystem::path dir = "/data";
const std::filesystem::path journal = "/data/journal-000001.log";

std::string document(int batch, int part) {
  return R"({"batch":)" + std::to_string(batch) + R"(,"part":)" + std::to_string(part) + "}";
}

// Offsets where each record of a journal starts, plus the file size at the end.
std::vector<std::size_t> record_offsets(const std::string& bytes) {
  std::vector<std::size_t> offsets;
  std::size_t offset = format::journal_header_size;
  while (offset < bytes.size()) {
    offsets.push_back(offset);
    std::string_view payload;
    EXPECT_TRUE(format::read_record(bytes, offset, &payload, &offset).ok());
  }
  offsets.push_back(bytes.size());
  return offsets;
}

class Recovery : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    MemoryFileSystem memory;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::open({.dir = dir, .file_system = &memory}, &store).ok());
    for (int b = 1; b <= batches; ++b) {
      Batch batch;
      for (int part = 0; part < 3; ++part)
        batch.put("c", std::to_string(b) + "/" + std::to_string(part), document(b, part));
      ASSERT_TRUE(store->commit(std::move(batch)).ok());
    }
    store.reset();
    ASSERT_TRUE(memory.read_file(journal, &intact_).ok());
    offsets_ = record_offsets(intact_);
    ASSERT_EQ(offsets_.size(), batches + 1u);
  }

  // Opens a data dir whose journal holds bytes.
  Status open_with(const std::string& bytes) {
    memory_ = std::make_unique<MemoryFileSystem>();
    memory_->create_dir(dir);
    memory_->overwrite(journal, bytes);
    store_.reset();
    return Store::open({.dir = dir, .file_system = memory_.get()}, &store_);
  }

  // Whether batch b is there, failing the test if it is there only in part.
  bool has_batch(int b) {
    int parts = 0;
    for (int part = 0; part < 3; ++part) {
      const auto found = store_->get("c", std::to_string(b) + "/" + std::to_string(part));
      if (found) {
        EXPECT_EQ(*found, document(b, part));
        ++parts;
      }
    }
    EXPECT_TRUE(parts == 0 || parts == 3) << "batch " << b << " partly applied";
    return parts == 3;
  }

  static inline std::string intact_;
  static inline std::vector<std::size_t> offsets_;
  std::unique_ptr<MemoryFileSystem> memory_;
  std::unique_ptr<Store> store_;
};

TEST_F(Recovery, TruncationAtEveryOffsetOfTheLastTwoRecordsIsCutAsTornTail) {
  for (std::size_t cut = offsets_[batches - 2]; cut < intact_.size(); ++cut) {
    testing::LogCapture log;
    ASSERT_TRUE(open_with(intact_.substr(0, cut)).ok()) << "cut at " << cut;
    for (int b = 1; b <= batches - 2; ++b) EXPECT_TRUE(has_batch(b)) << "cut at " << cut;
    const bool fourth_whole = cut >= offsets_[batches - 1];
    EXPECT_EQ(has_batch(batches - 1), fourth_whole) << "cut at " << cut;
    EXPECT_FALSE(has_batch(batches));
    const std::size_t good = fourth_whole ? offsets_[batches - 1] : offsets_[batches - 2];
    if (cut > good) {
      EXPECT_NE(
          log.text().find("cut a torn tail of " + std::to_string(cut - good) + " bytes from " +
                          journal.string() + " at offset " + std::to_string(good)),
          std::string::npos)
          << log.text();
    }
    store_.reset();
    VerifyReport report;
    ASSERT_TRUE(Store::verify({.dir = dir, .file_system = memory_.get()}, &report).ok());
    EXPECT_EQ(report.torn_tail_bytes, 0u) << "the open cut the tail for good";
  }
}

TEST_F(Recovery, ZerosAppendedAfterTheLastRecordAreCut) {
  ASSERT_TRUE(open_with(intact_ + std::string(4096, '\0')).ok());
  for (int b = 1; b <= batches; ++b) EXPECT_TRUE(has_batch(b));
  store_.reset();
  std::string after;
  ASSERT_TRUE(memory_->read_file(journal, &after).ok());
  EXPECT_EQ(after, intact_);
}

TEST_F(Recovery, GarbageAppendedAfterTheLastRecordIsCut) {
  std::mt19937 random(11);
  std::string garbage(3000, '\0');
  for (auto& c : garbage) c = static_cast<char>(random());
  ASSERT_TRUE(open_with(intact_ + garbage).ok());
  for (int b = 1; b <= batches; ++b) EXPECT_TRUE(has_batch(b));
}

TEST_F(Recovery, SealedSegmentsAllowNoTornTailAndLaterSegmentsAreLeftAlone) {
  memory_ = std::make_unique<MemoryFileSystem>();
  memory_->create_dir(dir);
  memory_->overwrite(journal, intact_);
  memory_->overwrite("/data/journal-000002.log", "being written");
  Recovered sealed;
  ASSERT_TRUE(recover_sealed(memory_.get(), dir, 1, &sealed).ok());
  EXPECT_EQ(sealed.sequence, static_cast<std::uint64_t>(batches));
  EXPECT_EQ(sealed.segments.size(), 1u);

  memory_->overwrite(journal, intact_ + "torn");
  sealed = {};
  const Status torn = recover_sealed(memory_.get(), dir, 1, &sealed);
  EXPECT_EQ(torn.kind(), Status::Kind::corruption) << torn.to_string();
  EXPECT_NE(torn.message().find(journal.string() + " at offset " + std::to_string(intact_.size())),
            std::string::npos)
      << torn.to_string();

  sealed = {};
  const Status missing = recover_sealed(memory_.get(), dir, 3, &sealed);
  EXPECT_EQ(missing.kind(), Status::Kind::corruption) << missing.to_string();
}

TEST_F(Recovery, VerifyReportsATornTailWithoutCuttingIt) {
  memory_ = std::make_unique<MemoryFileSystem>();
  memory_->create_dir(dir);
  memory_->overwrite(journal, intact_ + std::string(100, '\0'));
  VerifyReport report;
  ASSERT_TRUE(Store::verify({.dir = dir, .file_system = memory_.get()}, &report).ok());
  EXPECT_EQ(report.torn_tail_bytes, 100u);
  EXPECT_EQ(report.journal_records, std::uint64_t{batches});
  std::string after;
  ASSERT_TRUE(memory_->read_file(journal, &after).ok());
  EXPECT_EQ(after.size(), intact_.size() + 100);
}

TEST_F(Recovery, SegmentShorterThanItsHeaderIsATornCreation) {
  ASSERT_TRUE(open_with(intact_.substr(0, 7)).ok());
  EXPECT_EQ(store_->stats().documents, 0u);
  Batch batch;
  batch.put("c", "new", "{}");
  ASSERT_TRUE(store_->commit(std::move(batch)).ok());
  store_.reset();
  ASSERT_TRUE(Store::open({.dir = dir, .file_system = memory_.get()}, &store_).ok());
  EXPECT_EQ(store_->get("c", "new"), "{}");
}

TEST_F(Recovery, FlippedBitInAMiddleRecordRefusesTheOpenNamingFileAndOffset) {
  for (const std::size_t within : {std::size_t{0}, std::size_t{5}, std::size_t{20}}) {
    std::string damaged = intact_;
    damaged[offsets_[1] + within] ^= 0x10;
    const Status status = open_with(damaged);
    EXPECT_EQ(status.kind(), Status::Kind::corruption);
    EXPECT_NE(status.message().find(journal.string() + " at offset " + std::to_string(offsets_[1])),
              std::string::npos)
        << status.message();
    VerifyReport report;
    EXPECT_EQ(Store::verify({.dir = dir, .file_system = memory_.get()}, &report).message(),
              status.message());
  }
}

TEST_F(Recovery, FlippedBitInTheJournalHeaderRefusesTheOpen) {
  std::string damaged = intact_;
  damaged[3] ^= 0x01;
  const Status status = open_with(damaged);
  EXPECT_EQ(status.kind(), Status::Kind::corruption);
  EXPECT_NE(status.message().find(journal.string() + " at offset 0"), std::string::npos);
}

TEST_F(Recovery, DamagedLastRecordIsIndistinguishableFromATornTailAndIsCut) {
  std::string damaged = intact_;
  damaged[offsets_[batches - 1] + 12] ^= 0x01;
  ASSERT_TRUE(open_with(damaged).ok());
  EXPECT_TRUE(has_batch(batches - 1));
  EXPECT_FALSE(has_batch(batches));
}

TEST_F(Recovery, FlippedBitInTheSnapshotRefusesTheOpenNamingFileAndOffset) {
  MemoryFileSystem memory;
  memory.create_dir(dir);
  memory.overwrite(journal, intact_);
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::open({.dir = dir, .file_system = &memory}, &store).ok());
    ASSERT_TRUE(store->compact().ok());
  }
  std::string snapshot;
  ASSERT_TRUE(memory.read_file("/data/snapshot", &snapshot).ok());
  snapshot[format::snapshot_header_size + 30] ^= 0x04;
  memory.overwrite("/data/snapshot", snapshot);
  std::unique_ptr<Store> store;
  const Status status = Store::open({.dir = dir, .file_system = &memory}, &store);
  EXPECT_EQ(status.kind(), Status::Kind::corruption);
  EXPECT_NE(status.message().find("/data/snapshot at offset " +
                                  std::to_string(format::snapshot_header_size)),
            std::string::npos)
      << status.message();
}

TEST_F(Recovery, SegmentsTheSnapshotReplacedAreRemovedNotReplayed) {
  MemoryFileSystem memory;
  memory.create_dir(dir);
  memory.overwrite(journal, intact_);
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::open({.dir = dir, .file_system = &memory}, &store).ok());
    Batch erase;
    erase.erase("c", "1/0");
    ASSERT_TRUE(store->commit(std::move(erase)).ok());
    ASSERT_TRUE(store->compact().ok());
  }
  // As if the crash came before the old segment's removal reached the disk.
  memory.overwrite(journal, intact_);
  memory.overwrite("/data/snapshot.tmp", "half a snapshot");
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::open({.dir = dir, .file_system = &memory}, &store).ok());
  EXPECT_EQ(store->get("c", "1/0"), std::nullopt) << "the erase stays in force";
  EXPECT_EQ(store->get("c", "1/1"), document(1, 1));
  bool exists = true;
  ASSERT_TRUE(memory.file_exists(journal, &exists).ok());
  EXPECT_FALSE(exists);
  ASSERT_TRUE(memory.file_exists("/data/snapshot.tmp", &exists).ok());
  EXPECT_FALSE(exists);
}

TEST_F(Recovery, MissingSegmentBetweenSnapshotAndJournalRefusesTheOpen) {
  MemoryFileSystem memory;
  memory.create_dir(dir);
  memory.overwrite("/data/journal-000002.log", intact_);
  std::unique_ptr<Store> store;
  const Status status = Store::open({.dir = dir, .file_system = &memory}, &store);
  EXPECT_EQ(status.kind(), Status::Kind::corruption);
  EXPECT_NE(status.message().find("journal-000001.log is missing"), std::string::npos);
}

}  // namespace
}  // namespace prik::storage
