// Verification of Slack's request signatures (the "v0" scheme).
//
// Slack signs each HTTP request with HMAC-SHA256 over "v0:<timestamp>:<raw body>" using the app's
// signing secret and sends it as X-Slack-Signature: v0=<hex>, with the timestamp in
// X-Slack-Request-Timestamp. A request is genuine when the signature matches (compared in
// constant time) and the timestamp is within five minutes of now, which limits replays.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX

namespace prik::adapters::slack {

enum class Verdict {
  genuine,
  missing_header,       // no timestamp or no signature header
  malformed_timestamp,  // not a number of seconds
  stale_timestamp,      // more than `tolerance` from now, either way
  bad_signature,
};

const char* verdict_name(Verdict verdict);

// A signing secret made into an HMAC key once, at the first request, so that each request costs
// only its own hash (a third of what keying the HMAC anew for every request costs). Not at
// construction: that would load OpenSSL's algorithms, 2 MB, into a bot that may never be asked
// to check a signature (Socket Mode). Safe from any thread.
class SigningKey {
 public:
  explicit SigningKey(std::string_view signing_secret);
  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  Verdict verify(std::string_view timestamp_header, std::string_view signature_header,
                 std::string_view body, std::chrono::system_clock::time_point now,
                 std::chrono::seconds tolerance = std::chrono::minutes(5)) const;

  // "v0=" followed by the lowercase hex HMAC, as Slack would send it.
  std::string sign(std::string_view timestamp, std::string_view body) const;

 private:
  evp_mac_ctx_st* keyed() const;

  const std::string secret_;
  mutable std::once_flag keyed_once_;
  mutable evp_mac_ctx_st* keyed_ = nullptr;  // the HMAC context with the key; only duplicated
};

// One-off forms of the above, for tests and fakes.
Verdict verify_signature(std::string_view signing_secret, std::string_view timestamp_header,
                         std::string_view signature_header, std::string_view body,
                         std::chrono::system_clock::time_point now,
                         std::chrono::seconds tolerance = std::chrono::minutes(5));
std::string sign(std::string_view signing_secret, std::string_view timestamp,
                 std::string_view body);

}  // namespace prik::adapters::slack
