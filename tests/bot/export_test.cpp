// `prik export` as a process: every --what in both formats over a seeded data dir, RFC 4180
// quoting, --out, and reading while another process holds the data dir.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "storage/store.hpp"
#include "tests/bot/fixtures.hpp"
#include "tests/bot/prik_process.hpp"

namespace prik::bot {
namespace {

using nlohmann::json;
using testing_support::PrikProcess;
using testing_support::TempDir;
using testing_support::write_test_config;

// A text with every character CSV must quote, and Danish letters.
const std::string tricky_words = "Jeg kan \"lide\" at tælle, og\nregne på æøå\r\nhver dag";
const std::string tricky_name = "Åse, Ærø";

json application(const std::string& id, const std::string& user, const std::string& name,
                 const std::string& entry, const std::string& status, const std::string& words,
                 std::int64_t submitted) {
  return {{"id", id},         {"user", user},           {"display_name", name},
          {"entry", entry},   {"campaign", "kv17-kbh"}, {"words", words},
          {"status", status}, {"submitted", submitted}, {"updated", submitted + 60}};
}

void seed(storage::Store& store) {
  storage::Batch batch;
  batch.put("conversations", "console:ase", json{{"state", "menu"}, {"language", "da"}}.dump());
  batch.put("conversations", "slack:T1:U2", json{{"state", "menu"}, {"language", "en"}}.dump());
  auto ases = application("A-00001", "console:ase", tricky_name, "teambuilder", "approved",
                          tricky_words, 1'700'000'000);
  ases["partner"] = "slack:T1:U2";
  ases["partner_status"] = "confirmed";
  batch.put("applications", "A-00001", ases.dump());
  batch.put("applications", "A-00002",
            application("A-00002", "console:ase", tricky_name, "uddannelsesteam", "pending",
                        "Også dette", 1'700'100'000)
                .dump());
  batch.put("applications", "A-00003",
            application("A-00003", "matrix:@carl:example.org", "Carl", "teambuilder", "pending",
                        "Carl har en bil", 1'700'200'000)
                .dump());
  // Made anonymous by "delete my data": counted in coverage, no volunteer.
  auto anonymous = application("A-00004", "", "", "teambuilder", "withdrawn", "", 1'700'300'000);
  anonymous["anonymous"] = true;
  batch.put("applications", "A-00004", anonymous.dump());
  batch.put("nudges", "N-00001",
            json{{"id", "N-00001"},
                 {"from", "console:ase"},
                 {"from_name", tricky_name},
                 {"to", "slack:T1:U2"},
                 {"entry_id", "teambuilder"},
                 {"named", false},
                 {"sent", 1'700'400'000},
                 {"answer", "more"},
                 {"answered", 1'700'400'100}}
                .dump());
  ASSERT_TRUE(store.commit(std::move(batch)).ok());
}

// A test data dir seeded as above, and its configuration.
class Export : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = write_test_config(dir_.path()).string();
    std::unique_ptr<storage::Store> store;
    ASSERT_TRUE(storage::Store::open({.dir = dir_.path() / "data"}, &store).ok());
    seed(*store);
  }

  // stdout of `prik export --what what --format format` and more; expects exit code 0.
  std::string run(const std::string& what, const std::string& format,
                  std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"export", "--what",   what,   "--format",
                                     format,   "--config", config_};
    args.insert(args.end(), more.begin(), more.end());
    PrikProcess prik(args, dir_.path() / "stderr.log");
    prik.close_input();
    const std::string output = prik.read_all();
    EXPECT_EQ(prik.wait(), 0) << prik.errors();
    // read_all() splits lines on LF and joins them with LF: the bytes are unchanged.
    return output;
  }

  TempDir dir_;
  std::string config_;
};

// Parses RFC 4180 CSV (CRLF records, quoted fields with doubled quotes).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(field.empty()) << "a quote inside an unquoted field at byte " << i;
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::exchange(field, {}));
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      record.push_back(std::exchange(field, {}));
      records.push_back(std::exchange(record, {}));
      ++i;
    } else {
      EXPECT_NE(c, '\n') << "a bare LF outside quotes at byte " << i;
      field += c;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quoted field";
  EXPECT_TRUE(field.empty() && record.empty()) << "the last record lacks its CRLF";
  return records;
}

// The CSV's records as objects keyed by the header's column names.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text) {
  const auto records = parse_csv(text);
  std::vector<std::map<std::string, std::string>> rows;
  if (records.empty()) return rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    EXPECT_EQ(records[r].size(), records[0].size()) << "record " << r;
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < records[r].size() && c < records[0].size(); ++c) {
      row[records[0][c]] = records[r][c];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST_F(Export, ApplicationsAsCsvQuoteCommasQuotesAndLineBreaksAndKeepUtf8) {
  const std::string csv = run("applications", "csv");
  EXPECT_TRUE(
      csv.starts_with("id,role,campaign,status,user,display_name,partner,partner_status,"
                      "words,submitted,updated,anonymous\r\n"))
      << csv;
  EXPECT_NE(csv.find("\"Jeg kan \"\"lide\"\" at tælle, og\nregne på æøå\r\nhver dag\""),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",\"Åse, Ærø\","), std::string::npos) << csv;
  auto rows = csv_rows(csv);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (std::map<std::string, std::string>{{"id", "A-00001"},
                                                         {"role", "teambuilder"},
                                                         {"campaign", "kv17-kbh"},
                                                         {"status", "approved"},
                                                         {"user", "console:ase"},
                                                         {"display_name", tricky_name},
                                                         {"partner", "slack:T1:U2"},
                                                         {"partner_status", "confirmed"},
                                                         {"words", tricky_words},
                                                         {"submitted", "2023-11-14T22:13:20Z"},
                                                         {"updated", "2023-11-14T22:14:20Z"},
                                                         {"anonymous", "false"}}));
  EXPECT_EQ(rows[2]["partner"], "");
  EXPECT_EQ(rows[2]["partner_status"], "none");
  EXPECT_EQ(rows[3]["user"], "");
  EXPECT_EQ(rows[3]["anonymous"], "true");
}

TEST_F(Export, ApplicationsAsJsonAreAnArrayOfObjectsInColumnOrder) {
  const std::string text = run("applications", "json");
  const json rows = json::parse(text);
  ASSERT_TRUE(rows.is_array());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0]["words"], tricky_words);
  EXPECT_EQ(rows[0]["display_name"], tricky_name);
  EXPECT_EQ(rows[0]["submitted"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(rows[0]["anonymous"], false);
  EXPECT_TRUE(rows[2]["partner"].is_null());
  EXPECT_EQ(rows[3]["anonymous"], true);
  EXPECT_LT(text.find("\"id\""), text.find("\"role\""));
  EXPECT_LT(text.find("\"role\""), text.find("\"campaign\""));
  EXPECT_NE(text.find("æøå"), std::string::npos) << "UTF-8 as is, not escaped";
}

TEST_F(Export, VolunteersAreEveryoneWithAConversationOrAnApplication) {
  auto rows = csv_rows(run("volunteers", "csv"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::map<std::string, std::string>{{"user", "console:ase"},
                                                         {"display_name", tricky_name},
                                                         {"language", "da"},
                                                         {"applications", "2"},
                                                         {"last_seen", "2023-11-19T13:20:00Z"}}));
  EXPECT_EQ(rows[1]["user"], "matrix:@carl:example.org");
  EXPECT_EQ(rows[1]["language"], "");
  EXPECT_EQ(rows[1]["applications"], "1");
  EXPECT_EQ(rows[2]["user"], "slack:T1:U2");
  EXPECT_EQ(rows[2]["language"], "en");
  EXPECT_EQ(rows[2]["applications"], "0");
  EXPECT_EQ(rows[2]["last_seen"], "2023-11-19T13:21:40Z") << "answered a nudge";

  const json objects = json::parse(run("volunteers", "json"));
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[0]["applications"], 2);
  EXPECT_TRUE(objects[1]["language"].is_null());
  EXPECT_TRUE(objects[2]["display_name"].is_null());
}

TEST_F(Export, CoverageListsEveryRoleWithItsCounts) {
  auto rows = csv_rows(run("coverage", "csv"));
  ASSERT_EQ(rows.size(), 10u) << "the ten roles of the shipped catalog";
  const auto teambuilder = std::find_if(
      rows.begin(), rows.end(), [](const auto& row) { return row.at("role") == "teambuilder"; });
  ASSERT_NE(teambuilder, rows.end());
  EXPECT_EQ(*teambuilder, (std::map<std::string, std::string>{{"role", "teambuilder"},
                                                              {"title", "Teambuilder(e)"},
                                                              {"places", "3"},
                                                              {"filled", "1"},
                                                              {"pending", "1"},
                                                              {"vacant", "2"}}));

  const json objects = json::parse(run("coverage", "json"));
  ASSERT_EQ(objects.size(), 10u);
  for (const auto& role : objects) {
    if (role["role"] != "uddannelsesteam") continue;
    EXPECT_EQ(role["places"], 4);
    EXPECT_EQ(role["filled"], 0);
    EXPECT_EQ(role["pending"], 1);
    EXPECT_EQ(role["vacant"], 4);
  }
}

TEST_F(Export, NudgesShowEverythingStored) {
  auto rows = csv_rows(run("nudges", "csv"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::map<std::string, std::string>{{"id", "N-00001"},
                                                         {"from", "console:ase"},
                                                         {"from_name", tricky_name},
                                                         {"to", "slack:T1:U2"},
                                                         {"role", "teambuilder"},
                                                         {"named", "false"},
                                                         {"sent", "2023-11-19T13:20:00Z"},
                                                         {"answer", "more"},
                                                         {"answered", "2023-11-19T13:21:40Z"}}));
  const json objects = json::parse(run("nudges", "json"));
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0]["named"], false);
  EXPECT_EQ(objects[0]["from_name"], tricky_name);
}

