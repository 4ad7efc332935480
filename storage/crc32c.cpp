#include "storage/crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace prik::storage::crc32c {
namespace {

constexpr std::uint32_t reversed_polynomial = 0x82f63b78u;

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables tables{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? reversed_polynomial : 0u);
    tables[0][i] = crc;
  }
  for (std::uint32_t i = 0; i < 256; ++i) {
    for (std::size_t t = 1; t < 8; ++t) {
      tables[t][i] = (tables[t - 1][i] >> 8) ^ tables[0][tables[t - 1][i] & 0xffu];
    }
  }
  return tables;
}

constexpr Tables tables = make_tables();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t extend_sse42(std::uint32_t crc,
                                                             std::string_view data) {
  const char* p = data.data();
  std::size_t n = data.size();
  std::uint64_t state = ~crc;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    state = _mm_crc32_u64(state, word);
    p += 8;
    n -= 8;
  }
  auto state32 = static_cast<std::uint32_t>(state);
  while (n > 0) {
    state32 = _mm_crc32_u8(state32, static_cast<unsigned char>(*p));
    ++p;
    --n;
  }
  return ~state32;
}

bool cpu_has_sse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

std::uint32_t extend_portable(std::uint32_t crc, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  std::uint32_t state = ~crc;
  while (n >= 8) {
    const std::uint32_t low = state ^ (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 |
                                       std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24);
    state = tables[7][low & 0xffu] ^ tables[6][(low >> 8) & 0xffu] ^
            tables[5][(low >> 16) & 0xffu] ^ tables[4][low >> 24] ^ tables[3][p[4]] ^
            tables[2][p[5]] ^ tables[1][p[6]] ^ tables[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    state = (state >> 8) ^ tables[0][(state ^ *p) & 0xffu];
    ++p;
    --n;
  }
  return ~state;
}

std::uint32_t extend(std::uint32_t crc, std::string_view data) {
#if defined(__x86_64__)
  if (cpu_has_sse42()) return extend_sse42(crc, data);
#endif
  return extend_portable(crc, data);
}

}  // namespace prik::storage::crc32c
