#include "bot/records.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <iterator>

#include "adapters/http/json.hpp"

namespace prik::bot::records {

using nlohmann::json;

namespace {

using adapters::http::append_json_string;

std::string string_field(const json& document, const char* name) {
  const auto found = document.find(name);
  return found != document.end() && found->is_string() ? found->get<std::string>() : std::string{};
}

std::uint64_t counter_field(const json& document, const char* name) {
  const auto found = document.find(name);
  return found != document.end() && found->is_number_unsigned() ? found->get<std::uint64_t>() : 0;
}

void append_json_field(std::string& out, std::string_view name, std::string_view value) {
  out += out.back() == '{' ? "\"" : ",\"";
  out.append(name).append("\":");
  append_json_string(out, value);
}

std::chrono::sys_seconds time_field(const json& document, const char* name) {
  const auto found = document.find(name);
  return std::chrono::sys_seconds(std::chrono::seconds(
      found != document.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0));
}

bool bool_field(const json& document, const char* name) {
  const auto found = document.find(name);
  return found != document.end() && found->is_boolean() && found->get<bool>();
}

std::int64_t seconds_of(std::chrono::sys_seconds time) { return time.time_since_epoch().count(); }

void append_json_strings(std::string& out, std::string_view name,
                         const std::vector<std::string>& values) {
  out.append(",\"").append(name).append("\":[");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, values[i]);
  }
  out += ']';
}

std::vector<std::string> strings_field(const json& document, const char* name) {
  std::vector<std::string> values;
  const auto found = document.find(name);
  if (found != document.end() && found->is_array()) {
    for (const auto& value : *found) {
      if (value.is_string()) values.push_back(value.get<std::string>());
    }
  }
  return values;
}

}  // namespace

json Counters::to_json() const {
  return {{"inbox", inbox},
          {"outbox", outbox},
          {"application", application},
          {"handoff", handoff},
          {"nudge", nudge}};
}

std::string Counters::to_document() const {
  return fmt::format(R"({{"application":{},"handoff":{},"inbox":{},"nudge":{},"outbox":{}}})",
                     application, handoff, inbox, nudge, outbox);
}

Counters Counters::from_json(const json& document) {
  if (!document.is_object()) return {};
  return {counter_field(document, "inbox"), counter_field(document, "outbox"),
          counter_field(document, "application"), counter_field(document, "handoff"),
          counter_field(document, "nudge")};
}

std::string sequence_key(std::uint64_t sequence) { return fmt::format("{:020}", sequence); }
std::string application_id(std::uint64_t sequence) { return fmt::format("A-{:05}", sequence); }
std::string handoff_id(std::uint64_t sequence) { return fmt::format("H-{:05}", sequence); }
std::string nudge_id(std::uint64_t sequence) { return fmt::format("N-{:05}", sequence); }

std::string optout_key(const dialogs::UserRef& user) {
  const std::string input = "prik-optout:" + user;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i)
    fmt::format_to(std::back_inserter(hex), "{:02x}", digest[i]);
  return hex;
}

json incoming_to_json(const dialogs::Incoming& incoming) {
  return {{"user", incoming.user},
          {"conversation", incoming.conversation},
          {"direct", incoming.direct},
          {"text", incoming.text},
          {"choice_id", incoming.choice_id},
          {"event_id", incoming.event_id},
          {"display_name", incoming.display_name},
          {"locale", incoming.locale},
          {"mentions", incoming.mentions},
          {"mentioned_bots", incoming.mentioned_bots}};
}

std::string incoming_document(const dialogs::Incoming& incoming) {
  std::string out = "{";
  out.reserve(128 + incoming.text.size());
  append_json_field(out, "choice_id", incoming.choice_id);
  append_json_field(out, "conversation", incoming.conversation);
  out += incoming.direct ? R"(,"direct":true)" : R"(,"direct":false)";
  append_json_field(out, "display_name", incoming.display_name);
  append_json_field(out, "event_id", incoming.event_id);
  append_json_field(out, "locale", incoming.locale);
  append_json_strings(out, "mentioned_bots", incoming.mentioned_bots);
  append_json_strings(out, "mentions", incoming.mentions);
  append_json_field(out, "text", incoming.text);
  append_json_field(out, "user", incoming.user);
  out += '}';
  return out;
}