TEST_F(Export, OutWritesTheFileAndSaysSo) {
  const auto file = dir_.path() / "applications.csv";
  const std::string said = run("applications", "csv", {"--out", file.string()});
  EXPECT_EQ(said, "exported 4 applications to " + file.string() + "\n");
  std::ifstream in(file, std::ios::binary);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(), run("applications", "csv"));
}

TEST_F(Export, ReadsTheDataDirWhileTheBotHoldsIt) {
  std::unique_ptr<storage::Store> running;
  ASSERT_TRUE(storage::Store::open({.dir = dir_.path() / "data"}, &running).ok());
  EXPECT_EQ(json::parse(run("applications", "json")).size(), 4u);
  storage::Batch batch;
  batch.put("applications", "A-00005",
            application("A-00005", "console:ny", "Ny", "teambuilder", "pending", "Hej", 1).dump());
  ASSERT_TRUE(running->commit(std::move(batch)).ok());
  EXPECT_EQ(json::parse(run("applications", "json")).size(), 5u) << "sees acknowledged commits";
}

TEST_F(Export, AnUnknownWhatOrFormatIsAUsageError) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"export", "--what", "secrets", "--format", "csv", "--config", config_},
           {"export", "--what", "nudges", "--format", "xml", "--config", config_},
           {"export", "--config", config_}}) {
    PrikProcess prik(args, dir_.path() / "stderr.log");
    prik.close_input();
    EXPECT_EQ(prik.wait(), 2);
    EXPECT_NE(prik.errors().find("Usage: prik export"), std::string::npos) << prik.errors();
  }
}

