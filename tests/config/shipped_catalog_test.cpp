// The configuration that ships in config/: it loads, and the catalogs say what the source
// documents say.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "bot/config.hpp"
#include "bot/config_catalog.hpp"
#include "bot/config_json.hpp"

namespace prik::bot {
namespace {

const std::filesystem::path source_dir = PRIK_SOURCE_DIR;

std::chrono::sys_seconds at(int year, unsigned month, unsigned day, int hour_utc, int minute = 0) {
  return std::chrono::sys_days(std::chrono::year(year) / month / day) +
         std::chrono::hours(hour_utc) + std::chrono::minutes(minute);
}

dialogs::Campaign shipped_campaign(const std::string& file) {
  std::vector<std::string> problems;
  Problems sink(file, problems);
  const auto document = read_json_file(source_dir / "config" / "catalogs" / file, sink);
  EXPECT_TRUE(document) << file;
  if (!document) return {};
  auto campaign = read_campaign(*document, sink);
  for (const auto& problem : problems) ADD_FAILURE() << problem;
  return campaign;
}

TEST(ShippedConfig, LoadsWithoutProblemsWhenNoPlatformIsEnabled) {
  const auto result = load_config(source_dir / "config" / "prik.json",
                                  [](const std::string&) { return std::nullopt; });
  for (const auto& problem : result.problems) ADD_FAILURE() << problem;
  ASSERT_TRUE(result.config);
  const Settings& settings = result.config->settings;
  EXPECT_EQ(settings.campaign, "kv17-kbh");
  EXPECT_EQ(settings.language, dialogs::Language::da);
  EXPECT_TRUE(settings.console.enabled);
  EXPECT_FALSE(settings.slack.enabled);
  EXPECT_FALSE(settings.matrix.enabled);
  EXPECT_EQ(settings.store.data_dir, source_dir / "data");
  EXPECT_EQ(result.config->catalog.campaigns.size(), 2u);
}

TEST(ShippedCatalog, Kv17HasAllTenRolesWithEveryTaskOfTheSeed) {
  const auto campaign = shipped_campaign("kv17-kbh.json");
  EXPECT_EQ(campaign.contact_email, "kv17.kbh@alternativet.dk");
  // Task counts as listed in "Roller i kommunalvalg – KBH".
  const std::map<std::string, std::size_t> tasks_in_seed = {
      {"indkobskoordinator", 5},      {"kampagnekoordinator", 5}, {"frivillighedskoordinator", 6},
      {"uddannelsesteam", 5},         {"teambuilder", 5},         {"okonomiansvarlig", 5},
      {"kommunikationsansvarlig", 8}, {"faellesskaber", 6},       {"organisatorisk-leder", 5},
      {"uddannelsesleder", 6},
  };
  std::size_t roles = 0;
  for (const auto& entry : campaign.entries) {
    if (entry.kind != dialogs::EntryKind::role) continue;
    ++roles;
    ASSERT_TRUE(tasks_in_seed.contains(entry.id)) << entry.id;
    EXPECT_EQ(entry.tasks.size(), tasks_in_seed.at(entry.id)) << entry.id;
  }
  EXPECT_EQ(roles, 10u);
  const auto* treasurer = campaign.find("okonomiansvarlig");
  ASSERT_NE(treasurer, nullptr);
  EXPECT_EQ(treasurer->title.da, "Økonomiansvarlig");
  EXPECT_EQ(treasurer->tasks.back().da, "Regnskabsansvarlig");
}

TEST(ShippedCatalog, Kv17RolesWorkUnderTheLeadsTheSeedNames) {
  const auto campaign = shipped_campaign("kv17-kbh.json");
  const std::map<std::string, std::string> lead_of = {
      {"indkobskoordinator", "kampagneleder"},
      {"kampagnekoordinator", "kampagneleder"},
      {"frivillighedskoordinator", "kampagneleder"},
      {"uddannelsesteam", "uddannelsesleder"},
      {"teambuilder", "uddannelsesleder"},
      {"okonomiansvarlig", "organisatorisk-leder"},
      {"kommunikationsansvarlig", "organisatorisk-leder"},
  };
  for (const auto& [role, lead] : lead_of) {
    const auto* entry = campaign.find(role);
    ASSERT_NE(entry, nullptr) << role;
    EXPECT_EQ(entry->works_under, lead) << role;
  }
  const auto* community = campaign.find("faellesskaber");
  ASSERT_NE(community, nullptr);
  EXPECT_FALSE(community->works_under);
  EXPECT_FALSE(community->works_under_note.da.empty());
  const auto* campaign_lead = campaign.find("kampagneleder");
  ASSERT_NE(campaign_lead, nullptr);
  EXPECT_EQ(campaign_lead->kind, dialogs::EntryKind::lead);
}

TEST(ShippedCatalog, EveryRoleCanBeMatchedAndPlannedAndItsLeadResolves) {
  for (const char* file : {"kv17-kbh.json", "landssekretariatet.json"}) {
    const auto campaign = shipped_campaign(file);
    for (const auto& entry : campaign.entries) {
      if (entry.kind == dialogs::EntryKind::lead) continue;
      EXPECT_FALSE(entry.interests.empty()) << entry.id;
      EXPECT_GE(entry.keywords.size(), 6u) << entry.id;
      EXPECT_GT(entry.hours_max, 0) << entry.id;
      EXPECT_GE(entry.places, 1) << entry.id;
      if (entry.works_under) {
        EXPECT_NE(campaign.find(*entry.works_under), nullptr) << entry.id;
      }
      for (const auto& task : entry.tasks) {
        EXPECT_FALSE(task.en.empty()) << entry.id;
      }
    }
  }
}

TEST(ShippedCatalog, TeamRolesTakeSeveralPeopleAndLeadsMoreHours) {
  const auto campaign = shipped_campaign("kv17-kbh.json");
  for (const char* team : {"teambuilder", "faellesskaber", "uddannelsesteam"}) {
    ASSERT_NE(campaign.find(team), nullptr) << team;
    EXPECT_GE(campaign.find(team)->places, 3) << team;
  }
  const auto* lead = campaign.find("organisatorisk-leder");
  const auto* team = campaign.find("uddannelsesteam");
  ASSERT_TRUE(lead && team);
  EXPECT_GT(lead->hours_max, team->hours_max);
}

TEST(ShippedCatalog, PositionsAreOpenUntilTheirDeadlineInCopenhagenTime) {
  const auto campaign = shipped_campaign("landssekretariatet.json");
  const auto* developer = campaign.find("demokratiudvikler");
  const auto* head = campaign.find("sekretariatschef");
  ASSERT_TRUE(developer && head);
  ASSERT_TRUE(developer->position && head->position);
  EXPECT_EQ(developer->position->contact_email, "job@alternativet.dk");
  EXPECT_EQ(developer->hours_min, 30);
  EXPECT_EQ(developer->hours_max, 37);

  // 5 January 2018, Copenhagen winter time (UTC+1).
  EXPECT_TRUE(developer->is_open(at(2017, 12, 1, 12)));
  EXPECT_TRUE(developer->is_open(at(2018, 1, 5, 22, 58)));
  EXPECT_FALSE(developer->is_open(at(2018, 1, 6, 0)));
  // Monday 25 May 2026 at 12:00, Copenhagen summer time (UTC+2).
  EXPECT_EQ(head->position->deadline_local, "2026-05-25 12:00");
  EXPECT_TRUE(head->is_open(at(2026, 5, 25, 9, 59)));
  EXPECT_FALSE(head->is_open(at(2026, 5, 25, 10, 0)));
  EXPECT_EQ(head->tasks.size(), 6u);
}

TEST(ShippedCatalog, CatalogFilesCarryNoPhoneNumbers) {
  const std::regex phone_like(R"((\d[ .-]?){8})");
  for (const auto& file : std::filesystem::directory_iterator(source_dir / "config" / "catalogs")) {
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    // Dates like 2026-05-25 have only 8 digits with dashes: strip ISO dates before looking.
    const std::string without_dates =
        std::regex_replace(content, std::regex(R"(\d{4}-\d{2}-\d{2}T[0-9:]+[+-]\d{2}:\d{2})"), "");
    std::smatch match;
    EXPECT_FALSE(std::regex_search(without_dates, match, phone_like))
        << file.path() << ": " << match.str();
  }
}

}  // namespace
}  // namespace prik::bot
