// Forgetting a person: forget_person() on a store seeded with every kind of record, and
// `prik forget` as a process. After the commit and a compaction, no file of the data dir may hold
// any byte of the person's UserRef, name or words.
#include "bot/forget.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/bot/fixtures.hpp"
#include "tests/bot/prik_process.hpp"

namespace prik::bot {
namespace {

using nlohmann::json;
using testing_support::PrikProcess;
using testing_support::TempDir;
using testing_support::write_test_config;

// The person forgotten in these tests, and every string that identifies them or that they wrote.
const std::string bob = "console:bob";
const std::string bob_name = "Bob Bøgh";
const std::string bob_words = "Jeg sætter gerne plakater op, især på Nørrebro";
const std::string bob_about = "cykler og havearbejde i Valby";
const std::string bob_handoff_words = "ring til mig om fredagen";
const std::vector<std::string> bob_strings = {bob, bob_name, bob_words, bob_about,
                                              bob_handoff_words};

std::string optout_key(const std::string& user) {
  const std::string input = "prik-optout:" + user;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha256(), nullptr);
  std::ostringstream hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex << "0123456789abcdef"[digest[i] >> 4] << "0123456789abcdef"[digest[i] & 0xf];
  }
  return hex.str();
}

std::unique_ptr<storage::Store> open_store(const std::filesystem::path& dir) {
  std::unique_ptr<storage::Store> store;
  const auto status = storage::Store::open({.dir = dir}, &store);
  EXPECT_TRUE(status.ok()) << status.to_string();
  return store;
}

