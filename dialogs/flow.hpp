// The inside of the conversation engine, shared by engine.cpp and the flow_*.cpp files.
//
// A Turn is one handle_turn() call being computed: the conversation as it becomes, the replies
// and the commands so far. Each dialog step has a prompt (its question and choices) and an answer
// function (what it does with the step's own choices or free text). A Turn lives on the caller's
// stack for one call and is never shared between threads.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "dialogs/engine.hpp"
#include "dialogs/understand.hpp"

namespace prik::dialogs {

// Longest free text kept from a message (words for an application, a note for a coordinator).
inline constexpr std::size_t kMaxStoredTextBytes = 4000;

class Turn {
 public:
  Turn(const Conversation& conversation, const Incoming& incoming, const Context& context);

  const Context& context;
  const Incoming& incoming;
  Conversation conversation;
  Language language;
  std::vector<Outgoing> replies;
  std::vector<Command> commands;

  std::string text(std::string_view key, const Params& params = {}) const;
  // A choice with a fixed id, labelled by the message "choice.<id>".
  Choice choice(const std::string& id, const Params& params = {}) const;
  // A message without choices.
  void say(std::string message);
  // A message with choices; they become what a typed number refers to.
  void ask(std::string message, std::vector<Choice> choices);

  const Campaign* campaign() const;
  // The campaign's interests and entries; empty when the catalog lacks the campaign.
  const std::vector<Interest>& interests() const;
  const std::vector<Entry>& entries() const;
  const Interest* find_interest(std::string_view interest_id) const;
  std::string campaign_name() const;
  std::string display_name() const;
};

// What a person answered, understood against the choices shown last.
struct Answer {
  std::vector<std::string> chosen;  // choice ids, best first
  std::string text;                 // the cleaned text; empty for a button
  bool button = false;
  bool numbers_only = false;
  bool by_keyword_only = false;
  std::vector<int> unknown_numbers;
};

// Shows the step the conversation is at.
void prompt(Turn& turn);
// Moves to a step and shows it.
void go(Turn& turn, std::string state);
// Forgets the working data of the dialog (not the language) and shows the menu.
void go_menu(Turn& turn);

// Choices that work from any step: the menu's, navigation, a role, applying, withdrawing.
bool open(Turn& turn, const std::string& choice_id);

// Opens an entry's details; false when the id names no entry.
bool show_details(Turn& turn, const std::string& entry_id);
void start_interview(Turn& turn);
void begin_apply(Turn& turn, const std::string& entry_id, bool pair);
void begin_withdraw(Turn& turn, const std::string& entry_id);

// The steps (flow_roles.cpp).
void prompt_browse(Turn& turn);
void prompt_details(Turn& turn);
bool answer_details(Turn& turn, const Answer& answer);
void prompt_interests(Turn& turn);
bool answer_interests(Turn& turn, const Answer& answer);
void prompt_hours(Turn& turn);
bool answer_hours(Turn& turn, const Answer& answer);
void prompt_about(Turn& turn);
bool answer_about(Turn& turn, const Answer& answer);
void prompt_results(Turn& turn);

// The steps (flow_apply.cpp).
void prompt_partner(Turn& turn);
bool answer_partner(Turn& turn, const Answer& answer);
void prompt_words(Turn& turn);
bool answer_words(Turn& turn, const Answer& answer);
void prompt_confirm(Turn& turn);
bool answer_confirm(Turn& turn, const Answer& answer);
void prompt_mine(Turn& turn);
void prompt_withdraw(Turn& turn);
bool answer_withdraw(Turn& turn, const Answer& answer);
void prompt_human(Turn& turn);
bool answer_human(Turn& turn, const Answer& answer);

// The steps (flow_nudge.cpp): a tap on a friend's shoulder.
void begin_nudge(Turn& turn);
// "prik @ven [rolle]" typed at any step; in a step that takes free text only with an explicit
// friend (a mention or "@name"). False when the message is not such a command.
bool begin_nudge_from_words(Turn& turn, const std::string& text,
                            const std::vector<std::string>& typed, bool free_text_step);
void prompt_nudge_who(Turn& turn);
bool answer_nudge_who(Turn& turn, const Answer& answer);
void prompt_nudge_role(Turn& turn);
bool answer_nudge_role(Turn& turn, const Answer& answer);
void prompt_nudge_confirm(Turn& turn);
bool answer_nudge_confirm(Turn& turn, const Answer& answer);
// The friend's answer to an open nudge (a button anywhere; words only when `at_rest`, not in the
// middle of a dialog step). False when this message is no such answer.
bool answer_open_nudge(Turn& turn, const std::vector<std::string>& typed, bool at_rest);

// A pair partner's answer to a partner request (flow_apply.cpp), as answer_open_nudge().
bool answer_partner_request(Turn& turn, const std::vector<std::string>& typed, bool at_rest);

// The steps (flow_data.cpp): "my data" and "delete my data".
bool data_command(Turn& turn, const std::vector<std::string>& typed);
void prompt_data(Turn& turn);
void prompt_data_delete(Turn& turn);
bool answer_data_delete(Turn& turn, const Answer& answer);

// The phrases of a message-file key ("input.<id>"), in both languages.
const std::vector<std::string>& phrases_of(const Turn& turn, std::string_view key);

// The language Prik writes to someone else in: theirs when known, else the default.
Language language_for(const Turn& turn, const UserRef& user);
// How to show a person when no display name is known: their UserRef without the platform.
std::string shown_name(const UserRef& user);
// "2026-11-23" (UTC).
std::string date_of(std::chrono::sys_seconds time);

// The entry's title in the turn's language; the id itself when the catalog no longer has it.
std::string title_of(const Turn& turn, const std::string& entry_id);

// "waiting for a coordinator", "approved", ...
std::string status_text(const Turn& turn, ApplicationStatus status);

// True when the person has a pending or approved application for the entry.
bool has_active_application(const Turn& turn, const std::string& entry_id);

// "a, b, c": items joined for a sentence.
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace prik::dialogs
