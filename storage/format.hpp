// The bytes of the store's files (specified in storage/FORMAT.md): file headers, CRC32C-framed
// records, and the batch payload that journal and snapshot records share. Internal to
// prik::storage; pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.hpp"
#include "storage/store.hpp"

namespace prik::storage::format {

inline constexpr std::uint32_t version = 1;
inline constexpr std::string_view journal_magic = "PRIKJRNL";
inline constexpr std::string_view snapshot_magic = "PRIKSNAP";
// magic, version, CRC32C of the 12 bytes before it.
inline constexpr std::size_t journal_header_size = 16;
// magic, version, flags, next segment, last sequence, document count, CRC32C of the 40 bytes
// before it.
inline constexpr std::size_t snapshot_header_size = 44;
// payload length, CRC32C of the length's 4 bytes and the payload.
inline constexpr std::size_t record_header_size = 8;
inline constexpr std::uint32_t max_payload_bytes = 64u << 20;

inline constexpr std::string_view snapshot_file = "snapshot";
inline constexpr std::string_view snapshot_temp_file = "snapshot.tmp";
inline constexpr std::string_view lock_file = "LOCK";

// "journal-000042.log"
std::string segment_file(std::uint64_t number);
// The segment number of a journal file name, or nullopt for other names.
std::optional<std::uint64_t> parse_segment_file(std::string_view name);

struct SnapshotHeader {
  std::uint64_t next_segment = 1;  // the first journal segment not contained in the snapshot
  std::uint64_t sequence = 0;      // the sequence number of the last batch it contains
  std::uint64_t documents = 0;
};

std::string journal_header();
std::string snapshot_header(const SnapshotHeader& header);
// Checks a journal header; the message says what is wrong.
Status check_journal_header(std::string_view bytes);
Status parse_snapshot_header(std::string_view bytes, SnapshotHeader* header);

// Appends one framed record holding a batch payload: sequence number, then the ops.
void append_batch_record(std::string* out, std::uint64_t sequence,
                         const std::vector<Batch::Op>& ops);
// Encoded size of a batch's payload, to refuse batches over max_payload_bytes.
std::uint64_t batch_payload_size(const std::vector<Batch::Op>& ops);

// Appends a snapshot record of put ops, one for each (key, document) in [first, last).
using Collection = std::map<std::string, std::string, std::less<>>;
using Collections = std::map<std::string, Collection, std::less<>>;
void append_snapshot_record(std::string* out, std::string_view collection,
                            Collection::const_iterator first, Collection::const_iterator last);

// The bytes the record at the start of data occupies by its header's length (capped at the
// largest possible record); record_header_size when data is shorter than a header.
std::size_t record_span(std::string_view data);

// Reads the record at offset of data. On success payload and next_offset are set; on failure the
// status says why (torn or corrupt is decided by the caller).
Status read_record(std::string_view data, std::size_t offset, std::string_view* payload,
                   std::size_t* next_offset);
// The sequence number of a batch payload (0 when it is too short to hold one).
std::uint64_t payload_sequence(std::string_view payload);

// Applies a batch payload to collections; the status names what is malformed.
Status apply_payload(std::string_view payload, Collections* collections, std::uint64_t* sequence);

}  // namespace prik::storage::format
