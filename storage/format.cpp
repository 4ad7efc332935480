#include "storage/format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "storage/crc32c.hpp"

namespace prik::storage::format {
namespace {

enum class OpKind : std::uint8_t { put = 1, erase = 2 };

void put_u32(std::string* out, std::uint32_t value) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  out->append(bytes, 4);
}

void put_u64(std::string* out, std::uint64_t value) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  out->append(bytes, 8);
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

std::uint64_t get_u64(const char* p) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

void write_u32_at(std::string* out, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) (*out)[at + i] = static_cast<char>(value >> (8 * i));
}

void put_string(std::string* out, std::string_view text) {
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out->append(text);
}

// Starts a record: reserves its header. Returns where the header is.
std::size_t begin_record(std::string* out) {
  const std::size_t at = out->size();
  out->append(record_header_size, '\0');
  return at;
}

void finish_record(std::string* out, std::size_t at) {
  const auto length = static_cast<std::uint32_t>(out->size() - at - record_header_size);
  write_u32_at(out, at, length);
  std::uint32_t crc = crc32c::value(std::string_view(out->data() + at, 4));
  crc = crc32c::extend(crc, std::string_view(out->data() + at + record_header_size, length));
  write_u32_at(out, at + 4, crc);
}

// Reads length-prefixed strings and integers from a payload, remembering the first problem.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool u8(std::uint8_t* value) {
    if (!need(1)) return false;
    *value = static_cast<std::uint8_t>(data_[position_]);
    position_ += 1;
    return true;
  }
  bool u32(std::uint32_t* value) {
    if (!need(4)) return false;
    *value = get_u32(data_.data() + position_);
    position_ += 4;
    return true;
  }
  bool u64(std::uint64_t* value) {
    if (!need(8)) return false;
    *value = get_u64(data_.data() + position_);
    position_ += 8;
    return true;
  }
  bool text(std::string_view* value) {
    std::uint32_t size = 0;
    if (!u32(&size) || !need(size)) return false;
    *value = data_.substr(position_, size);
    position_ += size;
    return true;
  }
  bool done() const { return position_ == data_.size(); }
  std::size_t position() const { return position_; }

 private:
  bool need(std::size_t bytes) const { return data_.size() - position_ >= bytes; }
  std::string_view data_;
  std::size_t position_ = 0;
};

}  // namespace

std::string segment_file(std::uint64_t number) {
  char name[40];
  std::snprintf(name, sizeof(name), "journal-%06llu.log", static_cast<unsigned long long>(number));
  return name;
}

std::optional<std::uint64_t> parse_segment_file(std::string_view name) {
  constexpr std::string_view prefix = "journal-";
  constexpr std::string_view suffix = ".log";
  if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) ||
      !name.ends_with(suffix)) {
    return std::nullopt;
  }
  const std::string_view digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc() || end != digits.data() + digits.size() || number == 0) {
    return std::nullopt;
  }
  return number;
}

std::string journal_header() {
  std::string header(journal_magic);
  put_u32(&header, version);
  put_u32(&header, crc32c::value(header));
  return header;
}

std::string snapshot_header(const SnapshotHeader& fields) {
  std::string header(snapshot_magic);
  put_u32(&header, version);
  put_u32(&header, 0);  // flags
  put_u64(&header, fields.next_segment);
  put_u64(&header, fields.sequence);
  put_u64(&header, fields.documents);
  put_u32(&header, crc32c::value(header));
  return header;
}

namespace {

// Both headers: magic, version, ..., and a CRC32C of everything before it in its last 4 bytes.
Status check_header(std::string_view bytes, std::string_view magic, std::size_t size,
                    const char* kind) {
  if (bytes.size() < size) return Status::corruption("truncated file header");
  if (bytes.substr(0, magic.size()) != magic)
    return Status::corruption(std::string("not a ") + kind);
  if (crc32c::value(bytes.substr(0, size - 4)) != get_u32(bytes.data() + size - 4)) {
    return Status::corruption("file header checksum mismatch");
  }
  if (const std::uint32_t found = get_u32(bytes.data() + magic.size()); found != version) {
    return Status::corruption("unsupported format version " + std::to_string(found));
  }
  return {};
}

}  // namespace

Status check_journal_header(std::string_view bytes) {
  return check_header(bytes, journal_magic, journal_header_size, "journal segment");
}

