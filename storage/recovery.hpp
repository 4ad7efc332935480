// Recovery: reads a data dir (snapshot plus journal segments) into memory and says what an open
// has to repair, without changing anything. Store::open and Store::verify both build on it.
// Internal to prik::storage; a plain function, safe to call from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/file_system.hpp"
#include "storage/format.hpp"

namespace prik::storage {

struct RecoveredSegment {
  std::uint64_t number = 0;
  std::uint64_t size = 0;        // bytes in the file
  std::uint64_t valid_size = 0;  // bytes up to the end of its last good record
  std::uint64_t records = 0;
  bool header_torn = false;  // the last segment, shorter than its header
};

struct Recovered {
  format::Collections collections;
  std::uint64_t documents = 0;
  std::uint64_t sequence = 0;  // of the last batch recovered
  bool has_snapshot = false;
  format::SnapshotHeader snapshot;
  std::vector<RecoveredSegment> segments;  // live segments, in order
  // Files an open removes: an interrupted compaction's temp file, segments a snapshot replaced.
  std::vector<std::string> leftovers;
  std::uint64_t journal_records = 0;
  std::uint64_t journal_bytes = 0;  // bytes of the live segments, torn tails excluded
  std::uint64_t torn_bytes = 0;     // bytes after the last good record of the last segment
  // They are all zeros: space the writer reserved ahead (WritableFile::reserve), or a crash before
  // any byte of the next record reached the disk.
  bool torn_tail_zeros = false;
};

// Reads the data dir. Status::corruption names the file and offset of damage before the tail.
Status recover(FileSystem* file_system, const std::filesystem::path& dir, Recovered* recovered);

// Reads the snapshot and the live segments up to `last_segment`, which are sealed: no torn tail is
// allowed in any of them. Later segments are left alone (a compaction reads this way while
// commits go on to the next segment).
Status recover_sealed(FileSystem* file_system, const std::filesystem::path& dir,
                      std::uint64_t last_segment, Recovered* recovered);

}  // namespace prik::storage
