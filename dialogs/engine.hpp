// The conversation engine: one pure function per turn.
//
//   (Conversation, Incoming, Context) -> (Conversation', [Outgoing], [Command])
//
// No I/O and no clock of its own: everything it reads comes in through Context (catalog, texts,
// matcher, the time, a read view of the store). The bot core stores the Conversation as a JSON
// document, so a restart resumes mid-dialog.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "dialogs/catalog.hpp"
#include "dialogs/commands.hpp"
#include "dialogs/conversation.hpp"
#include "dialogs/matching.hpp"
#include "dialogs/message.hpp"
#include "dialogs/texts.hpp"
#include "dialogs/view.hpp"

namespace prik::dialogs {

// The limits on taps on the shoulder; configurable (config key "nudges").
struct NudgeRules {
  int per_volunteer_per_day = 3;  // nudges one person may send in any 24 hours
  int same_friend_days = 30;      // a friend is nudged at most once in this many days, by anyone
};

struct Context {
  const Catalog& catalog;
  const Texts& texts;
  const Matcher& matcher;
  const StoreView& view;
  std::chrono::sys_seconds now;
  Language default_language = Language::da;
  std::string campaign_id;  // the campaign volunteers are recruited for
  NudgeRules nudge_rules{};
};

struct TurnResult {
  Conversation conversation;
  std::vector<Outgoing> replies;
  std::vector<Command> commands;
};

TurnResult handle_turn(const Conversation& conversation, const Incoming& incoming,
                       const Context& context);

}  // namespace prik::dialogs
