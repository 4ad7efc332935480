#include "dialogs/matching.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <thread>

namespace prik::dialogs {
namespace {

using namespace std::chrono_literals;

const std::chrono::sys_seconds now{std::chrono::sys_days{std::chrono::year{2017} / 9 / 1}};

Entry role(std::string id, LocalizedText title, LocalizedText purpose,
           std::vector<LocalizedText> tasks, std::vector<std::string> interests,
           std::vector<std::string> keywords, int hours_min, int hours_max) {
  Entry entry;
  entry.id = std::move(id);
  entry.title = std::move(title);
  entry.purpose = std::move(purpose);
  entry.tasks = std::move(tasks);
  entry.interests = std::move(interests);
  entry.keywords = std::move(keywords);
  entry.hours_min = hours_min;
  entry.hours_max = hours_max;
  return entry;
}

Catalog test_catalog() {
  Campaign campaign;
  campaign.id = "kbh";
  campaign.interests = {
      {"economy", {"Økonomi", "Economy"}, {"penge", "money", "tal", "numbers"}},
      {"communication", {"Kommunikation", "Communication"}, {"sociale medier", "presse", "press"}},
      {"community", {"Fællesskab", "Community"}, {"hygge", "fest", "party"}},
  };
  campaign.entries.push_back(
      role("okonomiansvarlig", {"Økonomiansvarlig", "Treasurer"},
           {"Sikre at budgettet bliver overholdt", "Make sure the budget is kept"},
           {{"Udfærdigelse af budget", "Drawing up the budget"},
            {"Fast opfølgning på budgettet", "Regular follow-up on the budget"},
            {"Regnskabsansvarlig", "Responsible for the accounts"}},
           {"economy"}, {"regnskab", "bogføring", "accounts", "bookkeeping"}, 2, 5));
  campaign.entries.push_back(
      role("kommunikationsansvarlig", {"Kommunikationsansvarlig", "Communications officer"},
           {"Sikre god og effektiv kommunikation", "Ensure good and effective communication"},
           {{"Lave en plan for intern kommunikation", "Make a plan for internal communication"},
            {"Sikre eksekvering af ekstern kommunikation", "Carry out external communication"}},
           {"communication"}, {"presse", "nyhedsbrev", "press", "newsletter"}, 4, 8));
  campaign.entries.push_back(
      role("faellesskaber", {"Fællesskaber", "Community builder"},
           {"Skabe rammer for personlige relationer", "Create room for personal relationships"},
           {{"Sjov, fest og hygge", "Fun, parties and hygge"},
            {"Konfliktløsning", "Resolving conflicts"}},
           {"community"}, {"fællesskab", "community"}, 1, 3));
  campaign.entries.push_back(
      role("teambuilder", {"Teambuilder", "Team builder"},
           {"Skabe holdånd blandt kandidater", "Build team spirit among candidates"},
           {{"Koordinere events", "Coordinate events"}, {"Sikre motivation", "Keep motivation up"}},
           {"community"}, {"teambuilding"}, 1, 3));
  Entry lead;
  lead.id = "kampagneleder";
  lead.kind = EntryKind::lead;
  lead.title = {"Kampagneleder", "Campaign lead"};
  lead.keywords = {"budget"};
  campaign.entries.push_back(lead);

  Campaign secretariat;
  secretariat.id = "sekretariat";
  Entry open_position = role("udvikler", {"Udvikler", "Developer"}, {"Udvikle", "Develop"}, {}, {},
                             {"budget"}, 30, 37);
  open_position.kind = EntryKind::position;
  open_position.position = PositionDetails{};
  open_position.position->deadline = now + 24h;
  Entry closed_position = open_position;
  closed_position.id = "chef";
  closed_position.position->deadline = now - 1s;
  secretariat.entries = {open_position, closed_position};

  Catalog catalog;
  catalog.campaigns = {campaign, secretariat};
  return catalog;
}

class FakeView final : public StoreView {
 public:
  std::vector<ApplicationSummary> applications_of(const UserRef&) const override { return {}; }
  RoleCoverage coverage(std::string_view entry_id) const override {
    const auto found = coverage_.find(std::string(entry_id));
    return found == coverage_.end() ? RoleCoverage{} : found->second;
  }
  std::map<std::string, RoleCoverage> coverage_;
};

class MatcherTest : public ::testing::Test {
 protected:
  std::vector<RoleMatch> rank(MatchQuery query, std::string_view campaign = "kbh") const {
    return matcher_.rank(campaign, query, view_, now);
  }
  std::vector<RoleMatch> rank_text(std::string text, Language language = Language::da) const {
    return rank({.interests = {}, .text = std::move(text), .language = language});
  }
  static const MatchReason* reason(const RoleMatch& match, std::string_view key) {
    for (const MatchReason& r : match.reasons) {
      if (r.key == key) return &r;
    }
    return nullptr;
  }
  static std::string param(const MatchReason* r, std::string_view name) {
    if (!r) return "<no reason>";
    for (const auto& [key, value] : r->params) {
      if (key == name) return value;
    }
    return "<no param>";
  }
  static std::vector<std::string> ids(const std::vector<RoleMatch>& ranking) {
    std::vector<std::string> out;
    for (const RoleMatch& match : ranking) out.push_back(match.entry_id);
    return out;
  }

