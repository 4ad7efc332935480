// How coordinators are shown people and applications: shared by the notices and the digest
// (coordinators.cpp) and the coordinator commands (flow_coordinators.cpp). Internal to dialogs/.
// Pure functions over the texts and the view.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "dialogs/catalog.hpp"
#include "dialogs/message.hpp"
#include "dialogs/texts.hpp"
#include "dialogs/view.hpp"

namespace prik::dialogs {

// How a coordinator refers to a person on their platform: "<@U0456>" on Slack (a mention),
// "@bo:example.org" on Matrix, the console name in the terminal, the UserRef itself otherwise.
std::string mention_of(const UserRef& user);

// The person as a coordinator sees them: name and mention, or only the mention, or (for an
// application whose person deleted their data) a neutral phrase.
std::string who_text(const Texts& texts, Language language, const UserRef& user,
                     const std::string& display_name);

// An application's partner with their answer ("Bo (has confirmed)"); empty when alone.
std::string partner_text(const Texts& texts, Language language,
                         const ApplicationSummary& application);

// The applicant's own words, or a note that they wrote none.
std::string words_text(const Texts& texts, Language language, const std::string& words);

// An entry's title in a language; the id itself when the catalog no longer has the entry.
std::string entry_title(const Catalog& catalog, Language language, const std::string& entry_id);

// The language to write to a person in: the one they last used with Prik, else the fallback.
Language language_for(const StoreView& view, const UserRef& user, Language fallback);

// Whole days from `since` to `now` (0 when since is later).
long whole_days(std::chrono::sys_seconds since, std::chrono::sys_seconds now);

}  // namespace prik::dialogs
