// `prik export`: what the store holds about applications, volunteers, coverage or nudges, as CSV
// (RFC 4180: header row, CRLF line ends, fields quoted when they hold a comma, a quote, CR or LF,
// quotes doubled; UTF-8) or JSON (an array of objects, keys in column order). Times are ISO 8601
// UTC. The data dir is opened read-only, so the bot may keep running meanwhile; the export shows
// the commits acknowledged by the time it was read.
#include <algorithm>
#include <boost/program_options.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "bot/cli.hpp"
#include "bot/commands.hpp"
#include "bot/launch.hpp"
#include "bot/records.hpp"
#include "storage/store.hpp"

namespace po = boost::program_options;

namespace prik::bot {
namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr const char* export_usage =
    "prik export --what applications|volunteers|coverage|nudges --format csv|json\n"
    "            [--out FILE] [--config FILE]\n\n"
    "  applications  one row per application (anonymous ones have no user, name or words)\n"
    "  volunteers    one row per person with a conversation or an application\n"
    "  coverage      one row per role: places, filled, pending applications, vacant places\n"
    "  nudges        one row per tap on the shoulder, with the answer\n\n"
    "  Reads the data dir without taking it over: the bot may keep running.\n";

// Cells are JSON values: strings, numbers, booleans, or null for "nothing stored".
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<json>> rows;
};

struct Stored {
  std::string key;
  json document;
};

std::vector<Stored> scan_all(const storage::Store& store, std::string_view collection) {
  std::vector<Stored> documents;
  store.scan(collection, "", [&](std::string_view key, std::string_view document) {
    auto parsed = json::parse(document, nullptr, false);
    if (parsed.is_object()) documents.push_back({std::string(key), std::move(parsed)});
  });
  return documents;
}

json string_cell(const json& document, const char* name) {
  const auto found = document.find(name);
  return found != document.end() && found->is_string() ? *found : json();
}

std::int64_t seconds_of(const json& document, const char* name) {
  const auto found = document.find(name);
  return found != document.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0;
}