// `prik match` reads the same data dir: a role whose only place is filled scores lower and is no
// longer called vacant.
TEST(PrikMatch, RanksWithTheCoverageInTheDataDir) {
  const TempDir dir;
  const auto config = write_test_config(dir.path()).string();
  const auto rank = [&] {
    PrikProcess match({"match", "--config", config, "--text", "regnskab og budget", "--json"},
                      dir.path() / "match.log");
    std::string out;
    while (const auto line = match.read_line()) out += *line;
    EXPECT_EQ(match.wait(), 0) << match.errors();
    return json::parse(out);
  };
  const auto place_of = [](const json& ranking, const std::string& role) {
    for (std::size_t i = 0; i < ranking.size(); ++i) {
      if (ranking[i]["role"] == role) return i;
    }
    return ranking.size();
  };
  const json before = rank();  // no data dir yet: every place open
  ASSERT_FALSE(before.empty());
  ASSERT_EQ(before[0]["role"], "okonomiansvarlig") << before.dump(2);
  {
    std::unique_ptr<storage::Store> store;
    ASSERT_TRUE(storage::Store::open({.dir = dir.path() / "data"}, &store).ok());
    storage::Batch batch;
    batch.put("applications", "A-00001",
              application("A-00001", "console:ase", "Åse", "okonomiansvarlig", "approved", "",
                          1'700'000'000)
                  .dump());
    ASSERT_TRUE(store->commit(std::move(batch)).ok());
  }
  const json after = rank();
  const auto filled = place_of(after, "okonomiansvarlig");
  ASSERT_LT(filled, after.size()) << after.dump(2);
  EXPECT_LT(after[filled]["score"].get<double>(), before[0]["score"].get<double>());
  EXPECT_EQ(after[filled]["reasons"].size() + 1, before[0]["reasons"].size())
      << "no longer vacant: " << after[filled].dump();
}

}  // namespace
}  // namespace prik::bot
