// libFuzzer target: hostile bytes as a Slack request body (JSON events, form-encoded
// interactivity payloads, slash commands and SSL checks), as a Socket Mode payload, as a
// signature header, as text rendered to Block Kit, and as a clicked message whose choice is
// marked. Must never crash, throw or read out of bounds.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/slack/blocks.hpp"
#include "adapters/slack/events.hpp"
#include "adapters/slack/verify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace prik::adapters::slack;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const BotIdentity self{"T111", "U111", "B111"};

  parse_http_body("application/json", text, self);  // an Events API body, via parse_events_api
  parse_http_body("application/x-www-form-urlencoded", text, self);
  is_ssl_check("application/x-www-form-urlencoded", text);  // runs before the signature check
  if (auto fields = decode_form(text)) parse_slash_command(*fields);

  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded()) {
    const Parsed click = parse_interaction(json);
    if (const auto* received = std::get_if<Received>(&click); received && received->clicked) {
      mark_choice(received->clicked->blocks, received->clicked->label)
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    mark_choice(json, text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    parse_slash_command(json);
  }

  verify_signature("secret", text.substr(0, size / 2), text.substr(size / 2), text,
                   std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000)));
  split_user_ref(std::string(text));
  render_message(std::string(text), {{std::string(text), std::string(text)}})
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
