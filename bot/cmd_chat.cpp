// `prik chat`: talk to Prik in this terminal, through the same core the chat platforms use.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "adapters/console/console.hpp"
#include "bot/cli.hpp"
#include "bot/commands.hpp"
#include "bot/launch.hpp"
#include "bot/runtime.hpp"
#include "dialogs/matching.hpp"

namespace po = boost::program_options;

namespace prik::bot {

namespace {

constexpr const char* chat_usage = "prik chat [--config FILE] [--user NAME] [--json]";
// How long the replies of the last turns may take to print once the input has ended.
constexpr std::chrono::seconds chat_outbox_grace{10};

std::string default_user_name() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "gaest";
}

}  // namespace

int run_chat(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_common_options(options);
  options.add_options()                                                               //
      ("user", po::value<std::string>()->value_name("NAME"),                          //
       "who types first (default: $USER, else gaest); a line \"/as NAME\" switches")  //
      ("json",
       "one JSON object per line in and out, for scripts; {\"user\": NAME, ...} speaks as NAME");
  po::variables_map values;
  if (const auto exit_code = parse_command_line(args, chat_usage, options, values)) {
    return *exit_code;
  }
  // The terminal is the conversation: only warnings and errors go to stderr unless asked.
  setup_logging(values, "warn");

  const auto loaded = load_configuration("chat", values);
  if (!loaded) return exit_failure;
  const auto& config = *loaded;
  const auto store = open_data_dir("chat", config.settings.store);
  if (!store) return exit_failure;

  // A closed stdout is reported by the console adapter; it must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  const dialogs::Matcher matcher(config.catalog);
  Runtime* running = nullptr;
  adapters::console::ConsoleAdapter console({
      .user_name = values.count("user") ? values["user"].as<std::string>() : default_user_name(),
      .json = values.count("json") > 0,
      .input_fd = 0,
      .output = &std::cout,
      .on_end_of_input = [&running] { running->request_stop(); },
  });
  Runtime runtime(*store, config.catalog, config.texts, matcher, runtime_options(config.settings));
  running = &runtime;
  runtime.add_adapter(console);
  if (const auto status = runtime.start(); !status.ok()) {
    std::cerr << "prik chat: cannot start: " << status.to_string() << "\n";
    return exit_failure;
  }
  runtime.wait_for_stop_request();
  runtime.stop(chat_outbox_grace);
  return exit_ok;
}

}  // namespace prik::bot
