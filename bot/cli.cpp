#include "bot/cli.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/program_options/parsers.hpp>
#include <iostream>

namespace po = boost::program_options;

namespace prik::bot {

void add_common_options(po::options_description& options) {
  options.add_options()                                             //
      ("help,h", "show this help")                                  //
      ("config,c", po::value<std::string>()->value_name("FILE"),    //
       "configuration file (default: config/prik.json)")            //
      ("log-level", po::value<std::string>()->value_name("LEVEL"),  //
       "trace, debug, info, warn, error or off (default: from the config)");
}

std::optional<int> parse_command_line(const std::vector<std::string>& args, const char* usage,
                                      const po::options_description& options,
                                      po::variables_map& values,
                                      const po::positional_options_description& positional) {
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    std::cerr << "prik: " << error.what() << "\n\nUsage: " << usage << "\n" << options;
    return exit_usage;
  }
  if (values.count("help")) {
    std::cout << "Usage: " << usage << "\n" << options;
    return exit_ok;
  }
  return std::nullopt;
}

std::string config_path(const po::variables_map& values) {
  return values.count("config") ? values["config"].as<std::string>() : default_config_path;
}

void setup_logging(const po::variables_map& values, const std::string& config_level) {
  const std::string level =
      values.count("log-level") ? values["log-level"].as<std::string>() : config_level;
  if (!spdlog::get("prik")) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("prik"));
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  }
  const auto parsed = spdlog::level::from_str(level);
  // from_str() answers "off" for names it does not know; only "off" itself should mean that.
  if (parsed == spdlog::level::off && level != "off") {
    spdlog::warn("unknown log level '{}', using info", level);
    spdlog::set_level(spdlog::level::info);
    return;
  }
  spdlog::set_level(parsed);
}

}  // namespace prik::bot
