#include "bot/config.hpp"

#include <boost/url/parse.hpp>
#include <cstdlib>
#include <string_view>

#include "bot/config_catalog.hpp"
#include "bot/config_json.hpp"
#include "bot/config_messages.hpp"

namespace prik::bot {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<std::string> process_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

namespace {

// How a path is shown in problems and resolved: relative to the directory of the file naming it.
fs::path resolve(const fs::path& config_file, const fs::path& path) {
  if (path.empty() || path.is_absolute()) return path;
  return (config_file.parent_path() / path).lexically_normal();
}

bool is_environment_variable_name(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  for (const char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool is_log_level(std::string_view level) {
  for (const char* known : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    if (level == known) return true;
  }
  return false;
}

// "host:port" with a port number 0-65535.
bool is_listen_address(std::string_view listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == listen.size()) return false;
  const std::string_view port = listen.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  return std::stoi(std::string(port)) <= 65535;
}

bool is_http_url(std::string_view url) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  return parsed && (parsed->scheme() == "https" || parsed->scheme() == "http") &&
         parsed->has_authority() && !parsed->host().empty();
}

// Reads the secret named by an *_env field of an enabled part.
class SecretReader {
 public:
  SecretReader(Problems& problems, const EnvironmentLookup& environment)
      : problems_(problems), environment_(environment) {}

  std::string read(const std::string& pointer, const std::string& variable) {
    if (!is_environment_variable_name(variable)) return {};  // reported when the name was read
    const auto value = environment_(variable);
    if (!value) {
      problems_.add(pointer, "environment variable " + variable + " is not set");
      return {};
    }
    if (value->empty()) {
      problems_.add(pointer, "environment variable " + variable + " is empty");
      return {};
    }
    return *value;
  }

