// The role catalog: campaigns, the roles and leads they consist of, and paid positions.
//
// Plain data, built by the loader in bot/ from config/catalogs/*.json and read by the dialogs
// and the matcher. Immutable after loading; safe to share between threads.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace prik::dialogs {

enum class Language { da, en };

// "da" or "en"; nullopt for anything else.
std::optional<Language> parse_language(std::string_view code);
const char* language_code(Language language);

// A text in both of the catalog's languages.
struct LocalizedText {
  std::string da;
  std::string en;
  const std::string& in(Language language) const { return language == Language::da ? da : en; }
};

enum class EntryKind {
  role,      // a volunteer role people can apply for
  lead,      // a lead roles work under (kampagnelederen, ...); described, not applied for
  position,  // a paid position with a deadline
};

struct PositionDetails {
  LocalizedText hours;         // "30-37 timer om ugen"
  LocalizedText place;         // "Ved Nørreport, København"
  LocalizedText start;         // "1. marts"
  LocalizedText how_to_apply;  // "Send ansøgningen som én samlet PDF til job@alternativet.dk"
  std::string contact_email;
  std::chrono::sys_seconds deadline;  // the moment applications close (UTC)
  std::string deadline_local;         // as the source states it, e.g. "2026-05-25 12:00"
};

struct Entry {
  std::string id;  // stable, ascii, e.g. "okonomiansvarlig"
  EntryKind kind = EntryKind::role;
  LocalizedText title;
  LocalizedText purpose;
  std::vector<LocalizedText> tasks;
  std::optional<std::string> works_under;  // id of the lead entry; nullopt: works with everyone
  LocalizedText works_under_note;          // free text when the relation is special ("alle")
  std::vector<std::string> interests;      // interest ids (Campaign::interests)
  std::vector<std::string> keywords;       // Danish and English words that point to this role
  int hours_min = 0;                       // expected hours a week
  int hours_max = 0;
  int places = 1;  // how many people the role takes
  std::optional<PositionDetails> position;

  // A position past its deadline is closed; roles and leads are always open.
  bool is_open(std::chrono::sys_seconds now) const { return !position || now < position->deadline; }
};

struct Interest {
  std::string id;  // "economy"
  LocalizedText label;
  std::vector<std::string> synonyms;  // words a person might type for it, both languages
};

// Who hears about what happens under one lead.
struct CoordinatorRoute {
  std::vector<std::string> users;  // UserRefs
  std::string channel;             // "slack:C0123" or "matrix:!room:server"; empty: none
};

struct Campaign {
  std::string id;  // "kv17-kbh"
  LocalizedText name;
  std::string contact_email;
  std::vector<Interest> interests;
  std::vector<Entry> entries;
  std::map<std::string, CoordinatorRoute> coordinators;  // lead id -> route
  CoordinatorRoute fallback;                             // the coordination group

  const Entry* find(std::string_view entry_id) const;
};

struct Catalog {
  std::vector<Campaign> campaigns;

  const Campaign* find_campaign(std::string_view campaign_id) const;
  // Looks an entry up across all campaigns (ids are unique across the catalog).
  const Entry* find_entry(std::string_view entry_id) const;
  const Campaign* campaign_of(std::string_view entry_id) const;
};

}  // namespace prik::dialogs
