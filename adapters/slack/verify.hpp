// Verification of Slack's request signatures (the "v0" scheme).
//
// Slack signs each HTTP request with HMAC-SHA256 over "v0:<timestamp>:<raw body>" using the app's
// signing secret and sends it as X-Slack-Signature: v0=<hex>, with the timestamp in
// X-Slack-Request-Timestamp. A request is genuine when the signature matches (compared in
// constant time) and the timestamp is within five minutes of now, which limits replays. Pure
// functions; safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace prik::adapters::slack {

enum class Verdict {
  genuine,
  missing_header,       // no timestamp or no signature header
  malformed_timestamp,  // not a number of seconds
  stale_timestamp,      // more than `tolerance` from now, either way
  bad_signature,
};

const char* verdict_name(Verdict verdict);

Verdict verify_signature(std::string_view signing_secret, std::string_view timestamp_header,
                         std::string_view signature_header, std::string_view body,
                         std::chrono::system_clock::time_point now,
                         std::chrono::seconds tolerance = std::chrono::minutes(5));

// "v0=" followed by the lowercase hex HMAC, as Slack would send it (for tests and fakes).
std::string sign(std::string_view signing_secret, std::string_view timestamp,
                 std::string_view body);

}  // namespace prik::adapters::slack
