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
  std::vector<ApplicationSummary> found;
  for (const auto& application : applications_) {
    if (application.user == user) found.push_back(application);
  }
  return found;
}

RoleCoverage MemoryView::coverage(std::string_view entry_id) const {
  RoleCoverage coverage;
  for (const auto& application : applications_) {
    if (application.entry_id != entry_id) continue;
    if (application.status == ApplicationStatus::pending) ++coverage.pending;
    if (application.status == ApplicationStatus::approved) ++coverage.filled;
  }
  if (const auto since = vacant_since_.find(entry_id); since != vacant_since_.end()) {
    coverage.vacant_since = since->second;
  }
  return coverage;
}

std::optional<ApplicationDetails> MemoryView::application(std::string_view id) const {
  for (const auto& application : applications_) {
    if (application.id == id) return application;
  }
  return std::nullopt;
}

std::vector<ApplicationDetails> MemoryView::applications_for(std::string_view entry_id) const {
  std::vector<ApplicationDetails> found;
  for (const auto& application : applications_) {
    if (application.entry_id == entry_id) found.push_back(application);
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.submitted < b.submitted; });
  return found;
}

std::vector<ApplicationDetails> MemoryView::partner_requests_for(const UserRef& user) const {
  std::vector<ApplicationDetails> found;
  for (const auto& application : applications_) {
    if (application.partner == user && application.status == ApplicationStatus::pending &&
        application.partner_status == PartnerStatus::waiting) {
      found.insert(found.begin(), application);  // newest first
    }
  }
  return found;
}

std::optional<Language> MemoryView::language_of(const UserRef& user) const {
  const auto found = languages_.find(user);
  if (found == languages_.end()) return std::nullopt;
  return found->second;
}

int MemoryView::nudges_sent_since(const UserRef& from, std::chrono::sys_seconds since) const {
  return static_cast<int>(std::count_if(nudges_.begin(), nudges_.end(), [&](const auto& nudge) {
    return nudge.from == from && nudge.sent >= since;
  }));
}

std::optional<std::chrono::sys_seconds> MemoryView::last_nudged(const UserRef& to) const {
  std::optional<std::chrono::sys_seconds> last;
  for (const auto& nudge : nudges_) {
    if (nudge.to == to && (!last || nudge.sent > *last)) last = nudge.sent;
  }
  return last;
}

bool MemoryView::opted_out(const UserRef& user) const { return opted_out_.contains(user); }

std::optional<NudgeSummary> MemoryView::open_nudge_for(const UserRef& to) const {
  for (auto nudge = nudges_.rbegin(); nudge != nudges_.rend(); ++nudge) {
    if (nudge->to == to && nudge->answer == NudgeAnswer::none) return *nudge;
  }
  return std::nullopt;
}

PersonalData MemoryView::personal_data(const UserRef& user) const {
  PersonalData data;
  for (const auto& application : applications_) {
    if (application.user == user || application.partner == user) {
      data.applications.push_back(application);
    }
  }
  for (const auto& nudge : nudges_) {
    if (nudge.from == user) data.nudges_sent.push_back(nudge);
    if (nudge.to == user) data.nudges_received.push_back(nudge);
  }
  for (const auto& [who, handoff] : handoffs_) {
    if (who == user) data.handoffs.push_back(handoff);
  }
  data.opted_out = opted_out(user);
  return data;
}

void MemoryView::add(const UserRef& user, ApplicationSummary application) {
  if (application.id.empty()) application.id = "a" + std::to_string(next_id_++);
  ApplicationDetails details;
  static_cast<ApplicationSummary&>(details) = std::move(application);
  details.user = user;
  applications_.push_back(std::move(details));
}

void MemoryView::add(ApplicationDetails application) {
  if (application.id.empty()) application.id = "a" + std::to_string(next_id_++);
  applications_.push_back(std::move(application));
}

void MemoryView::set_status(std::string_view id, ApplicationStatus status) {
  for (auto& application : applications_) {
    if (application.id == id) application.status = status;
  }
}

void MemoryView::add_nudge(NudgeSummary nudge) {
  if (nudge.id.empty()) nudge.id = "N-" + std::to_string(next_id_++);
  nudges_.push_back(std::move(nudge));
}

void MemoryView::set_language(const UserRef& user, Language language) {
  languages_[user] = language;
}

std::vector<Outgoing> MemoryView::messages_to(const UserRef& user) const {
  std::vector<Outgoing> found;
  for (const auto& message : sent_) {
    if (message.to == user) found.push_back(message);
  }
  return found;
}

