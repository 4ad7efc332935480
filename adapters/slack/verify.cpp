#include "adapters/slack/verify.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <charconv>
#include <cstdint>
#include <memory>
#include <stdexcept>

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

namespace {

struct MacContextFree {
  void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};
using MacContext = std::unique_ptr<EVP_MAC_CTX, MacContextFree>;

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("HMAC-SHA256 for Slack signatures: ") + what);
}

MacContext keyed_hmac(std::string_view secret) {
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (!hmac) fail("OpenSSL has no HMAC");
  MacContext context(EVP_MAC_CTX_new(hmac));
  EVP_MAC_free(hmac);  // the context holds its own reference
  if (!context) fail("out of memory");
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char no_key = 0;
  const auto* key =
      secret.empty() ? &no_key : reinterpret_cast<const unsigned char*>(secret.data());
  if (EVP_MAC_init(context.get(), key, secret.size(), params) != 1) fail("cannot set the key");
  return context;
}

}  // namespace

SigningKey::SigningKey(std::string_view signing_secret) : secret_(signing_secret) {}

SigningKey::~SigningKey() { EVP_MAC_CTX_free(keyed_); }

EVP_MAC_CTX* SigningKey::keyed() const {
  std::call_once(keyed_once_, [this] { keyed_ = keyed_hmac(secret_).release(); });
  return keyed_;
}

std::string SigningKey::sign(std::string_view timestamp, std::string_view body) const {
  // Duplicating the keyed context reads it only, so threads may sign at once.
  const MacContext context(EVP_MAC_CTX_dup(keyed()));
  if (!context) fail("out of memory");
  const auto update = [&](std::string_view part) {
    if (EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(part.data()),
                       part.size()) != 1) {
      fail("cannot hash");
    }
  };
  update("v0:");
  update(timestamp);
  update(":");
  update(body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (EVP_MAC_final(context.get(), digest, &length, sizeof digest) != 1) fail("cannot hash");
  static constexpr char hex[] = "0123456789abcdef";
  std::string signature = "v0=";
  signature.reserve(3 + 2 * length);
  for (std::size_t i = 0; i < length; ++i) {
    signature.push_back(hex[digest[i] >> 4]);
    signature.push_back(hex[digest[i] & 0xf]);
  }
  return signature;
}

Verdict SigningKey::verify(std::string_view timestamp_header, std::string_view signature_header,
                           std::string_view body, std::chrono::system_clock::time_point now,
                           std::chrono::seconds tolerance) const {
  if (timestamp_header.empty() || signature_header.empty()) return Verdict::missing_header;
  std::int64_t seconds = 0;
  const auto* end = timestamp_header.data() + timestamp_header.size();
  const auto [stop, error] = std::from_chars(timestamp_header.data(), end, seconds);
  if (error != std::errc{} || stop != end) return Verdict::malformed_timestamp;
  const auto now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // Compared without a difference, which a timestamp near the int64 limits would overflow.
  if (seconds < now_seconds - tolerance.count() || seconds > now_seconds + tolerance.count()) {
    return Verdict::stale_timestamp;
  }
  const std::string expected = sign(timestamp_header, body);
  if (signature_header.size() != expected.size() ||
      CRYPTO_memcmp(signature_header.data(), expected.data(), expected.size()) != 0) {
    return Verdict::bad_signature;
  }
  return Verdict::genuine;
}

Verdict verify_signature(std::string_view signing_secret, std::string_view timestamp_header,
                         std::string_view signature_header, std::string_view body,
                         std::chrono::system_clock::time_point now,
                         std::chrono::seconds tolerance) {
  return SigningKey(signing_secret)
      .verify(timestamp_header, signature_header, body, now, tolerance);
}

std::string sign(std::string_view signing_secret, std::string_view timestamp,
                 std::string_view body) {
  return SigningKey(signing_secret).sign(timestamp, body);
}

}  // namespace prik::adapters::slack
