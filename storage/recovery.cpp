#include "storage/recovery.hpp"

#include <algorithm>
#include <limits>
#include <optional>

namespace prik::storage {
namespace {

Status damaged(const std::filesystem::path& file, std::uint64_t offset, const Status& why) {
  return Status::corruption(file.string() + " at offset " + std::to_string(offset) + ": " +
                            why.message());
}

// Reads a file's records in chunks, so that recovery never holds a whole file in memory.
class RecordStream {
 public:
  explicit RecordStream(std::unique_ptr<SequentialFile> file) : file_(std::move(file)) {}

  // The file offset of the next record.
  std::uint64_t offset() const { return offset_; }

  // Reads the next record. *end is set when the file has no bytes left; otherwise *payload is
  // valid until the next call, or the status says why the bytes there are no good record.
  Status next(std::string_view* payload, bool* end) {
    if (Status status = want(format::record_header_size); !status.ok()) return status;
    *end = available().empty();
    if (*end) return {};
    if (Status status = want(format::record_span(available())); !status.ok()) return status;
    std::size_t size = 0;
    if (Status status = format::read_record(available(), 0, payload, &size); !status.ok()) {
      return status;
    }
    start_ += size;
    offset_ += size;
    return {};
  }

  // Everything from the current offset to the end of the file.
  Status rest(std::string* bytes) {
    if (Status status = want(everything); !status.ok()) return status;
    *bytes = available();
    return {};
  }

 private:
  static constexpr std::size_t chunk_bytes = 4u << 20;
  static constexpr std::size_t everything = std::numeric_limits<std::size_t>::max();

  std::string_view available() const {
    return std::string_view(buffer_).substr(start_, filled_ - start_);
  }

  // Makes size bytes past the current offset available (at most a record's span, or everything),
  // or all there are.
  Status want(std::size_t size) {
    if (filled_ - start_ >= size || at_end_) return {};
    std::copy(buffer_.begin() + static_cast<std::ptrdiff_t>(start_),
              buffer_.begin() + static_cast<std::ptrdiff_t>(filled_), buffer_.begin());
    filled_ -= start_;
    start_ = 0;
    while (filled_ < size && !at_end_) {
      // The buffer grows only as bytes arrive: a garbage length in a torn tail costs nothing.
      // Small files cost a small buffer; large ones are read in chunks of up to chunk_bytes.
      if (buffer_.size() < filled_ + read_bytes_) buffer_.resize(filled_ + read_bytes_);
      read_bytes_ = std::min(read_bytes_ * 2, chunk_bytes);
      std::size_t got = 0;
      if (Status status = file_->read(buffer_.data() + filled_, buffer_.size() - filled_, &got);
          !status.ok()) {
        return status;
      }
      filled_ += got;
      at_end_ = got == 0;
    }
    return {};
  }

