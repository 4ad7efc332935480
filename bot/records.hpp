// Records: how the bot core lays out its state in the store, and the JSON of each document.
//
//   conversations/<UserRef>   a person's dialogs::Conversation
//   inbox/<sequence>          an Incoming recorded before its turn runs; erased by the turn
//   events/<event id>         a platform event id already seen, kept for the dedupe window
//   outbox/<sequence>         a reply waiting to be delivered; erased once delivered
//   applications/<A-00017>    an application for a role
//   handoffs/<H-00003>        a request to talk to a human coordinator
//   meta/counters             the sequence counters behind those keys
//
// Sequence keys are zero-padded so that key order is arrival order. Plain functions and value
// types; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "dialogs/message.hpp"
#include "dialogs/view.hpp"

namespace prik::bot::records {

inline constexpr std::string_view conversations = "conversations";
inline constexpr std::string_view inbox = "inbox";
inline constexpr std::string_view events = "events";
inline constexpr std::string_view outbox = "outbox";
inline constexpr std::string_view applications = "applications";
inline constexpr std::string_view handoffs = "handoffs";
inline constexpr std::string_view meta = "meta";
inline constexpr std::string_view counters_key = "counters";

struct Counters {
  std::uint64_t inbox = 0;
  std::uint64_t outbox = 0;
  std::uint64_t application = 0;
  std::uint64_t handoff = 0;

  nlohmann::json to_json() const;
  // to_json().dump() without building the JSON tree: written with every batch.
  std::string to_document() const;
  static Counters from_json(const nlohmann::json& document);
};

// "00000000000000000042": sorts like the number.
std::string sequence_key(std::uint64_t sequence);
// "A-00017", "H-00003": short enough to type or read out on the phone.
std::string application_id(std::uint64_t sequence);
std::string handoff_id(std::uint64_t sequence);

nlohmann::json incoming_to_json(const dialogs::Incoming& incoming);
dialogs::Incoming incoming_from_json(const nlohmann::json& document);

nlohmann::json outgoing_to_json(const dialogs::Outgoing& outgoing);
dialogs::Outgoing outgoing_from_json(const nlohmann::json& document);

// The same text as incoming_to_json(...).dump() and outgoing_to_json(...).dump(), written
// directly: every turn stores these. Strings must be valid UTF-8 (dialogs::clean_text output).
std::string incoming_document(const dialogs::Incoming& incoming);
std::string outgoing_document(const dialogs::Outgoing& outgoing);

const char* status_name(dialogs::ApplicationStatus status);
std::optional<dialogs::ApplicationStatus> parse_status(std::string_view name);

// An application document. Times are seconds since the epoch in the JSON.
struct Application {
  std::string id;
  dialogs::UserRef user;
  std::string display_name;
  std::string entry_id;
  std::string campaign_id;
  std::string words;
  std::optional<std::string> partner;
  dialogs::ApplicationStatus status = dialogs::ApplicationStatus::pending;
  std::chrono::sys_seconds submitted{};
  std::chrono::sys_seconds updated{};

  nlohmann::json to_json() const;
  // nullopt when the document lacks an id, user, entry or a known status.
  static std::optional<Application> from_json(const nlohmann::json& document);
  dialogs::ApplicationSummary summary() const;
};

}  // namespace prik::bot::records
