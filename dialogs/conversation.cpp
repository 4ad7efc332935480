#include "dialogs/conversation.hpp"

#include <nlohmann/json.hpp>

namespace prik::dialogs {

nlohmann::json Conversation::to_json() const {
  nlohmann::json document = {{"state", state},    {"interests", interests},
                             {"about", about},    {"entry_id", entry_id},
                             {"words", words},    {"partner_label", partner_label},
                             {"offered", offered}};
  if (!nudge_friend.empty()) {
    document["nudge_friend"] = nudge_friend;
    document["nudge_friend_label"] = nudge_friend_label;
  }
  if (language) document["language"] = language_code(*language);
  if (hours_per_week) document["hours_per_week"] = *hours_per_week;
  if (partner) document["partner"] = *partner;
  return document;
}

Conversation Conversation::from_json(const nlohmann::json& document) {
  if (!document.is_object()) return {};
  try {
    Conversation conversation;
    if (const auto found = document.find("language"); found != document.end()) {
      conversation.language = parse_language(found->get<std::string>());
    }
    conversation.state = document.value("state", conversation.state);
    conversation.interests = document.value("interests", std::vector<std::string>{});
    conversation.about = document.value("about", std::string{});
    if (const auto found = document.find("hours_per_week"); found != document.end()) {
      conversation.hours_per_week = found->get<int>();
    }
    conversation.entry_id = document.value("entry_id", std::string{});
    conversation.words = document.value("words", std::string{});
    if (const auto found = document.find("partner"); found != document.end()) {
      conversation.partner = found->get<std::string>();
    }
    conversation.partner_label = document.value("partner_label", std::string{});
    conversation.offered = document.value("offered", std::vector<std::string>{});
    conversation.nudge_friend = document.value("nudge_friend", std::string{});
    conversation.nudge_friend_label = document.value("nudge_friend_label", std::string{});
    return conversation;
  } catch (const nlohmann::json::exception&) {
    return {};
  }
}

}  // namespace prik::dialogs
