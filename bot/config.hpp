// Configuration: config/prik.json and everything it names (role catalogs, message texts), loaded
// and validated in one go.
//
// Relative paths in a config file resolve against the directory that file is in. Secrets never
// sit in the file: it names environment variables, read at load time for the parts that are
// enabled. load_config() collects every problem it finds -- each naming the file, the JSON path
// and what is wrong -- instead of stopping at the first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bot/digest.hpp"
#include "dialogs/catalog.hpp"
#include "dialogs/engine.hpp"
#include "dialogs/texts.hpp"

namespace prik::bot {

struct StoreSettings {
  std::filesystem::path data_dir;
  std::uint64_t compact_journal_bytes = 64u << 20;
};

struct ConsoleSettings {
  bool enabled = true;
};

struct HttpSettings {
  std::string listen = "127.0.0.1:8080";
};

struct SlackSettings {
  bool enabled = false;
  std::string mode = "http";  // "http" (Events API) or "socket" (Socket Mode)
  std::string api_base_url = "https://slack.com/api/";
  std::filesystem::path ca_file;  // extra CA certificate; empty: system store only
  std::string bot_token_env = "SLACK_BOT_TOKEN";
  std::string signing_secret_env = "SLACK_SIGNING_SECRET";
  std::string app_token_env = "SLACK_APP_TOKEN";
};

struct MatrixSettings {
  bool enabled = false;
  std::string homeserver_url;
  std::string user_id;
  std::filesystem::path ca_file;
  std::string access_token_env = "MATRIX_ACCESS_TOKEN";
  std::vector<std::string> allowed_servers;  // empty: invites from any server are accepted
};

struct Settings {
  std::filesystem::path file;  // the config file itself
  std::string log_level = "info";
  dialogs::Language language = dialogs::Language::da;
  std::string campaign;  // id of the campaign volunteers are recruited for
  std::vector<std::filesystem::path> catalogs;
  std::filesystem::path messages_dir;  // holds da.json and en.json
  StoreSettings store;
  ConsoleSettings console;
  HttpSettings http;
  SlackSettings slack;
  MatrixSettings matrix;
  dialogs::NudgeRules nudges;
  DigestSettings digest;
};

// Secrets read from the environment; empty for parts that are disabled. Never logged.
struct Secrets {
  std::string slack_bot_token;
  std::string slack_signing_secret;
  std::string slack_app_token;
  std::string matrix_access_token;
};

struct LoadedConfig {
  Settings settings;
  Secrets secrets;
  dialogs::Catalog catalog;
  dialogs::Texts texts;
};

struct ConfigResult {
  std::optional<LoadedConfig> config;  // set when problems is empty
  std::vector<std::string> problems;   // "config/prik.json: /store/data_dir: expected a string"
};

using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the process environment.
std::optional<std::string> process_environment(const std::string& name);

ConfigResult load_config(const std::filesystem::path& file,
                         const EnvironmentLookup& environment = process_environment);

}  // namespace prik::bot
