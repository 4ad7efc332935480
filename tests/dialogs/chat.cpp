#include "tests/dialogs/chat.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <variant>

namespace prik::dialogs::testing {
namespace {

LocalizedText both(std::string da, std::string en) { return {std::move(da), std::move(en)}; }

Texts::Table read_table(const std::string& language) {
  std::ifstream in(std::string(PRIK_SOURCE_DIR) + "/config/messages/" + language + ".json");
  const auto document = nlohmann::json::parse(in);
  Texts::Table table;
  for (const auto& [key, value] : document.items()) table.emplace(key, value.get<std::string>());
  return table;
}

Entry role(std::string id, LocalizedText title, LocalizedText purpose,
           std::vector<LocalizedText> tasks, std::optional<std::string> works_under,
           std::vector<std::string> interests, std::vector<std::string> keywords) {
  Entry entry;
  entry.id = std::move(id);
  entry.title = std::move(title);
  entry.purpose = std::move(purpose);
  entry.tasks = std::move(tasks);
  entry.works_under = std::move(works_under);
  entry.interests = std::move(interests);
  entry.keywords = std::move(keywords);
  entry.hours_min = 2;
  entry.hours_max = 5;
  return entry;
}

}  // namespace

// Replies never show a raw text key or an unfilled placeholder.
void expect_rendered(const Outgoing& reply) {
  std::vector<std::string> shown = {reply.text};
  for (const auto& choice : reply.choices) shown.push_back(choice.label);
  for (const auto& text : shown) {
    EXPECT_FALSE(text.empty());
    for (const auto& [key, placeholders] : text_keys()) {
      EXPECT_NE(text, key);
      for (const auto& name : placeholders) {
        EXPECT_EQ(text.find("{" + name + "}"), std::string::npos) << text;
      }
    }
  }
}

std::chrono::sys_seconds test_now() {
  using namespace std::chrono;
  return sys_days{year{2026} / November / 23} + hours{12};
}

Catalog test_catalog() {
  using namespace std::chrono;
  Campaign kbh;
  kbh.id = kCampaign;
  kbh.name = both("Alternativet KV17 København", "The Alternative KV17 Copenhagen");
  kbh.contact_email = "kv17.kbh@alternativet.dk";
  kbh.interests = {
      {"economy", both("Økonomi", "Economy"), {"penge", "budget", "regnskab", "money"}},
      {"communication", both("Kommunikation", "Communication"), {"presse", "skrive", "writing"}},
      {"education", both("Uddannelse", "Education"), {"undervisning", "teaching"}},
      {"community", both("Fællesskab", "Community"), {"fest", "hygge", "party"}},
      {"purchasing", both("Indkøb", "Purchasing"), {"indkob", "buying"}},
  };
  Entry organiser = role(
      "organisatorisk-leder", both("Organisatorisk leder", "Organisational lead"),
      both("Sikrer at organisationen kører.", "Makes sure the organisation runs."),
      {both("Følge op på økonomi", "Follow up on the economy")}, std::nullopt, {"economy"}, {});
  organiser.kind = EntryKind::lead;
  Entry teacher =
      role("uddannelsesleder", both("Uddannelsesleder", "Head of education"),
           both("Klæder kandidaterne på.", "Prepares the candidates."),
           {both("Sikre uddannelse", "Ensure training")}, std::nullopt, {"education"}, {});
  teacher.kind = EntryKind::lead;
  kbh.entries.push_back(organiser);
  kbh.entries.push_back(teacher);
  kbh.entries.push_back(
      role("okonomiansvarlig", both("Økonomiansvarlig", "Treasurer"),
           both("Sikrer at budgettet bliver overholdt.", "Makes sure the budget holds."),
           {both("Oprettelse af konto", "Opening an account"),
            both("Fast opfølgning på budgettet", "Regular follow-up on the budget")},
           "organisatorisk-leder", {"economy"}, {"budget", "regnskab", "penge", "accounting"}));
  kbh.entries.push_back(role(
      "kommunikationsansvarlig", both("Kommunikationsansvarlig", "Communication coordinator"),
      both("Sikrer god og effektiv kommunikation.", "Ensures good and effective communication."),
      {both("Lave en plan for intern kommunikation", "Plan internal communication")},
      "organisatorisk-leder", {"communication"}, {"presse", "sociale medier", "press"}));
  Entry team = role("teambuilder", both("Teambuilder(e)", "Team builder(s)"),
                    both("Skaber holdånd blandt kandidater.", "Builds team spirit."),
                    {both("Koordinere events", "Coordinate events")}, "uddannelsesleder",
                    {"education", "community"}, {"events", "holdaand"});
  team.places = 2;
  kbh.entries.push_back(team);
  Entry community =
      role("faellesskaber", both("Fællesskaber(e)", "Community builder(s)"),
           both("Skaber rammer for personlige relationer.", "Makes room for relationships."),
           {both("Sjov, fest og hygge", "Fun, parties and cosiness")}, std::nullopt, {"community"},
           {"fest", "hygge"});
  community.works_under_note = both("lidt rundt om, nedenunder, henover og lidt over det hele",
                                    "a bit around, under, across and over everything");
  kbh.entries.push_back(community);

  Campaign secretariat;
  secretariat.id = "landssekretariatet";
  secretariat.name = both("Landssekretariatet", "The national secretariat");
  secretariat.contact_email = "job@alternativet.dk";
  const auto position = [](std::string id, LocalizedText title, sys_seconds deadline,
                           std::string deadline_local) {
    Entry entry;
    entry.id = std::move(id);
    entry.kind = EntryKind::position;
    entry.title = std::move(title);
    entry.purpose = both("En lønnet stilling.", "A paid position.");
    PositionDetails details;
    details.hours = both("30-37 timer om ugen", "30-37 hours a week");
    details.place = both("Ved Nørreport, København", "Near Nørreport, Copenhagen");
    details.start = both("1. marts", "1 March");
    details.how_to_apply = both("Send ansøgningen som én samlet PDF.", "Send one PDF.");
    details.contact_email = "job@alternativet.dk";
    details.deadline = deadline;
    details.deadline_local = std::move(deadline_local);
    entry.position = details;
    return entry;
  };
  secretariat.entries.push_back(position("demokratiudvikler",
                                         both("Demokratiudvikler", "Democracy developer"),
                                         sys_days{year{2027} / January / 5}, "2027-01-05"));
  secretariat.entries.push_back(
      position("sekretariatschef", both("Sekretariatschef", "Head of secretariat"),
               sys_days{year{2026} / May / 25} + hours{10}, "2026-05-25 12:00"));
  Catalog catalog;
  catalog.campaigns = {kbh, secretariat};
  return catalog;
}

Texts shipped_texts() { return Texts(read_table("da"), read_table("en")); }

std::vector<ApplicationSummary> MemoryView::applications_of(const UserRef& user) const {
  const auto found = applications_.find(user);
  return found == applications_.end() ? std::vector<ApplicationSummary>{} : found->second;
}

RoleCoverage MemoryView::coverage(std::string_view entry_id) const {
  RoleCoverage coverage;
  for (const auto& [user, applications] : applications_) {
    for (const auto& application : applications) {
      if (application.entry_id != entry_id) continue;
      if (application.status == ApplicationStatus::pending) ++coverage.pending;
      if (application.status == ApplicationStatus::approved) ++coverage.filled;
    }
  }
  // Coordinators: when the role has been vacant since, as the test set it.
  if (const auto since = vacant_since_.find(entry_id); since != vacant_since_.end()) {
    coverage.vacant_since = since->second;
  }
  return coverage;
}

void MemoryView::add(const UserRef& user, ApplicationSummary application) {
  if (application.id.empty()) application.id = "a" + std::to_string(next_id_++);
  applications_[user].push_back(std::move(application));
}

void MemoryView::apply(const std::vector<Command>& commands) {
  for (const auto& command : commands) {
    history_.push_back(command);
    if (const auto* submit = std::get_if<SubmitApplication>(&command)) {
      add(submit->user, {{}, submit->entry_id, ApplicationStatus::pending, submit->partner, {}});
    } else if (const auto* withdraw = std::get_if<WithdrawApplication>(&command)) {
      for (auto& application : applications_[withdraw->user]) {
        if (application.entry_id == withdraw->entry_id) {
          application.status = ApplicationStatus::withdrawn;
        }
      }
    }
  }
}

// --- Coordinators ---
std::optional<ApplicationDetails> MemoryView::application(std::string_view id) const {
  for (const auto& [user, applications] : applications_) {
    for (const auto& summary : applications) {
      if (summary.id != id) continue;
      ApplicationDetails details;
      static_cast<ApplicationSummary&>(details) = summary;
      details.user = user;
      if (const auto person = people_.find(id); person != people_.end()) {
        details.display_name = person->second.display_name;
        details.words = person->second.words;
      }
      return details;
    }
  }
  return std::nullopt;
}

std::vector<ApplicationDetails> MemoryView::applications_for(std::string_view entry_id) const {
  std::vector<ApplicationDetails> found;
  for (const auto& [user, applications] : applications_) {
    for (const auto& summary : applications) {
      if (summary.entry_id == entry_id) found.push_back(*application(summary.id));
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.submitted < b.submitted; });
  return found;
}

std::optional<Language> MemoryView::language_of(const UserRef& user) const {
  const auto found = languages_.find(user);
  if (found == languages_.end()) return std::nullopt;
  return found->second;
}

void MemoryView::add(ApplicationDetails application) {
  people_[application.id] = {application.user, application.display_name, application.words};
  add(application.user, static_cast<const ApplicationSummary&>(application));
}

void MemoryView::set_status(std::string_view id, ApplicationStatus status) {
  for (auto& [user, applications] : applications_) {
    for (auto& application : applications) {
      if (application.id == id) application.status = status;
    }
  }
}

Catalog coordinated_catalog() {
  Catalog catalog = test_catalog();
  Campaign& kbh = catalog.campaigns.at(0);
  for (auto& entry : kbh.entries) {
    if (entry.id == "uddannelsesleder") entry.works_under = "organisatorisk-leder";
  }
  kbh.coordinators["organisatorisk-leder"] = {{kOrganiserSlack, kOrganiserConsole},
                                              kOrganiserChannel};
  kbh.coordinators["uddannelsesleder"] = {};
  kbh.fallback = {{kGroupConsole, kOrganiserSlack}, kGroupRoom};
  catalog.campaigns.at(1).fallback = {{kSecretariatConsole}, ""};
  return catalog;
}
// --- end of coordinators ---

World::World() : World(test_catalog(), shipped_texts(), test_now()) {}

World::World(Catalog catalog_, Texts texts_, std::chrono::sys_seconds now_)
    : catalog(std::move(catalog_)), texts(std::move(texts_)), matcher(catalog), now(now_) {}

Context World::context(Language default_language) const {
  return Context{catalog, texts, matcher, view, now, default_language, kCampaign};
}

Chat::Chat(World& world, UserRef user, std::string locale)
    : world_(world), user_(std::move(user)), locale_(std::move(locale)) {}

TurnResult Chat::say(const std::string& text) {
  Incoming incoming;
  incoming.text = text;
  return send(std::move(incoming));
}

TurnResult Chat::click(const std::string& choice_id) {
  Incoming incoming;
  incoming.choice_id = choice_id;
  return send(std::move(incoming));
}

TurnResult Chat::send(Incoming incoming) {
  incoming.user = user_;
  incoming.conversation = "dm-" + user_;
  incoming.event_id = "event-" + std::to_string(++events_);
  if (incoming.locale.empty()) incoming.locale = locale_;
  if (incoming.display_name.empty()) incoming.display_name = "Anna";
  TurnResult result = handle_turn(conversation_, incoming, world_.context());
  for (const auto& reply : result.replies) {
    EXPECT_EQ(reply.to, user_);
    EXPECT_EQ(reply.conversation, incoming.conversation);
    expect_rendered(reply);
  }
  world_.view.apply(result.commands);
  // Stored and loaded between turns, as the bot does.
  conversation_ =
      Conversation::from_json(nlohmann::json::parse(result.conversation.to_json().dump()));
  return result;
}

std::string all_text(const TurnResult& result) {
  std::string text;
  for (const auto& reply : result.replies) text += reply.text + "\n";
  return text;
}

std::vector<std::string> last_choices(const TurnResult& result) {
  for (auto reply = result.replies.rbegin(); reply != result.replies.rend(); ++reply) {
    if (reply->choices.empty()) continue;
    std::vector<std::string> ids;
    for (const auto& choice : reply->choices) ids.push_back(choice.id);
    return ids;
  }
  return {};
}

bool offers(const TurnResult& result, const std::string& choice_id) {
  const auto ids = last_choices(result);
  return std::find(ids.begin(), ids.end(), choice_id) != ids.end();
}

}  // namespace prik::dialogs::testing