void MemoryView::apply(const std::vector<Command>& commands, std::chrono::sys_seconds now) {
  const auto find_application = [&](const std::string& id) -> ApplicationDetails* {
    for (auto& application : applications_) {
      if (application.id == id) return &application;
    }
    return nullptr;
  };
  for (const auto& command : commands) {
    history_.push_back(command);
    if (const auto* submit = std::get_if<SubmitApplication>(&command)) {
      ApplicationDetails application;
      application.id = "A-" + std::to_string(next_id_++);
      application.entry_id = submit->entry_id;
      application.partner = submit->partner;
      application.submitted = now;
      application.updated = now;
      application.partner_status =
          submit->partner_request ? PartnerStatus::waiting : PartnerStatus::none;
      application.user = submit->user;
      application.display_name = submit->display_name;
      application.words = submit->words;
      applications_.push_back(application);
      if (submit->partner_request) deliver(*submit->partner_request);
    } else if (const auto* withdraw = std::get_if<WithdrawApplication>(&command)) {
      for (auto& application : applications_) {
        if (application.user == withdraw->user && application.entry_id == withdraw->entry_id) {
          application.status = ApplicationStatus::withdrawn;
        }
      }
    } else if (const auto* confirm = std::get_if<ConfirmPartner>(&command)) {
      if (auto* application = find_application(confirm->application_id)) {
        application->partner_status =
            confirm->accepted ? PartnerStatus::confirmed : PartnerStatus::declined;
      }
    } else if (const auto* human = std::get_if<RequestHuman>(&command)) {
      handoffs_.push_back(
          {human->user, {"H-" + std::to_string(next_id_++), human->words, now, "open"}});
    } else if (const auto* nudge = std::get_if<SendNudge>(&command)) {
      add_nudge({{},
                 nudge->from,
                 nudge->from_name,
                 nudge->to,
                 nudge->entry_id,
                 nudge->named,
                 now,
                 NudgeAnswer::none});
      deliver(nudge->message);
    } else if (const auto* answer = std::get_if<AnswerNudge>(&command)) {
      for (auto& stored : nudges_) {
        if (stored.id == answer->nudge_id) stored.answer = answer->answer;
      }
      if (answer->answer == NudgeAnswer::never) opted_out_.insert(answer->user);
    } else if (const auto* approve = std::get_if<ApproveApplication>(&command)) {
      if (auto* application = find_application(approve->application_id)) {
        application->status = ApplicationStatus::approved;
      }
    } else if (const auto* decline = std::get_if<DeclineApplication>(&command)) {
      if (auto* application = find_application(decline->application_id)) {
        application->status = ApplicationStatus::declined;
      }
    } else if (const auto* forget = std::get_if<ForgetPerson>(&command)) {
      const UserRef& user = forget->user;
      for (auto& application : applications_) {
        if (application.user == user) {  // an anonymous count stays
          application.user.clear();
          application.display_name.clear();
          application.words.clear();
          application.partner.reset();
          application.partner_status = PartnerStatus::none;
        }
        if (application.partner == user) {
          application.partner.reset();
          application.partner_status = PartnerStatus::none;
        }
      }
      std::erase_if(nudges_, [&](const auto& n) { return n.from == user || n.to == user; });
      std::erase_if(handoffs_, [&](const auto& handoff) { return handoff.first == user; });
      languages_.erase(user);
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

World::World() : World(test_catalog(), shipped_texts(), test_now()) {}

World::World(Catalog catalog_, Texts texts_, std::chrono::sys_seconds now_)
    : catalog(std::move(catalog_)), texts(std::move(texts_)), matcher(catalog), now(now_) {}

Context World::context(Language default_language) const {
  return Context{catalog, texts, matcher, view, now, default_language, kCampaign, nudge_rules};
}

Chat::Chat(World& world, UserRef user, std::string locale, std::string display_name)
    : world_(world),
      user_(std::move(user)),
      locale_(std::move(locale)),
      display_name_(std::move(display_name)) {}

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
  if (incoming.display_name.empty()) incoming.display_name = display_name_;
  TurnResult result = handle_turn(conversation_, incoming, world_.context());
  for (const auto& reply : result.replies) {
    expect_rendered(reply);
    if (reply.to == user_) {
      EXPECT_EQ(reply.conversation, incoming.conversation);
    } else {  // to someone else: in their DM
      EXPECT_EQ(reply.conversation, "");
      world_.view.deliver(reply);
    }
  }
  if (result.conversation.language) world_.view.set_language(user_, *result.conversation.language);
  world_.view.apply(result.commands, world_.now);
  const bool forgotten = std::any_of(result.commands.begin(), result.commands.end(), [&](auto& c) {
    const auto* forget = std::get_if<ForgetPerson>(&c);
    return forget && forget->user == user_;
  });
  // Stored and loaded between turns, as the bot does; not stored after ForgetPerson.
  conversation_ =
      forgotten
          ? Conversation{}
          : Conversation::from_json(nlohmann::json::parse(result.conversation.to_json().dump()));
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

std::vector<Outgoing> replies_to(const TurnResult& result, const UserRef& user) {
  std::vector<Outgoing> found;
  for (const auto& reply : result.replies) {
    if (reply.to == user) found.push_back(reply);
  }
  return found;
}

bool offers(const TurnResult& result, const std::string& choice_id) {
  const auto ids = last_choices(result);
  return std::find(ids.begin(), ids.end(), choice_id) != ids.end();
}

}  // namespace prik::dialogs::testing