  Catalog catalog_ = test_catalog();
  Matcher matcher_{catalog_};
  FakeView view_;
};

TEST_F(MatcherTest, RanksEveryRoleOfTheCampaignButNotItsLeads) {
  const auto ranking = rank_text("");
  EXPECT_EQ(ids(ranking), (std::vector<std::string>{"faellesskaber", "kommunikationsansvarlig",
                                                    "okonomiansvarlig", "teambuilder"}));
}

TEST_F(MatcherTest, AnUnknownCampaignHasNoRoles) {
  EXPECT_TRUE(rank({.text = "budget"}, "x").empty());
}

TEST_F(MatcherTest, OffersOnlyPositionsStillOpen) {
  EXPECT_EQ(ids(rank({.text = "budget"}, "sekretariat")), (std::vector<std::string>{"udvikler"}));
}

TEST_F(MatcherTest, StemmingMatchesInflectedDanishWords) {
  const auto ranking = rank_text("Jeg har lavet mange budgetter");
  ASSERT_FALSE(ranking.empty());
  EXPECT_EQ(ranking[0].entry_id, "okonomiansvarlig");
  EXPECT_EQ(param(reason(ranking[0], "match.reason.words"), "words"), "budgetter");
}

TEST_F(MatcherTest, StemmingMatchesInflectedEnglishWords) {
  const auto ranking = rank_text("I love budgets and accounts", Language::en);
  EXPECT_EQ(ranking[0].entry_id, "okonomiansvarlig");
  EXPECT_EQ(param(reason(ranking[0], "match.reason.words"), "words"), "budgets and accounts");
}

TEST_F(MatcherTest, ListsTheVolunteersOwnWordsJoinedInTheirLanguage) {
  const auto ranking = rank_text("Budgetter, regnskab og bogføring");
  EXPECT_EQ(ranking[0].entry_id, "okonomiansvarlig");
  EXPECT_EQ(param(reason(ranking[0], "match.reason.words"), "words"),
            "Budgetter, regnskab og bogføring");
}

TEST_F(MatcherTest, MatchesWordsTypedWithoutDanishLetters) {
  EXPECT_EQ(rank_text("bogfoering")[0].entry_id, "okonomiansvarlig");
  EXPECT_EQ(rank_text("faellesskab")[0].entry_id, "faellesskaber");
  EXPECT_EQ(rank_text("fallesskab")[0].entry_id, "faellesskaber");
}

TEST_F(MatcherTest, MatchesPartsOfDanishCompounds) {
  const auto ranking = rank_text("kommunikation");
  EXPECT_EQ(ranking[0].entry_id, "kommunikationsansvarlig");
  EXPECT_EQ(rank_text("regnskabsføring")[0].entry_id, "okonomiansvarlig");
}

TEST_F(MatcherTest, ToleratesTypos) {
  EXPECT_EQ(rank_text("komunikation")[0].entry_id, "kommunikationsansvarlig");
  EXPECT_EQ(rank_text("teambuliding")[0].entry_id, "teambuilder");
}

TEST_F(MatcherTest, IgnoresStopWords) {
  const auto ranking = rank_text("jeg og du er med i det");
  for (const RoleMatch& match : ranking) {
    EXPECT_EQ(reason(match, "match.reason.words"), nullptr) << match.entry_id;
  }
}

TEST_F(MatcherTest, ChosenInterestsCountStronglyAndAreNamedInTheQueryLanguage) {
  const auto danish = rank({.interests = {"communication"}, .text = "", .language = Language::da});
  EXPECT_EQ(danish[0].entry_id, "kommunikationsansvarlig");
  EXPECT_EQ(param(reason(danish[0], "match.reason.interests"), "interests"), "Kommunikation");
  const auto english = rank({.interests = {"communication"}, .language = Language::en});
  EXPECT_EQ(param(reason(english[0], "match.reason.interests"), "interests"), "Communication");
  EXPECT_EQ(reason(english[1], "match.reason.interests"), nullptr);
}

TEST_F(MatcherTest, AChosenInterestOutweighsOneWordOfText) {
  const auto ranking = rank({.interests = {"community"}, .text = "budget"});
  EXPECT_NE(ranking[0].entry_id, "okonomiansvarlig");
}

TEST_F(MatcherTest, SeveralChosenInterestsAreListedTogether) {
  Catalog catalog = test_catalog();
  catalog.campaigns[0].entries[0].interests = {"economy", "communication"};
  const Matcher matcher(catalog);
  const auto ranking = matcher.rank(
      "kbh", {.interests = {"economy", "communication"}, .language = Language::en}, view_, now);
  EXPECT_EQ(ranking[0].entry_id, "okonomiansvarlig");
  EXPECT_EQ(param(reason(ranking[0], "match.reason.interests"), "interests"),
            "Economy and Communication");
}

TEST_F(MatcherTest, AnInterestNamedInTheTextPointsToItsRoles) {
  const auto ranking = rank_text("Jeg elsker hygge");
  ASSERT_EQ(ranking.size(), 4u);
  // Both community roles share the interest; the one whose tasks say "hygge" comes first.
  EXPECT_EQ(ranking[0].entry_id, "faellesskaber");
  EXPECT_EQ(ranking[1].entry_id, "teambuilder");
  EXPECT_EQ(param(reason(ranking[1], "match.reason.words"), "words"), "hygge");
}

TEST_F(MatcherTest, FavoursRolesThatFitTheHoursAndSaysSo) {
  const auto ranking = rank({.text = "", .hours_per_week = 6});
  EXPECT_EQ(ranking[0].entry_id, "kommunikationsansvarlig");
  EXPECT_EQ(param(reason(ranking[0], "match.reason.hours"), "hours"), "4-8");
}

TEST_F(MatcherTest, RanksRolesNeedingMoreHoursThanOfferedLower) {
  const auto ranking = rank({.text = "", .hours_per_week = 1});
  EXPECT_EQ(ids(ranking),
            (std::vector<std::string>{"faellesskaber", "teambuilder", "okonomiansvarlig",
                                      "kommunikationsansvarlig"}));
  EXPECT_EQ(reason(ranking[2], "match.reason.hours"), nullptr);
  EXPECT_EQ(reason(ranking[3], "match.reason.hours"), nullptr);
}

TEST_F(MatcherTest, PrefersRolesStillNeedingPeople) {
  const auto before = rank_text("hygge og holdånd");
  ASSERT_GE(before.size(), 2u);
  view_.coverage_[before[0].entry_id] = {.places = 1, .filled = 1, .pending = 0};
  const auto after = rank_text("hygge og holdånd");
  EXPECT_EQ(after[0].entry_id, before[1].entry_id);
  EXPECT_EQ(after.back().entry_id, before[0].entry_id);
  EXPECT_EQ(reason(after.back(), "match.reason.vacant"), nullptr);
  EXPECT_NE(reason(after[0], "match.reason.vacant"), nullptr);
}

TEST_F(MatcherTest, PendingApplicationsMakeARoleLessVacant) {
  const auto vacant = rank_text("");
  view_.coverage_["faellesskaber"] = {.places = 1, .filled = 0, .pending = 1};
  const auto pending = rank_text("");
  EXPECT_EQ(vacant[0].entry_id, "faellesskaber");
  EXPECT_EQ(pending.back().entry_id, "faellesskaber");
  EXPECT_EQ(reason(pending.back(), "match.reason.vacant"), nullptr);
}

TEST_F(MatcherTest, BreaksTiesByEntryIdAndGivesTheSameRankingEveryTime) {
  const auto first = rank_text("fest, budget, presse og teambuilding");
  for (int i = 0; i < 5; ++i) {
    const auto again = rank_text("fest, budget, presse og teambuilding");
    ASSERT_EQ(ids(again), ids(first));
    for (std::size_t r = 0; r < first.size(); ++r) EXPECT_EQ(again[r].score, first[r].score);
  }
  const auto ties = rank_text("");
  EXPECT_TRUE(std::is_sorted(ties.begin(), ties.end(),
                             [](const auto& a, const auto& b) { return a.entry_id < b.entry_id; }));
}

TEST_F(MatcherTest, GivesTheSameRankingFromManyThreadsAtOnce) {
  const std::vector<std::string> expected = ids(rank_text("regnskab og budgetter"));
  std::vector<std::vector<std::string>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) result = ids(rank_text("regnskab og budgetter"));
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

TEST_F(MatcherTest, SurvivesHugeAndHostileText) {
  std::mt19937 random(7);
  std::string hostile(1 << 20, '\0');
  for (char& c : hostile) c = static_cast<char>(random());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(rank_text(hostile).size(), 4u);
  std::string long_words;
  for (int i = 0; i < 20000; ++i) long_words += "budget" + std::to_string(i) + "x ";
  EXPECT_EQ(rank_text(long_words).size(), 4u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
}

}  // namespace
}  // namespace prik::dialogs
