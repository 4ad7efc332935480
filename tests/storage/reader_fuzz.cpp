// libFuzzer target for the readers of the store's files: hostile bytes as a journal segment (with
// and without a valid header in front) and as a snapshot must never crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "storage/format.hpp"
#include "storage/memory_file_system.hpp"
#include "storage/store.hpp"

namespace {

void verify_dir_with(const std::string& name, const std::string& contents) {
  prik::storage::MemoryFileSystem memory;
  memory.create_dir("/data");
  memory.overwrite("/data/" + name, contents);
  prik::storage::VerifyReport report;
  prik::storage::Store::verify({.dir = "/data", .file_system = &memory}, &report);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  verify_dir_with("journal-000001.log", bytes);
  verify_dir_with("journal-000001.log", prik::storage::format::journal_header() + bytes);
  verify_dir_with("snapshot", bytes);
  verify_dir_with("snapshot", prik::storage::format::snapshot_header({1, 0, 0}) + bytes);
  prik::storage::format::Collections collections;
  std::uint64_t sequence = 0;
  prik::storage::format::apply_payload(bytes, &collections, &sequence);
  return 0;
}
