// Translation of what Slack sends into the bot's vocabulary (dialogs::Incoming).
//
// Three shapes arrive, over HTTP or inside Socket Mode envelopes: Events API callbacks (JSON:
// url_verification, event_callback with a DM `message` or an `app_mention`), interactivity
// payloads (block_actions: a button click, with the message it came from) and slash commands
// (/prik, form fields). Everything
// the bot must not act on -- its own or other bots' messages, edits, deletions, every other
// message subtype, hidden events, channel chatter -- comes back as Ignored with a reason.
// Users become UserRefs "slack:<team_id>:<user_id>". Pure functions; safe from any thread;
// they never throw, whatever the input.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "dialogs/message.hpp"

namespace prik::adapters::slack {

// Who the bot is in its workspace (from auth.test); empty fields while unknown.
struct BotIdentity {
  std::string team_id;
  std::string user_id;  // the bot user, e.g. "U0LAN0Z89"
  std::string bot_id;   // e.g. "B999"
};

struct UrlVerification {
  std::string challenge;
};
struct Ignored {
  std::string reason;
  bool worth_a_warning = false;  // the sysadmin should hear of it (Slack dropping events)
};
struct Malformed {
  std::string reason;
};

// The message whose button was clicked, as the block_actions payload shows it: once the click is
// recorded, its buttons give way to a line that shows the choice made (chat.update).
struct ClickedMessage {
  std::string channel;
  std::string ts;
  std::string text;       // the message's fallback text
  nlohmann::json blocks;  // the message's blocks, as Slack sent them
  std::string label;      // the clicked button's label
};

// Something a person said or chose, for the bot.
struct Received {
  dialogs::Incoming incoming;
  std::optional<ClickedMessage> clicked;  // a click on a button of a (non-ephemeral) message
};

using Parsed = std::variant<Received, UrlVerification, Ignored, Malformed>;

// An Events API body as JSON text (the HTTP body, or a Socket Mode events_api payload).
Parsed parse_events_api(std::string_view body, const BotIdentity& self);

// An interactivity payload (the JSON inside `payload=`, or a Socket Mode interactive payload).
Parsed parse_interaction(const nlohmann::json& payload);

// A slash command's fields as a JSON object of strings (form fields over HTTP, or the Socket Mode
// slash_commands payload).
Parsed parse_slash_command(const nlohmann::json& fields);

// A raw HTTP request body by content type: JSON -> events, form with `payload` -> interaction,
// form with `command` -> slash command.
Parsed parse_http_body(std::string_view content_type, std::string_view body,
                       const BotIdentity& self);

// Whether the body is Slack's SSL check of a slash command's Request URL: a form with
// `ssl_check=1` and no command or payload. Slack sends it unsigned and expects a 200.
bool is_ssl_check(std::string_view content_type, std::string_view body);

// Form decoding (application/x-www-form-urlencoded) into a JSON object of strings; nullopt when
// the body is not a valid form.
std::optional<nlohmann::json> decode_form(std::string_view body);

dialogs::UserRef user_ref(std::string_view team_id, std::string_view user_id);

// {team_id, user_id} of a "slack:T:U" reference; nullopt for anything else.
std::optional<std::pair<std::string, std::string>> split_user_ref(const dialogs::UserRef& user);

}  // namespace prik::adapters::slack