dialogs::Incoming incoming_from_json(const json& document) {
  dialogs::Incoming incoming;
  if (!document.is_object()) return incoming;
  incoming.user = string_field(document, "user");
  incoming.conversation = string_field(document, "conversation");
  const auto direct = document.find("direct");
  incoming.direct = direct == document.end() || !direct->is_boolean() || direct->get<bool>();
  incoming.text = string_field(document, "text");
  incoming.choice_id = string_field(document, "choice_id");
  incoming.event_id = string_field(document, "event_id");
  incoming.display_name = string_field(document, "display_name");
  incoming.locale = string_field(document, "locale");
  incoming.mentions = strings_field(document, "mentions");
  incoming.mentioned_bots = strings_field(document, "mentioned_bots");
  return incoming;
}

json outgoing_to_json(const dialogs::Outgoing& outgoing) {
  json choices = json::array();
  for (const auto& choice : outgoing.choices) {
    choices.push_back({{"id", choice.id}, {"label", choice.label}});
  }
  return {{"to", outgoing.to},
          {"conversation", outgoing.conversation},
          {"text", outgoing.text},
          {"choices", std::move(choices)}};
}

std::string outgoing_document(const dialogs::Outgoing& outgoing) {
  std::string out = R"({"choices":[)";
  out.reserve(128 + outgoing.text.size() + 48 * outgoing.choices.size());
  for (std::size_t i = 0; i < outgoing.choices.size(); ++i) {
    if (i > 0) out += ',';
    out += '{';
    append_json_field(out, "id", outgoing.choices[i].id);
    append_json_field(out, "label", outgoing.choices[i].label);
    out += '}';
  }
  out += ']';
  append_json_field(out, "conversation", outgoing.conversation);
  append_json_field(out, "text", outgoing.text);
  append_json_field(out, "to", outgoing.to);
  out += '}';
  return out;
}

std::string conversation_document(const dialogs::Conversation& conversation) {
  std::string out = "{";
  out.reserve(160 + conversation.about.size() + conversation.words.size() +
              24 * conversation.offered.size());
  append_json_field(out, "about", conversation.about);
  append_json_field(out, "entry_id", conversation.entry_id);
  if (conversation.hours_per_week) {
    fmt::format_to(std::back_inserter(out), R"(,"hours_per_week":{})",
                   *conversation.hours_per_week);
  }
  append_json_strings(out, "interests", conversation.interests);
  if (conversation.language) {
    append_json_field(out, "language", dialogs::language_code(*conversation.language));
  }
  if (!conversation.nudge_friend.empty()) {
    append_json_field(out, "nudge_friend", conversation.nudge_friend);
    append_json_field(out, "nudge_friend_label", conversation.nudge_friend_label);
  }
  append_json_strings(out, "offered", conversation.offered);
  if (conversation.partner) append_json_field(out, "partner", *conversation.partner);
  append_json_field(out, "partner_label", conversation.partner_label);
  append_json_field(out, "state", conversation.state);
  append_json_field(out, "words", conversation.words);
  out += '}';
  return out;
}

dialogs::Outgoing outgoing_from_json(const json& document) {
  dialogs::Outgoing outgoing;
  if (!document.is_object()) return outgoing;
  outgoing.to = string_field(document, "to");
  outgoing.conversation = string_field(document, "conversation");
  outgoing.text = string_field(document, "text");
  const auto choices = document.find("choices");
  if (choices != document.end() && choices->is_array()) {
    for (const auto& choice : *choices) {
      if (choice.is_object()) {
        outgoing.choices.push_back({string_field(choice, "id"), string_field(choice, "label")});
      }
    }
  }
  return outgoing;
}

