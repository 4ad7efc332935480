#include "bot/forget.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace prik::bot {
namespace {

using nlohmann::json;

// Shorter needles would match by accident more often than they would find the person.
constexpr std::size_t min_needle_bytes = 2;

std::string string_of(const json& document, const char* name) {
  if (!document.is_object()) return {};
  const auto found = document.find(name);
  return found != document.end() && found->is_string() ? found->get<std::string>() : std::string{};
}

bool is_word_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  // Bytes of multi-byte UTF-8 characters count as letters: "Bo" is not a word of "Bodø".
  return byte >= 0x80 || std::isalnum(byte) != 0;
}

// True when text holds needle not glued to a letter or digit on either side ("Bo" is in
// "Hej Bo!", not in "Bogen").
bool quotes(std::string_view text, std::string_view needle) {
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) {
    const auto end = at + needle.size();
    const bool starts = at == 0 || !is_word_byte(text[at - 1]) || !is_word_byte(needle.front());
    const bool ends =
        end == text.size() || !is_word_byte(text[end]) || !is_word_byte(needle.back());
    if (starts && ends) return true;
  }
  return false;
}

// What identifies the person or what they wrote, as found in the store.
struct Traces {
  dialogs::UserRef user;
  std::vector<std::string> names;  // display names
  std::vector<std::string> words;  // longer texts they wrote (applications, hand-offs)

  void add(std::vector<std::string>& list, std::string text) {
    if (text.size() < min_needle_bytes) return;
    if (std::find(list.begin(), list.end(), text) == list.end()) list.push_back(std::move(text));
  }
  bool quoted_in(std::string_view text) const {
    if (quotes(text, user)) return true;
    const auto in_text = [&](const std::string& needle) { return quotes(text, needle); };
    return std::any_of(names.begin(), names.end(), in_text) ||
           std::any_of(words.begin(), words.end(), in_text);
  }
  bool is_identity(std::string_view value) const {
    return value == user || std::find(names.begin(), names.end(), value) != names.end();
  }
};

// Removes every member or element that is exactly their UserRef or a display name; true when
// anything was removed.
bool scrub(json& value, const Traces& traces) {
  bool changed = false;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (it->is_string() && traces.is_identity(it->get_ref<const std::string&>())) {
        it = value.erase(it);
        changed = true;
      } else {
        changed = scrub(*it, traces) || changed;
        ++it;
      }
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size();) {
      if (value[i].is_string() && traces.is_identity(value[i].get_ref<const std::string&>())) {
        value.erase(i);
        changed = true;
      } else {
        changed = scrub(value[i], traces) || changed;
        ++i;
      }
    }
  }
  return changed;
}

struct Stored {
  std::string key;
  json document;
};

std::vector<Stored> scan_all(const storage::Store& store, std::string_view collection) {
  std::vector<Stored> documents;
  store.scan(collection, "", [&](std::string_view key, std::string_view document) {
    documents.push_back({std::string(key), json::parse(document, nullptr, false)});
  });
  return documents;
}

}  // namespace

std::vector<records::Application> forget_person(const storage::Store& store,
                                                const dialogs::UserRef& user,
                                                storage::Batch& batch) {
  Traces traces{.user = user};
  const auto applications = scan_all(store, records::applications);
  const auto handoffs = scan_all(store, records::handoffs);
  const auto nudges = scan_all(store, records::nudges);
  const auto inbox = scan_all(store, records::inbox);

  // First what they are called and what they wrote, so that quotes of it can be found elsewhere.
  for (const auto& [key, document] : applications) {
    if (string_of(document, "user") != user) continue;
    traces.add(traces.names, string_of(document, "display_name"));
    traces.add(traces.words, string_of(document, "words"));
  }
  for (const auto& [key, document] : handoffs) {
    if (string_of(document, "user") != user) continue;
    traces.add(traces.names, string_of(document, "display_name"));
    traces.add(traces.words, string_of(document, "words"));
  }
  for (const auto& [key, document] : nudges) {
    if (string_of(document, "from") == user) {
      traces.add(traces.names, string_of(document, "from_name"));
    }
  }
  for (const auto& [key, document] : inbox) {
    if (string_of(document, "user") == user) {
      traces.add(traces.names, string_of(document, "display_name"));
    }
  }

  std::vector<records::Application> rewritten;
  for (const auto& [key, document] : applications) {
    auto application = records::Application::from_json(document);
    if (!application) {
      // Unreadable, so counted nowhere: it goes whole if it may hold anything of theirs.
      if (string_of(document, "user") == user || string_of(document, "partner") == user) {
        batch.erase(std::string(records::applications), key);
      }
      continue;
    }
    if (application->user == user) {
      application = application->anonymized();
    } else if (application->partner == user) {
      application->partner.reset();
      application->partner_status = dialogs::PartnerStatus::none;
    } else {
      continue;
    }
    batch.put(std::string(records::applications), key, application->to_json().dump());
    rewritten.push_back(std::move(*application));
  }
  for (const auto& [key, document] : handoffs) {
    if (string_of(document, "user") == user) batch.erase(std::string(records::handoffs), key);
  }
  for (const auto& [key, document] : nudges) {
    if (string_of(document, "from") == user || string_of(document, "to") == user) {
      batch.erase(std::string(records::nudges), key);
    }
  }
  for (const auto& [key, document] : inbox) {
    if (string_of(document, "user") == user) batch.erase(std::string(records::inbox), key);
  }
  for (const auto& [key, document] : scan_all(store, records::outbox)) {
    bool quoted =
        string_of(document, "to") == user || traces.quoted_in(string_of(document, "text"));
    if (const auto choices = document.find("choices");
        !quoted && choices != document.end() && choices->is_array()) {
      quoted = std::any_of(choices->begin(), choices->end(), [&](const json& choice) {
        return traces.quoted_in(string_of(choice, "label"));
      });
    }
    if (quoted) batch.erase(std::string(records::outbox), key);
  }

  std::vector<std::pair<std::string, std::string>> conversations;
  store.scan(records::conversations, "", [&](std::string_view key, std::string_view document) {
    if (key == user) return;
    const bool mentioned =
        document.find(user) != std::string_view::npos ||
        std::any_of(traces.names.begin(), traces.names.end(), [&](const std::string& name) {
          return document.find(name) != std::string_view::npos;
        });
    if (mentioned) conversations.emplace_back(key, document);
  });
  if (store.get(records::conversations, user)) {
    batch.erase(std::string(records::conversations), user);
  }
  for (const auto& [key, text] : conversations) {
    json document = json::parse(text, nullptr, false);
    if (scrub(document, traces)) {
      batch.put(std::string(records::conversations), key, document.dump());
    }
  }
  return rewritten;
}

}  // namespace prik::bot
