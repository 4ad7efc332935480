#include "bot/launch.hpp"

#include <iostream>

#include "bot/cli.hpp"
#include "bot/thread_priority.hpp"

namespace prik::bot {

std::optional<LoadedConfig> load_configuration(
    const std::string& command, const boost::program_options::variables_map& values) {
  auto loaded = load_config(config_path(values));
  for (const auto& problem : loaded.problems) {
    std::cerr << "prik " << command << ": " << problem << "\n";
  }
  return std::move(loaded.config);
}

std::unique_ptr<storage::Store> open_data_dir(const std::string& command,
                                              const StoreSettings& settings) {
  std::unique_ptr<storage::Store> store;
  const storage::Options options{
      .dir = settings.data_dir,
      .compact_journal_bytes = settings.compact_journal_bytes,
      .writer_started = [] { request_short_time_slices(acknowledging_time_slice); },
      .compactor_started = [] { lower_this_thread_priority(background_niceness); }};
  if (const auto status = storage::Store::open(options, &store); !status.ok()) {
    std::cerr << "prik " << command << ": cannot open the data dir " << settings.data_dir << ": "
              << status.to_string() << "\n";
    return nullptr;
  }
  return store;
}

RuntimeOptions runtime_options(const Settings& settings) {
  return {.campaign_id = settings.campaign,
          .default_language = settings.language,
          .thread_niceness = background_niceness,
          .stop_on_signals = true,
          .nudge_rules = settings.nudges,
          .digest = settings.digest};
}

}  // namespace prik::bot
