// `prik match`: ranks the configured campaign's roles for a volunteer's own words, the way the
// "find a role" interview does, with the roles' coverage in the data dir, so coordinators can see
// and tune what the matcher does.
#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "bot/cli.hpp"
#include "bot/commands.hpp"
#include "bot/config.hpp"
#include "bot/store_index.hpp"
#include "dialogs/matching.hpp"
#include "storage/store.hpp"

namespace po = boost::program_options;

namespace prik::bot {
namespace {

constexpr const char* usage =
    "prik match --text \"what the volunteer wrote\" [--interests a,b] [--hours N] [--json] "
    "[--config FILE]";

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) items.push_back(std::move(item));
    start = end + 1;
  }
  return items;
}

double rounded(double score) { return std::round(score * 1000) / 1000; }

}  // namespace

int run_match(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()                                                                    //
      ("text,t", po::value<std::string>()->default_value("", "")->value_name("TEXT"),      //
       "what the volunteer wrote about themselves, in Danish or English")                  //
      ("interests,i", po::value<std::string>()->default_value("", "")->value_name("A,B"),  //
       "interest ids the volunteer chose, separated by commas")                            //
      ("hours", po::value<int>()->value_name("N"), "hours a week the volunteer has")       //
      ("json", "print the ranking as JSON");
  add_common_options(options);
  po::variables_map values;
  if (auto stop = parse_command_line(args, usage, options, values)) return *stop;

  const std::string file = config_path(values);
  const ConfigResult loaded = load_config(file);
  if (!loaded.config) {
    setup_logging(values);
    for (const std::string& problem : loaded.problems) std::cerr << problem << "\n";
    return exit_failure;
  }
  const LoadedConfig& config = *loaded.config;
  setup_logging(values, config.settings.log_level);
  const dialogs::Campaign* campaign = config.catalog.find_campaign(config.settings.campaign);
  if (!campaign) {
    std::cerr << "prik: " << file << ": campaign '" << config.settings.campaign
              << "' is in no catalog\n";
    return exit_failure;
  }

  dialogs::MatchQuery query;
  query.text = values["text"].as<std::string>();
  query.language = config.settings.language;
  query.interests = split_list(values["interests"].as<std::string>());
  for (const std::string& id : query.interests) {
    const bool known = std::any_of(campaign->interests.begin(), campaign->interests.end(),
                                   [&](const dialogs::Interest& i) { return i.id == id; });
    if (known) continue;
    std::cerr << "prik: unknown interest '" << id << "'; the interests of " << campaign->id
              << " are:";
    for (const dialogs::Interest& interest : campaign->interests) std::cerr << " " << interest.id;
    std::cerr << "\n";
    return exit_usage;
  }
  if (values.count("hours")) {
    const int hours = values["hours"].as<int>();
    if (hours < 0 || hours > 168) {
      std::cerr << "prik: --hours must be between 0 and 168, not " << hours << "\n";
      return exit_usage;
    }
    query.hours_per_week = hours;
  }

  const dialogs::Matcher matcher(config.catalog);
  // The roles' real coverage, read without taking the data dir over (the bot may be running);
  // before the bot ever ran, every role has all its places open.
  StoreIndex view(config.catalog);
  const auto& data_dir = config.settings.store.data_dir;
  if (std::filesystem::exists(data_dir)) {
    std::unique_ptr<storage::Store> store;
    if (const auto status = storage::Store::open_read_only({.dir = data_dir}, &store);
        !status.ok()) {
      std::cerr << "prik match: cannot read the data dir " << data_dir.string() << ": "
                << status.to_string() << "\n";
      return exit_failure;
    }
    view.load(*store);
  }
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::vector<dialogs::RoleMatch> ranking = matcher.rank(campaign->id, query, view, now);
  const dialogs::Language language = config.settings.language;

  if (values.count("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const dialogs::RoleMatch& match : ranking) {
      nlohmann::json reasons = nlohmann::json::array();
      for (const dialogs::MatchReason& reason : match.reasons) {
        reasons.push_back(config.texts.render(language, reason.key, reason.params));
      }
      out.push_back(
          {{"role", match.entry_id}, {"score", rounded(match.score)}, {"reasons", reasons}});
    }
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return exit_ok;
  }

  std::cout << campaign->name.in(language) << ":\n";
  for (std::size_t place = 1; place <= ranking.size(); ++place) {
    const dialogs::RoleMatch& match = ranking[place - 1];
    const dialogs::Entry* entry = campaign->find(match.entry_id);
    char score[48];
    std::snprintf(score, sizeof score, "%2zu. %6.2f  ", place, match.score);
    std::cout << score << (entry ? entry->title.in(language) : match.entry_id) << " ("
              << match.entry_id << ")\n";
    for (const dialogs::MatchReason& reason : match.reasons) {
      std::cout << "              - " << config.texts.render(language, reason.key, reason.params)
                << "\n";
    }
  }
  return exit_ok;
}

}  // namespace prik::bot