const char* status_name(dialogs::ApplicationStatus status) {
  switch (status) {
    case dialogs::ApplicationStatus::pending:
      return "pending";
    case dialogs::ApplicationStatus::approved:
      return "approved";
    case dialogs::ApplicationStatus::declined:
      return "declined";
    case dialogs::ApplicationStatus::withdrawn:
      return "withdrawn";
  }
  return "pending";
}

std::optional<dialogs::ApplicationStatus> parse_status(std::string_view name) {
  for (const auto status :
       {dialogs::ApplicationStatus::pending, dialogs::ApplicationStatus::approved,
        dialogs::ApplicationStatus::declined, dialogs::ApplicationStatus::withdrawn}) {
    if (name == status_name(status)) return status;
  }
  return std::nullopt;
}

const char* partner_status_name(dialogs::PartnerStatus status) {
  switch (status) {
    case dialogs::PartnerStatus::none:
      return "none";
    case dialogs::PartnerStatus::waiting:
      return "waiting";
    case dialogs::PartnerStatus::confirmed:
      return "confirmed";
    case dialogs::PartnerStatus::declined:
      return "declined";
  }
  return "none";
}

std::optional<dialogs::PartnerStatus> parse_partner_status(std::string_view name) {
  for (const auto status : {dialogs::PartnerStatus::none, dialogs::PartnerStatus::waiting,
                            dialogs::PartnerStatus::confirmed, dialogs::PartnerStatus::declined}) {
    if (name == partner_status_name(status)) return status;
  }
  return std::nullopt;
}

const char* answer_name(dialogs::NudgeAnswer answer) {
  switch (answer) {
    case dialogs::NudgeAnswer::none:
      return "none";
    case dialogs::NudgeAnswer::more:
      return "more";
    case dialogs::NudgeAnswer::no:
      return "no";
    case dialogs::NudgeAnswer::never:
      return "never";
  }
  return "none";
}

std::optional<dialogs::NudgeAnswer> parse_answer(std::string_view name) {
  for (const auto answer : {dialogs::NudgeAnswer::none, dialogs::NudgeAnswer::more,
                            dialogs::NudgeAnswer::no, dialogs::NudgeAnswer::never}) {
    if (name == answer_name(answer)) return answer;
  }
  return std::nullopt;
}

json Application::to_json() const {
  json document = {{"id", id},
                   {"user", user},
                   {"display_name", display_name},
                   {"entry", entry_id},
                   {"campaign", campaign_id},
                   {"words", words},
                   {"status", status_name(status)},
                   {"submitted", seconds_of(submitted)},
                   {"updated", seconds_of(updated)}};
  if (partner) document["partner"] = *partner;
  if (partner_status != dialogs::PartnerStatus::none) {
    document["partner_status"] = partner_status_name(partner_status);
  }
  if (approved) document["approved"] = seconds_of(*approved);
  if (anonymous) document["anonymous"] = true;
  return document;
}

std::optional<Application> Application::from_json(const json& document) {
  if (!document.is_object()) return std::nullopt;
  Application application;
  application.id = string_field(document, "id");
  application.user = string_field(document, "user");
  application.entry_id = string_field(document, "entry");
  application.anonymous = bool_field(document, "anonymous");
  const auto status = parse_status(string_field(document, "status"));
  if (application.id.empty() || (application.user.empty() && !application.anonymous) ||
      application.entry_id.empty() || !status) {
    return std::nullopt;
  }
  application.status = *status;
  application.display_name = string_field(document, "display_name");
  application.campaign_id = string_field(document, "campaign");
  application.words = string_field(document, "words");
  const auto partner = document.find("partner");
  if (partner != document.end() && partner->is_string()) {
    application.partner = partner->get<std::string>();
  }
  application.partner_status = parse_partner_status(string_field(document, "partner_status"))
                                   .value_or(dialogs::PartnerStatus::none);
  application.submitted = time_field(document, "submitted");
  application.updated = time_field(document, "updated");
  if (document.contains("approved")) application.approved = time_field(document, "approved");
  return application;
}