json application(const std::string& id, const std::string& user, const std::string& name,
                 const std::string& entry, const std::string& status, const std::string& words) {
  return {{"id", id},
          {"user", user},
          {"display_name", name},
          {"entry", entry},
          {"campaign", "kv17-kbh"},
          {"words", words},
          {"status", status},
          {"submitted", 1'700'000'000},
          {"updated", 1'700'000'500}};
}

json nudge(const std::string& id, const std::string& from, const std::string& from_name,
           const std::string& to) {
  return {{"id", id},
          {"from", from},
          {"from_name", from_name},
          {"to", to},
          {"entry_id", "teambuilder"},
          {"named", true},
          {"sent", 1'700'000'100},
          {"answer", "none"},
          {"answered", 0}};
}

// Bob with every kind of record, and Anna and Carl around him.
void seed(storage::Store& store) {
  storage::Batch batch;
  batch.put("conversations", bob,
            json{{"state", "menu"}, {"about", bob_about}, {"words", bob_words}, {"language", "da"}}
                .dump());
  // Anna is in the middle of naming Bob, as pair partner and as the friend of a nudge.
  batch.put("conversations", "console:anna",
            json{{"state", "apply.partner"},
                 {"about", "regnskab"},
                 {"partner", bob},
                 {"partner_label", bob_name},
                 {"nudge", {{"to", bob}, {"entry_id", "teambuilder"}}},
                 {"offered", {"teambuilder", bob}}}
                .dump());
  batch.put("conversations", "console:carl", json{{"state", "menu"}, {"about", "Bogen"}}.dump());

  auto bobs = application("A-00001", bob, bob_name, "teambuilder", "approved", bob_words);
  bobs["partner"] = "console:anna";
  bobs["partner_status"] = "confirmed";
  batch.put("applications", "A-00001", bobs.dump());
  auto annas = application("A-00002", "console:anna", "Anna", "uddannelsesteam", "pending",
                           "Anna vil gerne undervise");
  annas["partner"] = bob;
  annas["partner_status"] = "waiting";
  batch.put("applications", "A-00002", annas.dump());
  batch.put(
      "applications", "A-00003",
      application("A-00003", "console:carl", "Carl", "teambuilder", "pending", "Carl har en bil")
          .dump());

  batch.put("nudges", "N-00001", nudge("N-00001", "console:anna", "Anna", bob).dump());
  batch.put("nudges", "N-00002", nudge("N-00002", bob, bob_name, "console:carl").dump());
  batch.put("nudges", "N-00003", nudge("N-00003", "console:anna", "Anna", "console:carl").dump());

  batch.put("handoffs", "H-00001",
            json{{"id", "H-00001"},
                 {"user", bob},
                 {"display_name", bob_name},
                 {"conversation", "bob"},
                 {"words", bob_handoff_words},
                 {"requested", 1'700'000'200},
                 {"status", "open"}}
                .dump());
  batch.put("handoffs", "H-00002",
            json{{"id", "H-00002"},
                 {"user", "console:carl"},
                 {"display_name", "Carl"},
                 {"conversation", "carl"},
                 {"words", "om bilen"},
                 {"requested", 1'700'000'300},
                 {"status", "open"}}
                .dump());

  batch.put("inbox", "00000000000000000007",
            json{{"user", bob}, {"text", "slet mine data"}, {"display_name", "Bo"}}.dump());
  batch.put("inbox", "00000000000000000008",
            json{{"user", "console:carl"}, {"text", "menu"}, {"display_name", "Carl"}}.dump());

  batch.put("outbox", "00000000000000000001",
            json{{"to", bob}, {"conversation", ""}, {"text", "Hej Bob"}, {"choices", json::array()}}
                .dump());
  batch.put("outbox", "00000000000000000002",
            json{{"to", "slack:C0789"},
                 {"conversation", "C0789"},
                 {"text", "Ny ansøgning fra " + bob_name + ": \"" + bob_words + "\""},
                 {"choices", json::array()}}
                .dump());
  batch.put("outbox", "00000000000000000003",
            json{{"to", "console:carl"},
                 {"conversation", ""},
                 {"text", "Hej Carl, Bogen er klar"},
                 {"choices", json::array()}}
                .dump());

  batch.put("optouts", optout_key(bob), R"({"at":1700000400})");
  batch.put("meta", "counters", R"({"application":3,"handoff":2,"inbox":8,"outbox":3,"nudge":3})");
  ASSERT_TRUE(store.commit(std::move(batch)).ok());
}

std::map<std::string, std::string> read_data_dir(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    files[entry.path().filename().string()] = bytes.str();
  }
  return files;
}

// Every file of the data dir, searched byte for byte for every string of Bob's.
void expect_no_trace_of_bob(const std::filesystem::path& dir) {
  const auto files = read_data_dir(dir);
  ASSERT_FALSE(files.empty());
  for (const auto& [name, bytes] : files) {
    for (const auto& text : bob_strings) {
      EXPECT_EQ(bytes.find(text), std::string::npos) << name << " still holds \"" << text << "\"";
    }
  }
}

json get(const storage::Store& store, std::string_view collection, std::string_view key) {
  const auto document = store.get(collection, key);
  return document ? json::parse(*document) : json();
}

TEST(ForgetPerson, ErasesEverythingAboutThePersonAndKeepsTheRest) {
  const TempDir dir;
  auto store = open_store(dir.path() / "data");
  seed(*store);

  storage::Batch batch;
  const auto rewritten = forget_person(*store, bob, batch);
  ASSERT_EQ(rewritten.size(), 2u);
  EXPECT_EQ(rewritten[0].id, "A-00001");
  EXPECT_EQ(rewritten[0].user, "");
  EXPECT_EQ(rewritten[0].words, "");
  EXPECT_EQ(rewritten[0].entry_id, "teambuilder");
  EXPECT_EQ(rewritten[0].status, dialogs::ApplicationStatus::approved);
  EXPECT_FALSE(rewritten[0].partner);
  EXPECT_EQ(rewritten[1].id, "A-00002");
  EXPECT_EQ(rewritten[1].user, "console:anna");
  EXPECT_FALSE(rewritten[1].partner);
  // Nothing changes before the caller commits.
  EXPECT_TRUE(store->get("conversations", bob));
  ASSERT_TRUE(store->commit(std::move(batch)).ok());

  EXPECT_FALSE(store->get("conversations", bob));
  EXPECT_FALSE(store->get("handoffs", "H-00001"));
  EXPECT_FALSE(store->get("nudges", "N-00001")) << "received";
  EXPECT_FALSE(store->get("nudges", "N-00002")) << "sent";
  EXPECT_FALSE(store->get("inbox", "00000000000000000007"));
  EXPECT_FALSE(store->get("outbox", "00000000000000000001")) << "to Bob";
  EXPECT_FALSE(store->get("outbox", "00000000000000000002")) << "quoting Bob";

  // The application stays as an anonymous count: same id, role, status and times.
  const json anonymous = get(*store, "applications", "A-00001");
  EXPECT_EQ(anonymous["id"], "A-00001");
  EXPECT_EQ(anonymous["entry"], "teambuilder");
  EXPECT_EQ(anonymous["campaign"], "kv17-kbh");
  EXPECT_EQ(anonymous["status"], "approved");
  EXPECT_EQ(anonymous["submitted"], 1'700'000'000);
  EXPECT_EQ(anonymous["updated"], 1'700'000'500);
  EXPECT_EQ(anonymous["user"], "");
  EXPECT_EQ(anonymous["display_name"], "");
  EXPECT_EQ(anonymous["words"], "");
  // No partner: the member is absent or null, its status absent ("none") -- records.hpp.
  EXPECT_TRUE(anonymous.value("partner", json()).is_null());
  EXPECT_EQ(anonymous.value("partner_status", "none"), "none");
  EXPECT_EQ(anonymous["anonymous"], true);
  // Where Bob was the partner, the partner is removed and the rest kept.
  const json annas = get(*store, "applications", "A-00002");
  EXPECT_TRUE(annas.value("partner", json()).is_null());
  EXPECT_EQ(annas.value("partner_status", "none"), "none");
  EXPECT_EQ(annas["words"], "Anna vil gerne undervise");
  EXPECT_EQ(annas["status"], "pending");
  int applications = 0;
  store->scan("applications", "", [&](auto, auto) { ++applications; });
  EXPECT_EQ(applications, 3) << "coverage counts stay";

  // Anna's conversation loses what names Bob, nothing else.
  const json anna = get(*store, "conversations", "console:anna");
  EXPECT_FALSE(anna.contains("partner"));
  EXPECT_FALSE(anna.contains("partner_label"));
  EXPECT_FALSE(anna["nudge"].contains("to"));
  EXPECT_EQ(anna["nudge"]["entry_id"], "teambuilder");
  EXPECT_EQ(anna["offered"], json::array({"teambuilder"}));
  EXPECT_EQ(anna["about"], "regnskab");

  // Everyone else's records are untouched, and the opt-out stays.
  EXPECT_TRUE(store->get("conversations", "console:carl"));
  EXPECT_TRUE(store->get("applications", "A-00003"));
  EXPECT_TRUE(store->get("nudges", "N-00003"));
  EXPECT_TRUE(store->get("handoffs", "H-00002"));
  EXPECT_TRUE(store->get("inbox", "00000000000000000008"));
  EXPECT_TRUE(store->get("outbox", "00000000000000000003")) << "\"Bogen\" does not name Bo";
  EXPECT_EQ(store->get("optouts", optout_key(bob)), R"({"at":1700000400})");

  ASSERT_TRUE(store->compact().ok());
  store.reset();
  expect_no_trace_of_bob(dir.path() / "data");
}

TEST(ForgetPerson, SomeoneNothingIsStoredAboutChangesNothing) {
  const TempDir dir;
  auto store = open_store(dir.path() / "data");
  seed(*store);
  storage::Batch batch;
  EXPECT_TRUE(forget_person(*store, "console:dora", batch).empty());
  EXPECT_TRUE(batch.empty());
}

TEST(ForgetPerson, ForgettingTwiceFindsNothingTheSecondTime) {
  const TempDir dir;
  auto store = open_store(dir.path() / "data");
  seed(*store);
  storage::Batch first;
  forget_person(*store, bob, first);
  ASSERT_TRUE(store->commit(std::move(first)).ok());
  storage::Batch second;
  EXPECT_TRUE(forget_person(*store, bob, second).empty());
  EXPECT_TRUE(second.empty());
}

TEST(PrikForget, AsksShowsCountsDeletesAndCompactsSoNoFileHoldsAnyOfIt) {
  const TempDir dir;
  const auto config = write_test_config(dir.path()).string();
  seed(*open_store(dir.path() / "data"));
  {
    PrikProcess declined({"forget", bob, "--config", config}, dir.path() / "declined.log");
    declined.write_line("no");
    declined.close_input();
    const std::string output = declined.read_all();
    EXPECT_EQ(declined.wait(), 1) << declined.errors();
    EXPECT_NE(output.find("1 conversation"), std::string::npos) << output;
    EXPECT_NE(output.find("Nothing was deleted"), std::string::npos) << output;
    EXPECT_TRUE(open_store(dir.path() / "data")->get("conversations", bob));
  }
  PrikProcess forget({"forget", bob, "--config", config, "--yes"}, dir.path() / "forget.log");
  forget.close_input();
  const std::string output = forget.read_all();
  EXPECT_EQ(forget.wait(), 0) << forget.errors();
  for (const auto* line :
       {"1 conversation", "1 received messages", "2 messages not yet delivered",
        "1 nudges they sent", "1 nudges they received", "1 requests to talk to a human",
        "1 applications of theirs, kept as anonymous counts",
        "1 applications naming them as pair partner", "1 other people's conversations",
        "their opt-out stays", "Compacted"}) {
    EXPECT_NE(output.find(line), std::string::npos) << line << " in\n" << output;
  }
  expect_no_trace_of_bob(dir.path() / "data");

  PrikProcess again({"forget", bob, "--config", config, "--yes"}, dir.path() / "again.log");
  again.close_input();
  EXPECT_NE(again.read_all().find("Nothing is stored about console:bob"), std::string::npos);
  EXPECT_EQ(again.wait(), 0) << again.errors();
}

TEST(PrikForget, RefusesWhileTheBotRunsAndSaysSo) {
  const TempDir dir;
  const auto config = write_test_config(dir.path()).string();
  auto running = open_store(dir.path() / "data");
  seed(*running);
  PrikProcess forget({"forget", bob, "--config", config, "--yes"}, dir.path() / "forget.log");
  forget.close_input();
  EXPECT_EQ(forget.wait(), 1);
  EXPECT_NE(forget.errors().find("the bot is running"), std::string::npos) << forget.errors();
  EXPECT_NE(forget.errors().find("stop it"), std::string::npos) << forget.errors();
  EXPECT_TRUE(running->get("conversations", bob));
}

TEST(PrikForget, ANameWithoutPlatformIsAUsageError) {
  const TempDir dir;
  PrikProcess forget({"forget", "bob", "--config", write_test_config(dir.path()).string()},
                     dir.path() / "forget.log");
  forget.close_input();
  EXPECT_EQ(forget.wait(), 2);
  EXPECT_NE(forget.errors().find("platform:id"), std::string::npos) << forget.errors();
}

}  // namespace
}  // namespace prik::bot