  std::unique_ptr<SequentialFile> file_;
  std::string buffer_;
  std::size_t start_ = 0;   // where the unread bytes begin in buffer_
  std::size_t filled_ = 0;  // how much of buffer_ holds file bytes
  std::uint64_t offset_ = 0;
  std::size_t read_bytes_ = 16u << 10;
  bool at_end_ = false;
};

// Reads a file header of size bytes, or as much as the file has.
Status read_header(FileSystem* file_system, const std::filesystem::path& path, std::size_t size,
                   std::string* header, std::unique_ptr<RecordStream>* stream) {
  std::unique_ptr<SequentialFile> file;
  if (Status status = file_system->open_sequential(path, &file); !status.ok()) return status;
  header->resize(size);
  std::size_t filled = 0;
  for (std::size_t got = 1; filled < size && got > 0; filled += got) {
    if (Status status = file->read(header->data() + filled, size - filled, &got); !status.ok()) {
      return status;
    }
  }
  header->resize(filled);
  *stream = std::make_unique<RecordStream>(std::move(file));
  return {};
}

Status load_snapshot(FileSystem* file_system, const std::filesystem::path& path,
                     Recovered* recovered) {
  std::string header;
  std::unique_ptr<RecordStream> stream;
  if (Status status =
          read_header(file_system, path, format::snapshot_header_size, &header, &stream);
      !status.ok()) {
    return status;
  }
  if (Status status = format::parse_snapshot_header(header, &recovered->snapshot); !status.ok()) {
    return damaged(path, 0, status);
  }
  recovered->has_snapshot = true;
  for (;;) {
    const std::uint64_t offset = format::snapshot_header_size + stream->offset();
    std::string_view payload;
    bool end = false;
    if (Status status = stream->next(&payload, &end); !status.ok()) {
      return status.kind() == Status::Kind::corruption ? damaged(path, offset, status) : status;
    }
    if (end) break;
    std::uint64_t sequence = 0;
    if (Status status = format::apply_payload(payload, &recovered->collections, &sequence);
        !status.ok()) {
      return damaged(path, offset, status);
    }
  }
  std::uint64_t documents = 0;
  for (const auto& [name, collection] : recovered->collections) documents += collection.size();
  if (documents != recovered->snapshot.documents) {
    return damaged(
        path, format::snapshot_header_size + stream->offset(),
        Status::corruption("holds " + std::to_string(documents) + " documents, its header says " +
                           std::to_string(recovered->snapshot.documents)));
  }
  recovered->sequence = recovered->snapshot.sequence;
  return {};
}

// True when a checksummed record of a later batch starts somewhere in data[from, end): then the
// bad bytes before it are damage, not a torn tail.
bool later_record_exists(std::string_view data, std::size_t from, std::uint64_t sequence) {
  for (std::size_t offset = from; offset + format::record_header_size < data.size(); ++offset) {
    // A record's length is never 0, so none starts where four zero bytes do: runs of zeros (the
    // space a journal reserves ahead) are skipped whole.
    const std::size_t nonzero = data.find_first_not_of('\0', offset);
    if (nonzero == std::string_view::npos) return false;
    if (nonzero > offset + 3) offset = nonzero - 3;
    std::string_view payload;
    std::size_t next = 0;
    if (format::read_record(data, offset, &payload, &next).ok() &&
        format::payload_sequence(payload) > sequence) {
      return true;
    }
  }
  return false;
}

Status replay_segment(FileSystem* file_system, const std::filesystem::path& path, bool last,
                      Recovered* recovered, RecoveredSegment* segment) {
  std::string header;
  std::unique_ptr<RecordStream> stream;
  if (Status status = read_header(file_system, path, format::journal_header_size, &header, &stream);
      !status.ok()) {
    return status;
  }
  if (last && header.size() < format::journal_header_size) {
    // Created, but its header never reached the disk whole.
    segment->header_torn = true;
    segment->size = header.size();
    recovered->torn_bytes = header.size();
    return {};
  }
  if (Status status = format::check_journal_header(header); !status.ok()) {
    return damaged(path, 0, status);
  }
  for (;;) {
    const std::uint64_t offset = format::journal_header_size + stream->offset();
    segment->valid_size = offset;
    segment->size = offset;
    std::string_view payload;
    bool end = false;
    Status status = stream->next(&payload, &end);
    if (end) return {};
    if (status.kind() != Status::Kind::ok && status.kind() != Status::Kind::corruption) {
      return status;
    }
    if (!status.ok()) {
      std::string rest;
      if (Status read = stream->rest(&rest); !read.ok()) return read;
      if (!last || later_record_exists(rest, 1, recovered->sequence)) {
        return damaged(path, offset, status);
      }
      segment->size = offset + rest.size();
      recovered->torn_bytes = rest.size();
      recovered->torn_tail_zeros =
          std::all_of(rest.begin(), rest.end(), [](char byte) { return byte == '\0'; });
      return {};
    }
    const std::uint64_t expected = recovered->sequence + 1;
    if (format::payload_sequence(payload) != expected) {
      return damaged(
          path, offset,
          Status::corruption("batch sequence " + std::to_string(format::payload_sequence(payload)) +
                             " where " + std::to_string(expected) + " was expected"));
    }
    std::uint64_t sequence = 0;
    if (status = format::apply_payload(payload, &recovered->collections, &sequence); !status.ok()) {
      return damaged(path, offset, status);
    }
    recovered->sequence = sequence;
    ++segment->records;
  }
}

// Reads the data dir; with `last_segment` set, only the segments up to it, all of them sealed.
Status read_data_dir(FileSystem* file_system, const std::filesystem::path& dir,
                     std::optional<std::uint64_t> last_segment, Recovered* recovered) {
  std::vector<std::string> names;
  if (Status status = file_system->list_dir(dir, &names); !status.ok()) return status;
  std::vector<std::uint64_t> numbers;
  bool has_snapshot = false;
  for (const auto& name : names) {
    if (name == format::snapshot_file) {
      has_snapshot = true;
    } else if (name == format::snapshot_temp_file) {
      recovered->leftovers.push_back(name);
    } else if (const auto number = format::parse_segment_file(name);
               number && (!last_segment || *number <= *last_segment)) {
      numbers.push_back(*number);
    }
  }
  std::sort(numbers.begin(), numbers.end());

  if (has_snapshot) {
    if (Status status = load_snapshot(file_system, dir / format::snapshot_file, recovered);
        !status.ok()) {
      return status;
    }
  }
  const std::uint64_t first = recovered->snapshot.next_segment;
  std::vector<std::uint64_t> live;
  for (const std::uint64_t number : numbers) {
    if (number < first) {
      recovered->leftovers.push_back(format::segment_file(number));
    } else {
      live.push_back(number);
    }
  }
  for (std::size_t i = 0; i < live.size(); ++i) {
    const std::uint64_t expected = i == 0 ? first : live[i - 1] + 1;
    if (live[i] != expected) {
      return Status::corruption((dir / format::segment_file(expected)).string() +
                                " is missing (found " + format::segment_file(live[i]) + ")");
    }
    RecoveredSegment segment;
    segment.number = live[i];
    const bool may_be_torn = !last_segment && i + 1 == live.size();
    if (Status status = replay_segment(file_system, dir / format::segment_file(live[i]),
                                       may_be_torn, recovered, &segment);
        !status.ok()) {
      return status;
    }
    recovered->journal_records += segment.records;
    recovered->journal_bytes += segment.valid_size;
    recovered->segments.push_back(segment);
  }
  if (last_segment && (live.empty() || live.back() != *last_segment)) {
    return Status::corruption((dir / format::segment_file(*last_segment)).string() + " is missing");
  }
  for (const auto& [name, collection] : recovered->collections) {
    recovered->documents += collection.size();
  }
  return {};
}

}  // namespace

Status recover(FileSystem* file_system, const std::filesystem::path& dir, Recovered* recovered) {
  return read_data_dir(file_system, dir, std::nullopt, recovered);
}

Status recover_sealed(FileSystem* file_system, const std::filesystem::path& dir,
                      std::uint64_t last_segment, Recovered* recovered) {
  return read_data_dir(file_system, dir, last_segment, recovered);
}

}  // namespace prik::storage
