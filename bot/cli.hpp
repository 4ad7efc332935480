// The command line: `prik <command> [options]`. Each command lives in its own bot/cmd_*.cpp and
// parses its own options with Boost.ProgramOptions through the helpers here, so that --help,
// --config and --log-level behave the same everywhere.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>
#include <optional>
#include <string>
#include <vector>

namespace prik::bot {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};

// The commands `prik --help` lists, in order.
const std::vector<Command>& commands();

inline constexpr const char* default_config_path = "config/prik.json";

// Adds --help, --config FILE and --log-level LEVEL to options.
void add_common_options(boost::program_options::options_description& options);

// Parses args against options (and positional). Prints usage and returns an exit code (0 for
// --help, 2 for a usage error) when the command should stop; nullopt to go on.
std::optional<int> parse_command_line(
    const std::vector<std::string>& args, const char* usage,
    const boost::program_options::options_description& options,
    boost::program_options::variables_map& values,
    const boost::program_options::positional_options_description& positional = {});

// The --config value, or the default.
std::string config_path(const boost::program_options::variables_map& values);

// Sets the log level from --log-level, else from the config's, else "info". Logs go to stderr.
void setup_logging(const boost::program_options::variables_map& values,
                   const std::string& config_level = "info");

// Exit codes shared by the commands.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

}  // namespace prik::bot