// "2026-05-25T10:00:00Z"; null for a time never set (0).
json iso_time(std::int64_t seconds) {
  if (seconds == 0) return json();
  const std::time_t time = seconds;
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

Table applications_table(const storage::Store& store) {
  Table table{{"id", "role", "campaign", "status", "user", "display_name", "partner",
               "partner_status", "words", "submitted", "updated", "anonymous"},
              {}};
  for (const auto& [key, document] : scan_all(store, records::applications)) {
    const json partner_status = string_cell(document, "partner_status");
    table.rows.push_back(
        {string_cell(document, "id"), string_cell(document, "entry"),
         string_cell(document, "campaign"), string_cell(document, "status"),
         string_cell(document, "user"), string_cell(document, "display_name"),
         string_cell(document, "partner"), partner_status.is_null() ? json("none") : partner_status,
         string_cell(document, "words"), iso_time(seconds_of(document, "submitted")),
         iso_time(seconds_of(document, "updated")), document.value("anonymous", false)});
  }
  return table;
}

Table volunteers_table(const storage::Store& store) {
  struct Person {
    json display_name;
    std::int64_t named_at = -1;  // when display_name was stored
    json language;
    int applications = 0;
    std::int64_t last_seen = 0;
  };
  std::map<std::string, Person> people;
  const auto saw = [](Person& person, std::int64_t at) {
    person.last_seen = std::max(person.last_seen, at);
  };
  const auto name = [](Person& person, const json& display_name, std::int64_t at) {
    if (display_name.is_string() && !display_name.get_ref<const std::string&>().empty() &&
        at >= person.named_at) {
      person.display_name = display_name;
      person.named_at = at;
    }
  };
  for (const auto& [key, document] : scan_all(store, records::conversations)) {
    Person& person = people[key];
    person.language = string_cell(document, "language");
    for (const char* field : {"last_seen", "updated"}) saw(person, seconds_of(document, field));
  }
  for (const auto& [key, document] : scan_all(store, records::applications)) {
    const std::string user = document.value("user", "");
    if (user.empty()) continue;  // anonymous
    Person& person = people[user];
    ++person.applications;
    saw(person, seconds_of(document, "submitted"));
    name(person, string_cell(document, "display_name"), seconds_of(document, "submitted"));
  }
  // Hand-offs and nudges say when someone was there, and what they were called, but do not make
  // them a volunteer.
  for (const auto& [key, document] : scan_all(store, records::handoffs)) {
    const auto found = people.find(document.value("user", ""));
    if (found == people.end()) continue;
    saw(found->second, seconds_of(document, "requested"));
    name(found->second, string_cell(document, "display_name"), seconds_of(document, "requested"));
  }
  for (const auto& [key, document] : scan_all(store, records::nudges)) {
    if (const auto from = people.find(document.value("from", "")); from != people.end()) {
      saw(from->second, seconds_of(document, "sent"));
      name(from->second, string_cell(document, "from_name"), seconds_of(document, "sent"));
    }
    if (const auto to = people.find(document.value("to", "")); to != people.end()) {
      saw(to->second, seconds_of(document, "answered"));
    }
  }
  Table table{{"user", "display_name", "language", "applications", "last_seen"}, {}};
  for (const auto& [user, person] : people) {
    table.rows.push_back({user, person.display_name, person.language, person.applications,
                          iso_time(person.last_seen)});
  }
  return table;
}

Table coverage_table(const storage::Store& store, const LoadedConfig& config) {
  struct Counts {
    int filled = 0;
    int pending = 0;
  };
  std::map<std::string, Counts> counts;
  // Counted as the running bot counts them (bot/store_index.hpp): unreadable documents do not.
  for (const auto& [key, document] : scan_all(store, records::applications)) {
    const auto application = records::Application::from_json(document);
    if (!application) continue;
    Counts& entry = counts[application->entry_id];
    if (application->status == dialogs::ApplicationStatus::approved) ++entry.filled;
    if (application->status == dialogs::ApplicationStatus::pending) ++entry.pending;
  }
  Table table{{"role", "title", "places", "filled", "pending", "vacant"}, {}};
  for (const auto& campaign : config.catalog.campaigns) {
    for (const auto& entry : campaign.entries) {
      if (entry.kind != dialogs::EntryKind::role) continue;
      const Counts found = counts[entry.id];
      table.rows.push_back({entry.id, entry.title.in(config.settings.language), entry.places,
                            found.filled, found.pending, std::max(0, entry.places - found.filled)});
    }
  }
  return table;
}

Table nudges_table(const storage::Store& store) {
  Table table{{"id", "from", "from_name", "to", "role", "named", "sent", "answer", "answered"}, {}};
  for (const auto& [key, document] : scan_all(store, records::nudges)) {
    const json answer = string_cell(document, "answer");
    table.rows.push_back({string_cell(document, "id"), string_cell(document, "from"),
                          string_cell(document, "from_name"), string_cell(document, "to"),
                          string_cell(document, "entry_id"), document.value("named", false),
                          iso_time(seconds_of(document, "sent")),
                          answer.is_null() ? json("none") : answer,
                          iso_time(seconds_of(document, "answered"))});
  }
  return table;
}

std::string csv_field(const json& cell) {
  if (cell.is_null()) return {};
  if (!cell.is_string()) return cell.dump();
  const auto& text = cell.get_ref<const std::string&>();
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void write_csv(const Table& table, std::ostream& out) {
  const auto write_row = [&](const auto& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out << ',';
      out << csv_field(cells[i]);
    }
    out << "\r\n";
  };
  std::vector<json> header(table.columns.begin(), table.columns.end());
  write_row(header);
  for (const auto& row : table.rows) write_row(row);
}

void write_json(const Table& table, std::ostream& out) {
  ordered_json rows = ordered_json::array();
  for (const auto& row : table.rows) {
    ordered_json object = ordered_json::object();
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      object[table.columns[i]] = ordered_json(row[i]);
    }
    rows.push_back(std::move(object));
  }
  // Invalid UTF-8 in a stored text is replaced rather than failing the whole export.
  out << rows.dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace

int run_export(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_common_options(options);
  options.add_options()                                           //
      ("what", po::value<std::string>()->value_name("WHAT"),      //
       "applications, volunteers, coverage or nudges")            //
      ("format", po::value<std::string>()->value_name("FORMAT"),  //
       "csv or json")                                             //
      ("out,o", po::value<std::string>()->value_name("FILE"),     //
       "write to FILE instead of standard output (replaced when it exists)");
  po::variables_map values;
  if (const auto exit_code = parse_command_line(args, export_usage, options, values)) {
    return *exit_code;
  }
  const std::string what = values.count("what") ? values["what"].as<std::string>() : "";
  const std::string format = values.count("format") ? values["format"].as<std::string>() : "";
  const std::set<std::string> whats = {"applications", "volunteers", "coverage", "nudges"};
  if (!whats.contains(what) || (format != "csv" && format != "json")) {
    std::cerr << "prik export: say --what applications|volunteers|coverage|nudges and --format "
                 "csv|json\n\nUsage: "
              << export_usage;
    return exit_usage;
  }
  setup_logging(values, "warn");
  const auto config = load_configuration("export", values);
  if (!config) return exit_failure;
  const auto& settings = config->settings.store;

  std::unique_ptr<storage::Store> store;
  if (const auto status = storage::Store::open_read_only({.dir = settings.data_dir}, &store);
      !status.ok()) {
    std::cerr << "prik export: cannot read the data dir " << settings.data_dir.string() << ": "
              << status.to_string() << "\n";
    return exit_failure;
  }
  const Table table = what == "applications" ? applications_table(*store)
                      : what == "volunteers" ? volunteers_table(*store)
                      : what == "coverage"   ? coverage_table(*store, *config)
                                             : nudges_table(*store);
  const auto write = [&](std::ostream& out) {
    format == "csv" ? write_csv(table, out) : write_json(table, out);
  };
  if (!values.count("out")) {
    write(std::cout);
    std::cout.flush();
    return std::cout ? exit_ok : exit_failure;
  }
  const std::filesystem::path path = values["out"].as<std::string>();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) write(out);
  out.close();
  if (!out) {
    std::cerr << "prik export: cannot write " << path.string() << "\n";
    return exit_failure;
  }
  std::cout << "exported " << table.rows.size() << " " << what << " to " << path.string() << "\n";
  return exit_ok;
}

}  // namespace prik::bot