dialogs::ApplicationSummary Application::summary() const {
  return {id, entry_id, status, partner, submitted, partner_status};
}

dialogs::ApplicationDetails Application::details() const {
  dialogs::ApplicationDetails details;
  static_cast<dialogs::ApplicationSummary&>(details) = summary();
  details.user = user;
  details.display_name = display_name;
  details.words = words;
  details.updated = updated;
  return details;
}

Application Application::anonymized() const {
  Application anonymous_copy = *this;
  anonymous_copy.user.clear();
  anonymous_copy.display_name.clear();
  anonymous_copy.words.clear();
  anonymous_copy.partner.reset();
  anonymous_copy.partner_status = dialogs::PartnerStatus::none;
  anonymous_copy.anonymous = true;
  return anonymous_copy;
}

json Nudge::to_json() const {
  return {{"id", id},
          {"from", from},
          {"from_name", from_name},
          {"to", to},
          {"entry_id", entry_id},
          {"named", named},
          {"sent", seconds_of(sent)},
          {"answer", answer_name(answer)},
          {"answered", seconds_of(answered)}};
}

std::optional<Nudge> Nudge::from_json(const json& document) {
  if (!document.is_object()) return std::nullopt;
  Nudge nudge;
  nudge.id = string_field(document, "id");
  nudge.from = string_field(document, "from");
  nudge.to = string_field(document, "to");
  if (nudge.id.empty() || nudge.from.empty() || nudge.to.empty()) return std::nullopt;
  nudge.from_name = string_field(document, "from_name");
  nudge.entry_id = string_field(document, "entry_id");
  nudge.named = bool_field(document, "named");
  nudge.sent = time_field(document, "sent");
  nudge.answer =
      parse_answer(string_field(document, "answer")).value_or(dialogs::NudgeAnswer::none);
  nudge.answered = time_field(document, "answered");
  return nudge;
}

dialogs::NudgeSummary Nudge::summary() const {
  return {id, from, from_name, to, entry_id, named, sent, answer};
}

json Handoff::to_json() const {
  return {{"id", id},
          {"user", user},
          {"display_name", display_name},
          {"conversation", conversation},
          {"words", words},
          {"requested", seconds_of(requested)},
          {"status", status}};
}

std::optional<Handoff> Handoff::from_json(const json& document) {
  if (!document.is_object()) return std::nullopt;
  Handoff handoff;
  handoff.id = string_field(document, "id");
  handoff.user = string_field(document, "user");
  if (handoff.id.empty() || handoff.user.empty()) return std::nullopt;
  handoff.display_name = string_field(document, "display_name");
  handoff.conversation = string_field(document, "conversation");
  handoff.words = string_field(document, "words");
  handoff.requested = time_field(document, "requested");
  handoff.status = string_field(document, "status");
  return handoff;
}

dialogs::HandoffSummary Handoff::summary() const { return {id, words, requested, status}; }

std::map<std::string, std::string, std::less<>> digest_dates_from_json(const json& document) {
  std::map<std::string, std::string, std::less<>> dates;
  if (!document.is_object()) return dates;
  for (const auto& [campaign, date] : document.items()) {
    if (date.is_string()) dates[campaign] = date.get<std::string>();
  }
  return dates;
}

std::map<std::string, std::chrono::sys_seconds, std::less<>> campaign_starts_from_json(
    const json& document) {
  std::map<std::string, std::chrono::sys_seconds, std::less<>> starts;
  if (!document.is_object()) return starts;
  for (const auto& [campaign, at] : document.items()) {
    if (at.is_number_integer()) {
      starts[campaign] = std::chrono::sys_seconds(std::chrono::seconds(at.get<std::int64_t>()));
    }
  }
  return starts;
}

}  // namespace prik::bot::records
