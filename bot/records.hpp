// Records: how the bot core lays out its state in the store, and the JSON of each document.
//
//   conversations/<UserRef>   a person's dialogs::Conversation
//   inbox/<sequence>          an Incoming recorded before its turn runs; erased by the turn
//   events/<event id>         a platform event id already seen, kept for the dedupe window
//   outbox/<sequence>         a reply waiting to be delivered; erased once delivered
//   applications/<A-00017>    an application for a role; a forgotten applicant's stays without
//                             user, name or words ("anonymous": true) so that coverage counts stay
//   handoffs/<H-00003>        a request to talk to a human coordinator
//   nudges/<N-00004>          a tap on a friend's shoulder and the friend's answer
//   optouts/<hash>            "never write to me again": the hex SHA-256 of "prik-optout:" + the
//                             UserRef, so the promise outlives "delete my data"; never erased
//   meta/counters             the sequence counters behind those keys
//   meta/digest               {"<campaign id>": "YYYY-MM-DD"}: the last local date a daily digest
//                             was sent for the campaign
//   meta/campaigns            {"<campaign id>": seconds}: when the bot first ran the campaign,
//                             the start of its roles' vacancy
//
// Sequence keys are zero-padded so that key order is arrival order. Plain functions and value
// types; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "dialogs/conversation.hpp"
#include "dialogs/message.hpp"
#include "dialogs/view.hpp"

namespace prik::bot::records {

inline constexpr std::string_view conversations = "conversations";
inline constexpr std::string_view inbox = "inbox";
inline constexpr std::string_view events = "events";
inline constexpr std::string_view outbox = "outbox";
inline constexpr std::string_view applications = "applications";
inline constexpr std::string_view handoffs = "handoffs";
inline constexpr std::string_view nudges = "nudges";
inline constexpr std::string_view optouts = "optouts";
inline constexpr std::string_view meta = "meta";
inline constexpr std::string_view counters_key = "counters";
inline constexpr std::string_view digest_key = "digest";
inline constexpr std::string_view campaigns_key = "campaigns";

struct Counters {
  std::uint64_t inbox = 0;
  std::uint64_t outbox = 0;
  std::uint64_t application = 0;
  std::uint64_t handoff = 0;
  std::uint64_t nudge = 0;

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
std::string nudge_id(std::uint64_t sequence);

// The key of a person's opt-out: the hex SHA-256 of "prik-optout:" + user. One-way, so the data
// dir keeps the promise without keeping who made it.
std::string optout_key(const dialogs::UserRef& user);

nlohmann::json incoming_to_json(const dialogs::Incoming& incoming);
dialogs::Incoming incoming_from_json(const nlohmann::json& document);

nlohmann::json outgoing_to_json(const dialogs::Outgoing& outgoing);
dialogs::Outgoing outgoing_from_json(const nlohmann::json& document);

// The same text as incoming_to_json(...).dump(), outgoing_to_json(...).dump() and
// conversation.to_json().dump(), written directly: every turn stores these. Strings must be valid
// UTF-8 (dialogs::clean_text output).
std::string incoming_document(const dialogs::Incoming& incoming);
std::string outgoing_document(const dialogs::Outgoing& outgoing);
std::string conversation_document(const dialogs::Conversation& conversation);

const char* status_name(dialogs::ApplicationStatus status);
std::optional<dialogs::ApplicationStatus> parse_status(std::string_view name);
const char* partner_status_name(dialogs::PartnerStatus status);
std::optional<dialogs::PartnerStatus> parse_partner_status(std::string_view name);
const char* answer_name(dialogs::NudgeAnswer answer);
std::optional<dialogs::NudgeAnswer> parse_answer(std::string_view name);

// An application document. Times are seconds since the epoch in the JSON.
struct Application {
  std::string id;
  dialogs::UserRef user;  // empty once anonymous
  std::string display_name;
  std::string entry_id;
  std::string campaign_id;
  std::string words;
  std::optional<std::string> partner;
  dialogs::ApplicationStatus status = dialogs::ApplicationStatus::pending;
  std::chrono::sys_seconds submitted{};
  std::chrono::sys_seconds updated{};
  dialogs::PartnerStatus partner_status = dialogs::PartnerStatus::none;  // "none" is not stored
  // When a coordinator approved it: with `updated` of a later status, when the person left the
  // role's places (the role's vacancy is computed from these).
  std::optional<std::chrono::sys_seconds> approved;
  bool anonymous = false;  // the applicant's data was deleted

  nlohmann::json to_json() const;
  // nullopt when the document lacks an id, entry, a known status, or a user (unless anonymous).
  static std::optional<Application> from_json(const nlohmann::json& document);
  dialogs::ApplicationSummary summary() const;
  dialogs::ApplicationDetails details() const;
  // Without the applicant (user, name, words, partner): what "delete my data" leaves of it.
  Application anonymized() const;
};

// A nudge document: {"id","from","from_name","to","entry_id","named","sent","answer","answered"}.
struct Nudge {
  std::string id;
  dialogs::UserRef from;
  std::string from_name;
  dialogs::UserRef to;
  std::string entry_id;
  bool named = false;
  std::chrono::sys_seconds sent{};
  dialogs::NudgeAnswer answer = dialogs::NudgeAnswer::none;
  std::chrono::sys_seconds answered{};  // the epoch while unanswered

  nlohmann::json to_json() const;
  // nullopt when the document lacks an id, from or to.
  static std::optional<Nudge> from_json(const nlohmann::json& document);
  dialogs::NudgeSummary summary() const;
};

// A hand-off document: a request to talk to a human coordinator.
struct Handoff {
  std::string id;
  dialogs::UserRef user;
  std::string display_name;
  std::string conversation;
  std::string words;
  std::chrono::sys_seconds requested{};
  std::string status = "open";

  nlohmann::json to_json() const;
  // nullopt when the document lacks an id or user.
  static std::optional<Handoff> from_json(const nlohmann::json& document);
  dialogs::HandoffSummary summary() const;
};

// meta/digest and meta/campaigns: {"<campaign id>": value}.
std::map<std::string, std::string, std::less<>> digest_dates_from_json(
    const nlohmann::json& document);
std::map<std::string, std::chrono::sys_seconds, std::less<>> campaign_starts_from_json(
    const nlohmann::json& document);

}  // namespace prik::bot::records
