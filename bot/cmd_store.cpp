// `prik store verify|compact`: the operator's tools for the data dir.
#include <boost/program_options.hpp>
#include <iostream>

#include "bot/cli.hpp"
#include "bot/commands.hpp"
#include "bot/config.hpp"
#include "storage/store.hpp"

namespace po = boost::program_options;

namespace prik::bot {
namespace {

constexpr const char* store_usage =
    "prik store verify|compact [options]\n\n"
    "  verify   check the snapshot and journal of the data dir without changing anything;\n"
    "           exits 0 when it is healthy, 1 when it is damaged\n"
    "  compact  write a new snapshot without erased documents and remove old journal segments\n"
    "           (the bot must not be running)\n";

int verify(const storage::Options& options) {
  storage::VerifyReport report;
  const storage::Status status = storage::Store::verify(options, &report);
  std::cout << "data dir " << options.dir.string() << "\n";
  for (const auto& message : report.messages) std::cout << "  " << message << "\n";
  if (status.kind() == storage::Status::Kind::corruption) {
    std::cout << "damaged: the store will not open until this is repaired\n";
    return exit_failure;
  }
  if (!status.ok()) return exit_failure;
  std::cout << (report.torn_tail_bytes > 0
                    ? "healthy (the next open cuts the bytes after the last record)"
                    : "healthy")
            << "\n";
  return exit_ok;
}

int compact(const storage::Options& options) {
  std::unique_ptr<storage::Store> store;
  if (const auto status = storage::Store::open(options, &store); !status.ok()) {
    std::cerr << "prik store compact: " << status.to_string() << "\n";
    return exit_failure;
  }
  const std::uint64_t before = store->stats().journal_bytes;
  if (const auto status = store->compact(); !status.ok()) {
    std::cerr << "prik store compact: " << status.to_string() << "\n";
    return exit_failure;
  }
  std::cout << "compacted " << options.dir.string() << ": " << store->stats().documents
            << " documents in the new snapshot, journal " << before << " -> "
            << store->stats().journal_bytes << " bytes\n";
  return exit_ok;
}

}  // namespace

int run_store(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_common_options(options);
  options.add_options()("action", po::value<std::string>()->value_name("verify|compact"),
                        "what to do (also accepted as the first argument)");
  po::positional_options_description positional;
  positional.add("action", 1);
  po::variables_map values;
  if (const auto exit_code = parse_command_line(args, store_usage, options, values, positional)) {
    return *exit_code;
  }
  const std::string action = values.count("action") ? values["action"].as<std::string>() : "";
  if (action != "verify" && action != "compact") {
    std::cerr << "prik store: say verify or compact\n\nUsage: " << store_usage;
    return exit_usage;
  }
  setup_logging(values);

  const auto loaded = load_config(config_path(values));
  if (!loaded.config) {
    for (const auto& problem : loaded.problems) std::cerr << "prik store: " << problem << "\n";
    return exit_failure;
  }
  const auto& settings = loaded.config->settings.store;
  const storage::Options store_options{.dir = settings.data_dir,
                                       .compact_journal_bytes = settings.compact_journal_bytes};
  return action == "verify" ? verify(store_options) : compact(store_options);
}

}  // namespace prik::bot