Status parse_snapshot_header(std::string_view bytes, SnapshotHeader* header) {
  if (Status status = check_header(bytes, snapshot_magic, snapshot_header_size, "snapshot");
      !status.ok()) {
    return status;
  }
  header->next_segment = get_u64(bytes.data() + 16);
  header->sequence = get_u64(bytes.data() + 24);
  header->documents = get_u64(bytes.data() + 32);
  if (header->next_segment == 0) return Status::corruption("next segment number is 0");
  return {};
}

std::uint64_t batch_payload_size(const std::vector<Batch::Op>& ops) {
  std::uint64_t size = 8 + 4;
  for (const auto& op : ops) {
    size += 1 + 4 + op.collection.size() + 4 + op.key.size();
    if (!op.erase) size += 4 + op.document.size();
  }
  return size;
}

void append_batch_record(std::string* out, std::uint64_t sequence,
                         const std::vector<Batch::Op>& ops) {
  const std::size_t at = begin_record(out);
  put_u64(out, sequence);
  put_u32(out, static_cast<std::uint32_t>(ops.size()));
  for (const auto& op : ops) {
    out->push_back(static_cast<char>(op.erase ? OpKind::erase : OpKind::put));
    put_string(out, op.collection);
    put_string(out, op.key);
    if (!op.erase) put_string(out, op.document);
  }
  finish_record(out, at);
}

void append_snapshot_record(std::string* out, std::string_view collection,
                            Collection::const_iterator first, Collection::const_iterator last) {
  const std::size_t at = begin_record(out);
  put_u64(out, 0);
  put_u32(out, static_cast<std::uint32_t>(std::distance(first, last)));
  for (auto it = first; it != last; ++it) {
    out->push_back(static_cast<char>(OpKind::put));
    put_string(out, collection);
    put_string(out, it->first);
    put_string(out, it->second);
  }
  finish_record(out, at);
}

std::size_t record_span(std::string_view data) {
  if (data.size() < record_header_size) return record_header_size;
  return record_header_size + std::min(get_u32(data.data()), max_payload_bytes);
}

Status read_record(std::string_view data, std::size_t offset, std::string_view* payload,
                   std::size_t* next_offset) {
  if (data.size() - offset < record_header_size) return Status::corruption("truncated record");
  const std::uint32_t length = get_u32(data.data() + offset);
  if (length == 0 || length > max_payload_bytes) {
    return Status::corruption("impossible record length " + std::to_string(length));
  }
  if (data.size() - offset - record_header_size < length) {
    return Status::corruption("record of " + std::to_string(length) + " bytes runs past the end");
  }
  const std::string_view body = data.substr(offset + record_header_size, length);
  std::uint32_t crc = crc32c::value(data.substr(offset, 4));
  crc = crc32c::extend(crc, body);
  if (crc != get_u32(data.data() + offset + 4)) {
    return Status::corruption("record checksum mismatch");
  }
  *payload = body;
  *next_offset = offset + record_header_size + length;
  return {};
}

std::uint64_t payload_sequence(std::string_view payload) {
  return payload.size() < 8 ? 0 : get_u64(payload.data());
}

Status apply_payload(std::string_view payload, Collections* collections, std::uint64_t* sequence) {
  Reader reader(payload);
  std::uint32_t count = 0;
  if (!reader.u64(sequence) || !reader.u32(&count)) {
    return Status::corruption("batch header truncated");
  }
  Collection* collection = nullptr;
  std::string_view collection_name;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint8_t kind = 0;
    std::string_view name;
    std::string_view key;
    if (!reader.u8(&kind) || !reader.text(&name) || !reader.text(&key)) {
      return Status::corruption("operation " + std::to_string(i) + " truncated");
    }
    if (collection == nullptr || name != collection_name) {
      auto found = collections->find(name);
      if (found == collections->end())
        found = collections->emplace(std::string(name), Collection{}).first;
      collection = &found->second;
      collection_name = found->first;
    }
    if (kind == static_cast<std::uint8_t>(OpKind::put)) {
      std::string_view document;
      if (!reader.text(&document)) {
        return Status::corruption("operation " + std::to_string(i) + " truncated");
      }
      // Snapshots list keys in order, so the end is the right place for them.
      collection->insert_or_assign(collection->end(), std::string(key), std::string(document));
    } else if (kind == static_cast<std::uint8_t>(OpKind::erase)) {
      if (const auto found = collection->find(key); found != collection->end()) {
        collection->erase(found);
      }
    } else {
      return Status::corruption("unknown operation kind " + std::to_string(kind));
    }
  }
  if (!reader.done()) return Status::corruption("trailing bytes after the operations");
  std::erase_if(*collections, [](const auto& entry) { return entry.second.empty(); });
  return {};
}

}  // namespace prik::storage::format
