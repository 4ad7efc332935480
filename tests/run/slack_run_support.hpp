// Test support for `prik run` with Slack: Events API payloads as Slack sends them, signed with the
// app's signing secret, and readers of what Prik posted to the loopback Slack.
#pragma once

#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/slack/verify.hpp"
#include "tests/slack/fake_slack.hpp"

namespace prik::tests {

inline std::string percent_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string encoded;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  return encoded;
}

// An event_callback with a message `user` wrote in the DM `channel`; `text` as Slack sends it
// (mentions as "<@U…>", &, < and > escaped).
inline nlohmann::json slack_direct_message(const std::string& event_id, const std::string& user,
                                           const std::string& channel, const std::string& text) {
  return {{"type", "event_callback"},
          {"team_id", FakeSlack::kTeam},
          {"api_app_id", "A111"},
          {"event_id", event_id},
          {"event_time", 1700000000},
          {"event",
           {{"type", "message"},
            {"channel", channel},
            {"channel_type", "im"},
            {"user", user},
            {"text", text},
            {"ts", "1700000000.000100"}}}};
}

// A block_actions payload: `user` clicked the button `choice_id` in `channel`.
inline nlohmann::json slack_button_click(const std::string& trigger_id, const std::string& user,
                                         const std::string& channel, const std::string& choice_id) {
  return {{"type", "block_actions"},
          {"user", {{"id", user}, {"team_id", FakeSlack::kTeam}}},
          {"team", {{"id", FakeSlack::kTeam}}},
          {"channel", {{"id", channel}}},
          {"trigger_id", trigger_id},
          {"actions",
           {{{"action_id", choice_id},
             {"value", choice_id},
             {"type", "button"},
             {"action_ts", "1700000000.1"}}}}};
}

// The button values of a chat.postMessage body.
inline std::vector<std::string> slack_buttons(const nlohmann::json& post) {
  std::vector<std::string> ids;
  for (const auto& block : post.value("blocks", nlohmann::json::array())) {
    if (block.value("type", "") != "actions") continue;
    for (const auto& element : block["elements"]) ids.push_back(element.value("value", ""));
  }
  return ids;
}

inline std::optional<std::string> first_with_prefix(const std::vector<std::string>& ids,
                                                    std::string_view prefix) {
  for (const auto& id : ids) {
    if (id.starts_with(prefix)) return id;
  }
  return std::nullopt;
}

// The text of a chat.postMessage body as a person reads it: its mrkdwn sections joined.
inline std::string slack_section_text(const nlohmann::json& post) {
  std::string text;
  for (const auto& block : post.value("blocks", nlohmann::json::array())) {
    if (block.value("type", "") != "section") continue;
    text += block["text"].value("text", "");
  }
  return text;
}

}  // namespace prik::tests
