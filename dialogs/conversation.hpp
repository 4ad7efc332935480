// A person's conversation state: where they are in a dialog and what they have told Prik so far.
// Stored as one JSON document per person; from_json() of anything unreadable gives a fresh
// conversation rather than failing, so a damaged or old document never locks someone out.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dialogs/catalog.hpp"

namespace prik::dialogs {

struct Conversation {
  std::optional<Language> language;  // chosen or detected; remembered across "start over"
  std::string state = "start";       // the dialog step
  // The step's working data (interview answers, the role being applied for, ...).
  std::vector<std::string> interests;
  std::string about;
  std::optional<int> hours_per_week;
  std::string entry_id;
  std::string words;
  std::optional<std::string> partner;  // a pair application: the partner's UserRef or name
  std::string partner_label;           // the partner as the person wrote it, for showing
  std::string nudge_friend;            // a tap on the shoulder: the friend's UserRef
  std::string nudge_friend_label;      // the friend as the person wrote it, for showing
  std::vector<std::string> offered;    // choice ids shown last, so "2" means the second of them

  nlohmann::json to_json() const;
  static Conversation from_json(const nlohmann::json& document);
};

}  // namespace prik::dialogs
