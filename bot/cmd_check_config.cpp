// `prik check-config`: loads the configuration exactly as a start would and reports every problem.
#include <chrono>
#include <iostream>

#include "bot/cli.hpp"
#include "bot/commands.hpp"
#include "bot/config.hpp"

namespace prik::bot {

namespace {

std::string summary(const std::string& file, const LoadedConfig& config) {
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  int roles = 0, leads = 0, positions = 0, open_positions = 0;
  for (const auto& campaign : config.catalog.campaigns) {
    for (const auto& entry : campaign.entries) {
      switch (entry.kind) {
        case dialogs::EntryKind::role:
          ++roles;
          break;
        case dialogs::EntryKind::lead:
          ++leads;
          break;
        case dialogs::EntryKind::position:
          ++positions;
          if (entry.is_open(now)) ++open_positions;
          break;
      }
    }
  }
  const auto plural = [](int count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
  };
  return file + " is valid: " +
         plural(static_cast<int>(config.catalog.campaigns.size()), "campaign", "campaigns") + ", " +
         plural(roles, "role", "roles") + ", " + plural(positions, "position", "positions") + " (" +
         std::to_string(open_positions) + " open), " + plural(leads, "lead", "leads") +
         ", da+en texts with " +
         plural(static_cast<int>(dialogs::text_keys().size()), "key", "keys");
}

}  // namespace

int run_check_config(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description options("Options");
  add_common_options(options);
  po::variables_map values;
  if (const auto exit_code = parse_command_line(
          args, "prik check-config [--config FILE] [--log-level LEVEL]", options, values)) {
    return *exit_code;
  }
  setup_logging(values);

  const std::string file = config_path(values);
  const ConfigResult result = load_config(file);
  if (!result.config) {
    for (const auto& problem : result.problems) std::cerr << problem << "\n";
    std::cerr << file << ": " << result.problems.size()
              << (result.problems.size() == 1 ? " problem" : " problems") << "\n";
    return exit_failure;
  }
  std::cout << summary(file, *result.config) << "\n";
  return exit_ok;
}

}  // namespace prik::bot
