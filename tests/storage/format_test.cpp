// The byte-level rules of storage/FORMAT.md: checksums, headers, record framing.
#include "storage/format.hpp"

#include <gtest/gtest.h>

#include <random>

#include "storage/crc32c.hpp"

namespace prik::storage {
namespace {

TEST(Crc32c, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32c::value("123456789"), 0xe3069283u);
  EXPECT_EQ(crc32c::value(""), 0u);
  EXPECT_EQ(crc32c::value(std::string(32, '\0')), 0x8a9136aau);
}

TEST(Crc32c, HardwareAndTableImplementationsAgreeOnEveryLengthAndAlignment) {
  std::mt19937 random(7);
  std::string data(300, '\0');
  for (auto& c : data) c = static_cast<char>(random());
  for (std::size_t start = 0; start < 9; ++start) {
    for (std::size_t length = 0; start + length <= data.size(); length += 7) {
      const std::string_view part(data.data() + start, length);
      ASSERT_EQ(crc32c::extend(0, part), crc32c::extend_portable(0, part));
    }
  }
}

TEST(Crc32c, ExtendingInPiecesEqualsOneGo) {
  const std::string text = "a journal record payload";
  EXPECT_EQ(crc32c::extend(crc32c::value(text.substr(0, 5)), text.substr(5)), crc32c::value(text));
}

TEST(Format, SegmentFileNamesRoundTrip) {
  EXPECT_EQ(format::segment_file(42), "journal-000042.log");
  EXPECT_EQ(format::parse_segment_file("journal-000042.log"), 42u);
  EXPECT_EQ(format::parse_segment_file("journal-1234567.log"), 1234567u);
  EXPECT_FALSE(format::parse_segment_file("journal-.log"));
  EXPECT_FALSE(format::parse_segment_file("journal-000000.log"));
  EXPECT_FALSE(format::parse_segment_file("journal-00x001.log"));
  EXPECT_FALSE(format::parse_segment_file("snapshot"));
}

TEST(Format, JournalHeaderIsMagicVersionAndChecksum) {
  const std::string header = format::journal_header();
  ASSERT_EQ(header.size(), format::journal_header_size);
  EXPECT_EQ(header.substr(0, 8), "PRIKJRNL");
  EXPECT_EQ(header[8], 1);
  EXPECT_TRUE(format::check_journal_header(header).ok());
}

TEST(Format, JournalHeaderWithAnotherVersionIsRefused) {
  std::string header = format::journal_header();
  header[8] = 2;
  EXPECT_EQ(format::check_journal_header(header).kind(), Status::Kind::corruption);
}

TEST(Format, SnapshotHeaderRoundTrips) {
  const std::string header = format::snapshot_header({7, 99, 1234});
  ASSERT_EQ(header.size(), format::snapshot_header_size);
  format::SnapshotHeader parsed;
  ASSERT_TRUE(format::parse_snapshot_header(header, &parsed).ok());
  EXPECT_EQ(parsed.next_segment, 7u);
  EXPECT_EQ(parsed.sequence, 99u);
  EXPECT_EQ(parsed.documents, 1234u);
}

TEST(Format, BatchRecordRoundTripsThroughApply) {
  Batch batch;
  batch.put("people", "anna", R"({"name":"Anna"})");
  batch.put("people", "bo", R"({"name":"Bo"})");
  batch.erase("people", "anna");
  std::string record;
  format::append_batch_record(&record, 5, batch.ops());
  EXPECT_EQ(record.size(), format::record_header_size + format::batch_payload_size(batch.ops()));

  std::string_view payload;
  std::size_t next = 0;
  ASSERT_TRUE(format::read_record(record, 0, &payload, &next).ok());
  EXPECT_EQ(next, record.size());
  format::Collections collections;
  std::uint64_t sequence = 0;
  ASSERT_TRUE(format::apply_payload(payload, &collections, &sequence).ok());
  EXPECT_EQ(sequence, 5u);
  EXPECT_EQ(collections["people"].size(), 1u);
  EXPECT_EQ(collections["people"]["bo"], R"({"name":"Bo"})");
}

TEST(Format, RecordWithAnyFlippedBitFailsItsChecksum) {
  Batch batch;
  batch.put("c", "k", "{}");
  std::string record;
  format::append_batch_record(&record, 1, batch.ops());
  for (std::size_t bit = 0; bit < record.size() * 8; ++bit) {
    std::string damaged = record;
    damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (1 << (bit % 8)));
    std::string_view payload;
    std::size_t next = 0;
    ASSERT_FALSE(format::read_record(damaged, 0, &payload, &next).ok()) << "bit " << bit;
  }
}

TEST(Format, ZeroFilledRecordIsRefused) {
  const std::string zeros(64, '\0');
  std::string_view payload;
  std::size_t next = 0;
  EXPECT_FALSE(format::read_record(zeros, 0, &payload, &next).ok());
}

}  // namespace
}  // namespace prik::storage
