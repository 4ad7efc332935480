// Coordinators: who hears about what, and what they are told.
//
// Pure functions over the catalog, the texts and a read view of the store. The bot core calls
// notify() after it has committed a command's effect (so the notice can carry the application's
// id for "godkend A-00017" and the Approve/Decline buttons), and daily_digest() once a day per
// campaign; it puts the resulting messages in the durable outbox.
//
// Routing: a notice about an entry goes to the coordinators of the lead the entry works under; a
// lead with nobody configured passes it up its own works_under chain, and the top of the chain
// to the campaign's fallback (the coordination group). A route's users are written to in a DM
// (Outgoing::conversation empty); its channel ("slack:C0123", "matrix:!room:server") gets one
// message with Outgoing::to set to the channel ref and Outgoing::conversation to the platform's
// own id ("C0123", "!room:server"). Texts are in the coordinator's language as the view knows it,
// else the campaign's default language.
//
// Coordinator commands typed in chat (status/dækning, ansøgninger, godkend, afvis) and the
// Approve/Decline buttons ("coord.approve.<id>", "coord.decline.<id>") are handled by the
// conversation engine, which uses is_coordinator() to refuse everyone else politely.
#pragma once

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "dialogs/catalog.hpp"
#include "dialogs/message.hpp"
#include "dialogs/texts.hpp"
#include "dialogs/view.hpp"

namespace prik::dialogs {

// What a notice is about. Each carries what the coordinators are shown.
struct ApplicationSubmitted {
  ApplicationDetails application;  // alone or as a pair: see partner
};
struct PartnerConfirmed {
  ApplicationDetails application;
};
struct ApplicationWithdrawn {
  ApplicationDetails application;
};
struct NudgeInterest {  // a nudged friend wants to hear more
  NudgeSummary nudge;
  std::string friend_name;  // display name when known
};
struct HumanRequested {
  HandoffSummary handoff;
  UserRef user;
  std::string display_name;
  std::string conversation;  // where the person can be reached
};
using Notice = std::variant<ApplicationSubmitted, PartnerConfirmed, ApplicationWithdrawn,
                            NudgeInterest, HumanRequested>;

struct CoordinatorContext {
  const Catalog& catalog;
  const Texts& texts;
  const StoreView& view;
  std::string campaign_id;  // for notices not about an entry (a request for a human)
  Language default_language = Language::da;
};

// The messages that tell the right coordinators about a notice; empty when nobody is configured.
std::vector<Outgoing> notify(const Notice& notice, const CoordinatorContext& context);

// True when the person is a configured coordinator (a route's user) of any campaign, or the
// message came from a configured coordinator channel.
bool is_coordinator(const Catalog& catalog, const UserRef& user, const std::string& conversation);

struct DigestRules {
  int vacant_days = 14;   // roles vacant for longer than this are listed
  int waiting_days = 3;   // applications waiting for longer than this are listed
  int deadline_days = 7;  // positions whose deadline is this close are listed
};

// The daily digest for a campaign: to each lead's route the roles under it (directly or through
// leads with nobody configured) vacant for more than vacant_days and applications waiting more
// than waiting_days; to the fallback, everything, plus positions whose deadline is within
// deadline_days. A route with nothing to report gets no message.
std::vector<Outgoing> daily_digest(const CoordinatorContext& context, const DigestRules& rules,
                                   std::chrono::sys_seconds now);

}  // namespace prik::dialogs
