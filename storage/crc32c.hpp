// CRC32C (Castagnoli), the checksum that frames every record of the store's files. Uses the SSE4.2
// crc32 instruction when the CPU has it and a slicing-by-8 table otherwise. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace prik::storage::crc32c {

// Extends crc (the value of a previous call, or 0 to start) with data.
std::uint32_t extend(std::uint32_t crc, std::string_view data);
inline std::uint32_t value(std::string_view data) { return extend(0, data); }

// The table-driven implementation, exposed so tests can compare it with the hardware one.
std::uint32_t extend_portable(std::uint32_t crc, std::string_view data);

}  // namespace prik::storage::crc32c
