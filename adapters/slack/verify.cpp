#include "adapters/slack/verify.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <cstdint>

namespace prik::adapters::slack {

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::genuine:
      return "genuine";
    case Verdict::missing_header:
      return "missing signature or timestamp header";
    case Verdict::malformed_timestamp:
      return "malformed timestamp";
    case Verdict::stale_timestamp:
      return "timestamp too far from now";
    case Verdict::bad_signature:
      return "bad signature";
  }
  return "unknown";
}

std::string sign(std::string_view signing_secret, std::string_view timestamp,
                 std::string_view body) {
  std::string base = "v0:";
  base.append(timestamp).append(":").append(body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), signing_secret.data(), static_cast<int>(signing_secret.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest, &length);
  static constexpr char hex[] = "0123456789abcdef";
  std::string signature = "v0=";
  for (unsigned int i = 0; i < length; ++i) {
    signature.push_back(hex[digest[i] >> 4]);
    signature.push_back(hex[digest[i] & 0xf]);
  }
  return signature;
}

Verdict verify_signature(std::string_view signing_secret, std::string_view timestamp_header,
                         std::string_view signature_header, std::string_view body,
                         std::chrono::system_clock::time_point now,
                         std::chrono::seconds tolerance) {
  if (timestamp_header.empty() || signature_header.empty()) return Verdict::missing_header;
  std::int64_t seconds = 0;
  const auto* end = timestamp_header.data() + timestamp_header.size();
  const auto [stop, error] = std::from_chars(timestamp_header.data(), end, seconds);
  if (error != std::errc{} || stop != end) return Verdict::malformed_timestamp;
  const auto now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const auto skew = now_seconds > seconds ? now_seconds - seconds : seconds - now_seconds;
  if (skew > tolerance.count()) return Verdict::stale_timestamp;
  const std::string expected = sign(signing_secret, timestamp_header, body);
  if (signature_header.size() != expected.size() ||
      CRYPTO_memcmp(signature_header.data(), expected.data(), expected.size()) != 0) {
    return Verdict::bad_signature;
  }
  return Verdict::genuine;
}

}  // namespace prik::adapters::slack