 private:
  Problems& problems_;
  const EnvironmentLookup& environment_;
};

void read_env_name(ObjectReader& reader, std::string_view key, std::string& name) {
  auto value = reader.string(key, Presence::optional);
  if (!value) return;
  if (!is_environment_variable_name(*value)) {
    // Never echo the value: someone may have pasted the secret itself here.
    reader.problems().add(reader.pointer_of(key),
                          "expected the NAME of an environment variable (A-Z, 0-9, _), not a "
                          "value; secrets never go in the config file");
  }
  name = std::move(*value);
}

void read_ca_file(ObjectReader& reader, const fs::path& config_file, fs::path& ca_file) {
  if (auto value = reader.string("ca_file", Presence::optional)) {
    ca_file = resolve(config_file, *value);
  }
}

void check_ca_file(Problems& problems, const std::string& pointer, const fs::path& ca_file) {
  std::error_code error;
  if (!ca_file.empty() && !fs::is_regular_file(ca_file, error)) {
    problems.add(pointer, "CA file " + ca_file.string() + " does not exist");
  }
}

void read_store(ObjectReader& reader, const fs::path& config_file, StoreSettings& store) {
  const json* value = reader.field("store", Presence::required);
  if (!value) return;
  ObjectReader fields(reader.problems(), *value, "/store");
  if (auto data_dir = fields.string("data_dir", Presence::required)) {
    if (data_dir->empty()) fields.problems().add("/store/data_dir", "must not be empty");
    store.data_dir = resolve(config_file, *data_dir);
  }
  if (auto bytes = fields.integer("compact_journal_bytes", Presence::optional, 4096,
                                  std::int64_t{1} << 40)) {
    store.compact_journal_bytes = static_cast<std::uint64_t>(*bytes);
  }
  fields.finish();
}

void read_console(ObjectReader& reader, ConsoleSettings& console) {
  const json* value = reader.field("console", Presence::optional);
  if (!value) return;
  ObjectReader fields(reader.problems(), *value, "/console");
  console.enabled = fields.boolean("enabled", Presence::optional).value_or(console.enabled);
  fields.finish();
}

void read_http(ObjectReader& reader, HttpSettings& http) {
  const json* value = reader.field("http", Presence::optional);
  if (!value) return;
  ObjectReader fields(reader.problems(), *value, "/http");
  if (auto listen = fields.string("listen", Presence::optional)) {
    if (!is_listen_address(*listen)) {
      fields.problems().add("/http/listen", "\"" + *listen + "\" is not host:port");
    }
    http.listen = std::move(*listen);
  }
  fields.finish();
}

void read_slack(ObjectReader& reader, const fs::path& config_file, SlackSettings& slack,
                Secrets& secrets, SecretReader& secret_reader) {
  const json* value = reader.field("slack", Presence::optional);
  if (!value) return;
  ObjectReader fields(reader.problems(), *value, "/slack");
  Problems& problems = fields.problems();
  slack.enabled = fields.boolean("enabled", Presence::optional).value_or(slack.enabled);
  if (auto mode = fields.string("mode", Presence::optional)) {
    if (*mode != "http" && *mode != "socket") {
      problems.add("/slack/mode", "\"" + *mode + "\" is not a mode (expected http or socket)");
    }
    slack.mode = std::move(*mode);
  }
  if (auto url = fields.string("api_base_url", Presence::optional)) {
    if (!is_http_url(*url)) problems.add("/slack/api_base_url", "\"" + *url + "\" is not a URL");
    slack.api_base_url = std::move(*url);
  }
  read_ca_file(fields, config_file, slack.ca_file);
  read_env_name(fields, "bot_token_env", slack.bot_token_env);
  read_env_name(fields, "signing_secret_env", slack.signing_secret_env);
  read_env_name(fields, "app_token_env", slack.app_token_env);
  fields.finish();
  if (!slack.enabled) return;

  check_ca_file(problems, "/slack/ca_file", slack.ca_file);
  secrets.slack_bot_token = secret_reader.read("/slack/bot_token_env", slack.bot_token_env);
  if (slack.mode == "socket") {
    secrets.slack_app_token = secret_reader.read("/slack/app_token_env", slack.app_token_env);
  } else {
    secrets.slack_signing_secret =
        secret_reader.read("/slack/signing_secret_env", slack.signing_secret_env);
  }
}

void read_matrix(ObjectReader& reader, const fs::path& config_file, MatrixSettings& matrix,
                 Secrets& secrets, SecretReader& secret_reader) {
  const json* value = reader.field("matrix", Presence::optional);
  if (!value) return;
  ObjectReader fields(reader.problems(), *value, "/matrix");
  Problems& problems = fields.problems();
  matrix.enabled = fields.boolean("enabled", Presence::optional).value_or(matrix.enabled);
  matrix.homeserver_url = fields.string("homeserver_url", Presence::optional).value_or("");
  matrix.user_id = fields.string("user_id", Presence::optional).value_or("");
  read_ca_file(fields, config_file, matrix.ca_file);
  read_env_name(fields, "access_token_env", matrix.access_token_env);
  matrix.allowed_servers =
      fields.strings("allowed_servers", Presence::optional).value_or(std::vector<std::string>{});
  fields.finish();
  if (!matrix.enabled) return;

  if (!is_http_url(matrix.homeserver_url)) {
    problems.add("/matrix/homeserver_url",
                 matrix.homeserver_url.empty()
                     ? std::string("must be set when matrix is enabled")
                     : "\"" + matrix.homeserver_url + "\" is not an http(s) URL");
  }
  if (!matrix.user_id.starts_with('@') || matrix.user_id.find(':') == std::string::npos) {
    problems.add("/matrix/user_id", "expected the bot's Matrix user id, e.g. @prik:example.org");
  }
  check_ca_file(problems, "/matrix/ca_file", matrix.ca_file);
  secrets.matrix_access_token =
      secret_reader.read("/matrix/access_token_env", matrix.access_token_env);
}

void read_nudges(ObjectReader& reader, dialogs::NudgeRules& nudges) {
  const json* value = reader.field("nudges", Presence::optional);
  if (!value) return;
  ObjectReader fields(reader.problems(), *value, "/nudges");
  if (auto per_day = fields.integer("per_volunteer_per_day", Presence::optional, 0, 1000)) {
    nudges.per_volunteer_per_day = static_cast<int>(*per_day);
  }
  if (auto days = fields.integer("same_friend_days", Presence::optional, 0, 3650)) {
    nudges.same_friend_days = static_cast<int>(*days);
  }
  fields.finish();
}

void read_digest(ObjectReader& reader, DigestSettings& digest) {
  const json* value = reader.field("digest", Presence::optional);
  if (!value) return;
  ObjectReader fields(reader.problems(), *value, "/digest");
  Problems& problems = fields.problems();
  if (auto time = fields.string("time", Presence::optional)) {
    if (const auto parsed = parse_time_of_day(*time)) {
      digest.time = *parsed;
    } else {
      problems.add("/digest/time", "\"" + *time + "\" is not a time of day (expected HH:MM)");
    }
  }
  if (auto zone = fields.string("time_zone", Presence::optional)) {
    if (!is_time_zone(*zone)) {
      problems.add("/digest/time_zone", "\"" + *zone +
                                            "\" is not a time zone the system knows (expected "
                                            "a name like Europe/Copenhagen)");
    }
    digest.time_zone = std::move(*zone);
  }
  const auto days = [&](std::string_view key, int& target) {
    if (auto read = fields.integer(key, Presence::optional, 0, 3650)) {
      target = static_cast<int>(*read);
    }
  };
  days("vacant_days", digest.rules.vacant_days);
  days("waiting_days", digest.rules.waiting_days);
  days("deadline_days", digest.rules.deadline_days);
  fields.finish();
}

// Reads prik.json itself; the catalogs and messages it names are read afterwards.
void read_settings(const json& document, const fs::path& config_file, Problems& problems,
                   Settings& settings, Secrets& secrets, const EnvironmentLookup& environment) {
  ObjectReader reader(problems, document, "");
  if (auto level = reader.string("log_level", Presence::optional)) {
    if (!is_log_level(*level)) {
      problems.add("/log_level", "\"" + *level +
                                     "\" is not a log level (trace, debug, info, warn, error, "
                                     "critical or off)");
    }
    settings.log_level = std::move(*level);
  }
  if (auto code = reader.string("language", Presence::optional)) {
    if (const auto language = dialogs::parse_language(*code)) {
      settings.language = *language;
    } else {
      problems.add("/language", "\"" + *code + "\" is not a language (expected da or en)");
    }
  }
  settings.campaign = reader.string("campaign", Presence::required).value_or("");
  if (auto catalogs = reader.strings("catalogs", Presence::required)) {
    if (catalogs->empty()) problems.add("/catalogs", "must name at least one catalog file");
    for (const auto& catalog : *catalogs)
      settings.catalogs.push_back(resolve(config_file, catalog));
  }
  if (auto messages_dir = reader.string("messages_dir", Presence::required)) {
    settings.messages_dir = resolve(config_file, *messages_dir);
  }
  read_store(reader, config_file, settings.store);
  read_console(reader, settings.console);
  read_http(reader, settings.http);
  SecretReader secret_reader(problems, environment);
  read_slack(reader, config_file, settings.slack, secrets, secret_reader);
  read_matrix(reader, config_file, settings.matrix, secrets, secret_reader);
  read_nudges(reader, settings.nudges);
  read_digest(reader, settings.digest);
  reader.finish();
}

}  // namespace

ConfigResult load_config(const fs::path& file, const EnvironmentLookup& environment) {
  ConfigResult result;
  LoadedConfig loaded;
  loaded.settings.file = file;
  Problems problems(file.string(), result.problems);

  const auto document = read_json_file(file, problems);
  if (!document) return result;
  read_settings(*document, file, problems, loaded.settings, loaded.secrets, environment);

  std::vector<std::string> campaign_files;
  for (const auto& catalog_file : loaded.settings.catalogs) {
    Problems catalog_problems(catalog_file.string(), result.problems);
    const auto catalog_document = read_json_file(catalog_file, catalog_problems);
    if (!catalog_document) continue;
    loaded.catalog.campaigns.push_back(read_campaign(*catalog_document, catalog_problems));
    campaign_files.push_back(catalog_file.string());
  }
  check_unique_ids(loaded.catalog.campaigns, campaign_files, result.problems);
  // Only meaningful when every catalog could be parsed.
  if (!loaded.settings.campaign.empty() &&
      loaded.catalog.campaigns.size() == loaded.settings.catalogs.size() &&
      !loaded.catalog.find_campaign(loaded.settings.campaign)) {
    std::string known;
    for (const auto& campaign : loaded.catalog.campaigns) {
      known += (known.empty() ? "" : ", ") + campaign.id;
    }
    problems.add("/campaign", "no catalog defines campaign \"" + loaded.settings.campaign +
                                  "\" (known: " + known + ")");
  }

  if (!loaded.settings.messages_dir.empty()) {
    auto danish = read_messages(loaded.settings.messages_dir / "da.json", dialogs::text_keys(),
                                result.problems);
    auto english = read_messages(loaded.settings.messages_dir / "en.json", dialogs::text_keys(),
                                 result.problems);
    loaded.texts = dialogs::Texts(std::move(danish), std::move(english));
  }

  if (result.problems.empty()) result.config = std::move(loaded);
  return result;
}

}  // namespace prik::bot
