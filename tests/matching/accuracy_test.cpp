// How well the matcher agrees with a coordinator: tests/matching/volunteers.json holds volunteers'
// own words, each labelled with the role a coordinator would pick, ranked against the shipped
// KV17 KBH catalog.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bot/config_catalog.hpp"
#include "bot/config_json.hpp"
#include "dialogs/matching.hpp"

namespace prik::dialogs {
namespace {

const std::string catalog_file = std::string(PRIK_SOURCE_DIR) + "/config/catalogs/kv17-kbh.json";
const std::string volunteers_file =
    std::string(PRIK_SOURCE_DIR) + "/tests/matching/volunteers.json";

class VacantView final : public StoreView {
 public:
  explicit VacantView(const Campaign& campaign) : campaign_(campaign) {}
  std::vector<ApplicationSummary> applications_of(const UserRef&) const override { return {}; }
  RoleCoverage coverage(std::string_view entry_id) const override {
    const Entry* entry = campaign_.find(entry_id);
    return {entry ? entry->places : 1, 0, 0};
  }

 private:
  const Campaign& campaign_;
};

struct Labelled {
  MatchQuery query;
  std::string role;
};

Campaign shipped_campaign() {
  std::vector<std::string> problems;
  bot::Problems sink(catalog_file, problems);
  const auto document = bot::read_json_file(catalog_file, sink);
  std::optional<Campaign> campaign;
  if (document) campaign = bot::read_campaign(*document, sink);
  for (const std::string& problem : problems) ADD_FAILURE() << problem;
  return campaign.value_or(Campaign{});
}

std::vector<Labelled> labelled_volunteers() {
  std::ifstream in(volunteers_file);
  const auto document = nlohmann::json::parse(in);
  std::vector<Labelled> out;
  for (const auto& item : document) {
    Labelled labelled;
    labelled.query.text = item.at("text").get<std::string>();
    labelled.query.interests = item.value("interests", std::vector<std::string>{});
    if (item.contains("hours")) labelled.query.hours_per_week = item.at("hours").get<int>();
    labelled.role = item.at("role").get<std::string>();
    out.push_back(std::move(labelled));
  }
  return out;
}

class Accuracy : public ::testing::Test {
 protected:
  Campaign campaign_ = shipped_campaign();
  std::vector<Labelled> volunteers_ = labelled_volunteers();
};

TEST_F(Accuracy, EveryLabelNamesARoleAndEveryInterestExists) {
  ASSERT_GE(volunteers_.size(), 40u);
  for (const Labelled& volunteer : volunteers_) {
    const Entry* entry = campaign_.find(volunteer.role);
    ASSERT_NE(entry, nullptr) << volunteer.role;
    EXPECT_EQ(entry->kind, EntryKind::role) << volunteer.role;
    for (const std::string& interest : volunteer.query.interests) {
      EXPECT_TRUE(std::any_of(campaign_.interests.begin(), campaign_.interests.end(),
                              [&](const Interest& i) { return i.id == interest; }))
          << interest;
    }
  }
}

TEST_F(Accuracy, AgreesWithTheCoordinatorsOnMostVolunteers) {
  Catalog catalog;
  catalog.campaigns.push_back(campaign_);
  const Matcher matcher(catalog);
  const VacantView view(campaign_);
  const std::chrono::sys_seconds now{std::chrono::sys_days{std::chrono::year{2017} / 9 / 1}};

  std::size_t top1 = 0;
  std::size_t top3 = 0;
  for (const Labelled& volunteer : volunteers_) {
    const auto ranking = matcher.rank(campaign_.id, volunteer.query, view, now);
    ASSERT_GE(ranking.size(), 3u);
    std::size_t place = 0;
    while (place < ranking.size() && ranking[place].entry_id != volunteer.role) ++place;
    top1 += place == 0;
    top3 += place < 3;
    if (place != 0) {
      std::cout << "  " << volunteer.role << " ranked " << place + 1 << " behind "
                << ranking[0].entry_id << ": " << volunteer.query.text << "\n";
    }
  }
  const double n = static_cast<double>(volunteers_.size());
  std::cout << std::fixed << std::setprecision(1) << "top-1 " << 100 * top1 / n << "% (" << top1
            << "/" << volunteers_.size() << "), top-3 " << 100 * top3 / n << "% (" << top3 << "/"
            << volunteers_.size() << ")\n";
  EXPECT_GE(top1 / n, 0.80);
  EXPECT_GE(top3 / n, 0.95);
}

}  // namespace
}  // namespace prik::dialogs
