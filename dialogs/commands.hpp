// Commands: what a turn asks the bot's services to do. Dialogs never do I/O; the bot core
// carries out a turn's commands in the same store batch as the new conversation state, and routes
// the coordinators' notifications they cause (dialogs/coordinators.hpp) through the same outbox.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "dialogs/message.hpp"
#include "dialogs/view.hpp"

namespace prik::dialogs {

struct SubmitApplication {
  UserRef user;
  std::string display_name;
  std::string entry_id;
  std::string words;                   // about themselves and why they want the role
  std::optional<std::string> partner;  // a pair application: the partner's UserRef or name
  // The partner is a UserRef Prik can write to: the application waits for their confirmation, and
  // partner_request goes to them (its text asks them to confirm).
  std::optional<Outgoing> partner_request;
};

struct WithdrawApplication {
  UserRef user;
  std::string entry_id;
};

// A pair partner's answer to a partner request (ApplicationDetails::partner_status).
struct ConfirmPartner {
  UserRef partner;
  std::string application_id;
  bool accepted = false;
};

// A request to talk to a human coordinator.
struct RequestHuman {
  UserRef user;
  std::string display_name;
  std::string conversation;  // where the person can be reached
  std::string words;         // what they want to talk about, if they said
};

// A tap on a friend's shoulder, after the nudger confirmed. The dialog checked the nudge rules
// against the view; the bot core checks them again when it commits (two people may nudge the same
// friend at once) and drops the nudge, logging why, when they no longer hold.
struct SendNudge {
  UserRef from;
  std::string from_name;
  UserRef to;
  std::string entry_id;  // empty: the campaign in general
  bool named = false;    // the friend may be told who sent it
  Outgoing message;      // the one message to the friend, with its three choices
};

// The friend's answer. With NudgeAnswer::never the bot stores an opt-out (as a one-way hash of the
// UserRef) that no later nudge crosses and that outlives "delete my data".
struct AnswerNudge {
  UserRef user;
  std::string nudge_id;
  NudgeAnswer answer = NudgeAnswer::none;
};

// A coordinator approves an application: the role's place is filled.
struct ApproveApplication {
  UserRef by;
  std::string application_id;
};

// A coordinator declines an application, with an optional message for the volunteer.
struct DeclineApplication {
  UserRef by;
  std::string application_id;
  std::string message;
};

// "Delete my data" (or `prik forget`): erase everything stored about the person except the
// opt-out hash; their applications stay only as anonymous counts. The turn's conversation state
// is not stored after this command.
struct ForgetPerson {
  UserRef user;
};

using Command =
    std::variant<SubmitApplication, WithdrawApplication, ConfirmPartner, RequestHuman, SendNudge,
                 AnswerNudge, ApproveApplication, DeclineApplication, ForgetPerson>;

}  // namespace prik::dialogs
