// Commands: what a turn asks the bot's services to do. Dialogs never do I/O; the bot core
// carries out a turn's commands in the same store batch as the new conversation state.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "dialogs/message.hpp"

namespace prik::dialogs {

struct SubmitApplication {
  UserRef user;
  std::string display_name;
  std::string entry_id;
  std::string words;                   // about themselves and why they want the role
  std::optional<std::string> partner;  // a pair application: the partner's UserRef or name
};

struct WithdrawApplication {
  UserRef user;
  std::string entry_id;
};

// A hand-off to a human coordinator.
struct RequestHuman {
  UserRef user;
  std::string display_name;
  std::string conversation;  // where the person can be reached
  std::string words;         // what they want to talk about, if they said
};

using Command = std::variant<SubmitApplication, WithdrawApplication, RequestHuman>;

}  // namespace prik::dialogs
