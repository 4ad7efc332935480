// Rendering of an outgoing message as Slack Block Kit, within Slack's documented limits.
//
// The text becomes one or more `section` blocks (mrkdwn, at most 3000 characters each) and the
// choices become `actions` blocks of buttons (at most 25 per block), each button carrying the
// choice id as both `action_id` and `value` so that a click comes back as that choice. Labels
// longer than a button allows (75 characters) are shortened with an ellipsis; a message never
// exceeds 50 blocks. The top-level `text` is the notification fallback. Once a button is clicked,
// mark_choice() turns the message's buttons into a line showing the choice. Pure functions.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "dialogs/message.hpp"

namespace prik::adapters::slack {

struct BlockKitLimits {
  static constexpr std::size_t section_text = 3000;
  static constexpr std::size_t fallback_text = 4000;  // chat.postMessage's advised text length
  static constexpr std::size_t buttons_per_actions_block = 25;
  static constexpr std::size_t button_label = 75;
  static constexpr std::size_t button_value = 2000;
  static constexpr std::size_t action_id = 255;
  static constexpr std::size_t blocks_per_message = 50;
};

// Text made safe for a message: "&", "<" and ">" become "&amp;", "&lt;" and "&gt;" as Slack asks
// (https://api.slack.com/reference/surfaces/formatting#escaping), so nothing a volunteer
// typed becomes a link, a channel-wide @here or someone else's mention. Only well-formed user
// mentions ("<@U0456>") and channel links ("<#C0789>"), which Prik writes into coordinator notices
// on purpose, are kept as they are.
std::string escape_text(std::string_view text);

// The fields "text" and "blocks" of a chat.postMessage / chat.update body; the text is escaped.
nlohmann::json render_message(const std::string& text, const std::vector<dialogs::Choice>& choices);

// A clicked message's blocks with its buttons gone: the first `actions` block becomes a context
// line showing the chosen label, the other `actions` blocks are dropped, and every block loses its
// block_id (Slack asks for fresh ones when a message is updated).
nlohmann::json mark_choice(const nlohmann::json& blocks, std::string_view label);

// The longest prefix of `text` with at most `max_characters` code points (UTF-8 aware, never
// cutting a character in two); an ellipsis replaces the tail when `ellipsis` and it was cut.
std::string shorten(std::string_view text, std::size_t max_characters, bool ellipsis);

}  // namespace prik::adapters::slack
