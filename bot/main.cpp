// prik: the command-line entry point. Dispatches to the commands of bot/commands.hpp.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "bot/cli.hpp"
#include "bot/commands.hpp"

namespace prik::bot {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {"run", "run Prik on Slack and Matrix until stopped", run_run},
      {"chat", "chat with Prik in this terminal", run_chat},
      {"match", "rank the roles for a volunteer's own words", run_match},
      {"check-config", "validate the configuration, catalogs and texts", run_check_config},
      {"store", "verify or compact the data dir (store verify|compact)", run_store},
      {"export", "write applications, volunteers, coverage or nudges as CSV or JSON", run_export},
      {"forget", "erase everything stored about one person", run_forget},
  };
  return all;
}

namespace {

void print_usage(std::ostream& out) {
  out << "Prik recruits volunteers for a campaign through chat.\n\n"
         "Usage: prik <command> [options]\n\nCommands:\n";
  for (const auto& command : commands()) {
    out << "  " << command.name << std::string(14 - std::string_view(command.name).size(), ' ')
        << command.summary << "\n";
  }
  out << "\n'prik <command> --help' shows a command's options.\n";
}

}  // namespace
}  // namespace prik::bot

int main(int argc, char** argv) {
  using namespace prik::bot;
  if (argc < 2) {
    print_usage(std::cerr);
    return exit_usage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(std::cout);
    return exit_ok;
  }
  for (const auto& command : commands()) {
    if (name == command.name) {
      try {
        return command.run(std::vector<std::string>(argv + 2, argv + argc));
      } catch (const std::exception& error) {
        std::cerr << "prik " << command.name << ": " << error.what() << "\n";
        return exit_failure;
      }
    }
  }
  std::cerr << "prik: unknown command '" << name << "'\n\n";
  print_usage(std::cerr);
  return exit_usage;
}
