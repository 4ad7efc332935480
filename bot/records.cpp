#include "bot/records.hpp"

#include <fmt/format.h>

#include <iterator>

namespace prik::bot::records {

using nlohmann::json;

namespace {

std::string string_field(const json& document, const char* name) {
  const auto found = document.find(name);
  return found != document.end() && found->is_string() ? found->get<std::string>() : std::string{};
}

std::uint64_t counter_field(const json& document, const char* name) {
  const auto found = document.find(name);
  return found != document.end() && found->is_number_unsigned() ? found->get<std::uint64_t>() : 0;
}

// Appends text as a JSON string, escaped the way nlohmann::json::dump() escapes it.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t plain = 0;  // start of the run of characters that need no escape
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text, plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    }
  }
  out.append(text, plain, text.size() - plain);
  out += '"';
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

}  // namespace

json Counters::to_json() const {
  return {{"inbox", inbox}, {"outbox", outbox}, {"application", application}, {"handoff", handoff}};
}

std::string Counters::to_document() const {
  return fmt::format(R"({{"application":{},"handoff":{},"inbox":{},"outbox":{}}})", application,
                     handoff, inbox, outbox);
}

Counters Counters::from_json(const json& document) {
  if (!document.is_object()) return {};
  return {counter_field(document, "inbox"), counter_field(document, "outbox"),
          counter_field(document, "application"), counter_field(document, "handoff")};
}

std::string sequence_key(std::uint64_t sequence) { return fmt::format("{:020}", sequence); }
std::string application_id(std::uint64_t sequence) { return fmt::format("A-{:05}", sequence); }
std::string handoff_id(std::uint64_t sequence) { return fmt::format("H-{:05}", sequence); }

json incoming_to_json(const dialogs::Incoming& incoming) {
  return {{"user", incoming.user},
          {"conversation", incoming.conversation},
          {"direct", incoming.direct},
          {"text", incoming.text},
          {"choice_id", incoming.choice_id},
          {"event_id", incoming.event_id},
          {"display_name", incoming.display_name},
          {"locale", incoming.locale},
          {"mentions", incoming.mentions}};
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
  out += R"(,"mentions":[)";
  for (std::size_t i = 0; i < incoming.mentions.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, incoming.mentions[i]);
  }
  out += ']';
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
  const auto mentions = document.find("mentions");
  if (mentions != document.end() && mentions->is_array()) {
    for (const auto& mention : *mentions) {
      if (mention.is_string()) incoming.mentions.push_back(mention.get<std::string>());
    }
  }
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

json Application::to_json() const {
  json document = {{"id", id},
                   {"user", user},
                   {"display_name", display_name},
                   {"entry", entry_id},
                   {"campaign", campaign_id},
                   {"words", words},
                   {"status", status_name(status)},
                   {"submitted", submitted.time_since_epoch().count()},
                   {"updated", updated.time_since_epoch().count()}};
  if (partner) document["partner"] = *partner;
  return document;
}

std::optional<Application> Application::from_json(const json& document) {
  if (!document.is_object()) return std::nullopt;
  Application application;
  application.id = string_field(document, "id");
  application.user = string_field(document, "user");
  application.entry_id = string_field(document, "entry");
  const auto status = parse_status(string_field(document, "status"));
  if (application.id.empty() || application.user.empty() || application.entry_id.empty() ||
      !status) {
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
  application.submitted = time_field(document, "submitted");
  application.updated = time_field(document, "updated");
  return application;
}

dialogs::ApplicationSummary Application::summary() const {
  return {id, entry_id, status, partner, submitted};
}

}  // namespace prik::bot::records
