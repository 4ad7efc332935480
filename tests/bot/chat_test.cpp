// `prik chat` end to end: the real executable, the shipped configuration with a temporary data
// dir, driven through pipes.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "tests/bot/fixtures.hpp"
#include "tests/bot/prik_process.hpp"

namespace prik::bot {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing_support::PrikProcess;
using testing_support::write_test_config;

// Drives `prik chat --json` one reply at a time.
class JsonChat {
 public:
  JsonChat(const std::filesystem::path& config, const std::filesystem::path& dir)
      : process_({"chat", "--config", config.string(), "--user", "anna", "--json"},
                 dir / "stderr.log") {}

  // Reads replies until one offers choices; returns it (null at the end of the output).
  json next_question() {
    while (const auto line = process_.read_line()) {
      json reply = json::parse(*line);
      if (!reply.value("choices", json::array()).empty()) return reply;
    }
    return json();
  }

  json choose(const std::string& id) {
    process_.write_line(json{{"choice", id}}.dump());
    return next_question();
  }
  json say(const std::string& text) {
    process_.write_line(json{{"text", text}}.dump());
    return next_question();
  }

  PrikProcess& process() { return process_; }

 private:
  PrikProcess process_;
};

std::vector<std::string> choice_ids(const json& reply) {
  std::vector<std::string> ids;
  for (const auto& choice : reply.value("choices", json::array())) ids.push_back(choice["id"]);
  return ids;
}

std::optional<std::string> first_with_prefix(const json& reply, std::string_view prefix) {
  for (const auto& id : choice_ids(reply)) {
    if (id.starts_with(prefix)) return id;
  }
  return std::nullopt;
}

TEST(PrikChat, JsonChatFindsARoleAppliesConfirmsAndListsItAfterARestart) {
  const testing_support::TempDir dir;
  const auto config = write_test_config(dir.path());
  std::string applied_for;
  {
    JsonChat chat(config, dir.path());
    json reply = chat.next_question();
    ASSERT_TRUE(first_with_prefix(reply, "menu.find")) << chat.process().errors();
    reply = chat.choose("menu.find");
    const auto interest = first_with_prefix(reply, "interest.");
    ASSERT_TRUE(interest) << reply.dump();
    reply = chat.choose(*interest);
    if (first_with_prefix(reply, "interview.done")) reply = chat.choose("interview.done");
    ASSERT_TRUE(first_with_prefix(reply, "hours.")) << reply.dump();
    reply = chat.choose("hours.5");
    reply = chat.say("Jeg kan godt lide at snakke med folk og dele løbesedler ud på gaden.");
    const auto apply = first_with_prefix(reply, "apply.role.");
    ASSERT_TRUE(apply) << reply.dump();
    applied_for = apply->substr(std::string_view("apply.role.").size());
    reply = chat.choose(*apply);
    reply = chat.say("Jeg har tid om aftenen og møder gerne op.");
    ASSERT_TRUE(first_with_prefix(reply, "confirm.yes")) << reply.dump();
    reply = chat.choose("confirm.yes");
    ASSERT_TRUE(first_with_prefix(reply, "menu.mine")) << reply.dump();
    chat.process().close_input();
    EXPECT_EQ(chat.process().wait(), 0) << chat.process().errors();
  }
  {
    JsonChat chat(config, dir.path());
    ASSERT_FALSE(chat.next_question().is_null()) << chat.process().errors();
    const json reply = chat.choose("menu.mine");
    EXPECT_TRUE(first_with_prefix(reply, "withdraw." + applied_for)) << reply.dump();
    chat.process().close_input();
    EXPECT_EQ(chat.process().wait(), 0) << chat.process().errors();
  }
}

TEST(PrikChat, JsonChatAnswersABadLineWithAnErrorAndGoesOn) {
  const testing_support::TempDir dir;
  JsonChat chat(write_test_config(dir.path()), dir.path());
  ASSERT_FALSE(chat.next_question().is_null()) << chat.process().errors();
  chat.process().write_line("this is not json");
  const auto error_line = chat.process().read_line();
  ASSERT_TRUE(error_line);
  EXPECT_TRUE(json::parse(*error_line).contains("error")) << *error_line;
  EXPECT_FALSE(chat.choose("menu.mine").is_null());
  chat.process().close_input();
  EXPECT_EQ(chat.process().wait(), 0) << chat.process().errors();
}

TEST(PrikChat, PlainChatShowsNumberedChoicesAndEndsCleanlyAtTheEndOfInput) {
  const testing_support::TempDir dir;
  PrikProcess chat({"chat", "--config", write_test_config(dir.path()).string(), "--user", "bo"},
                   dir.path() / "stderr.log");
  chat.write_line("1");
  chat.close_input();
  const std::string output = chat.read_all();
  EXPECT_EQ(chat.wait(), 0) << chat.errors();
  EXPECT_NE(output.find("\n1. "), std::string::npos) << output;
  EXPECT_NE(output.find("\n2. "), std::string::npos) << output;
  EXPECT_NE(output.front(), '{');
  EXPECT_EQ(chat.errors(), "");
}

TEST(PrikChat, ASecondChatOnTheSameDataDirFailsClearly) {
  const testing_support::TempDir dir;
  const auto config = write_test_config(dir.path()).string();
  PrikProcess first({"chat", "--config", config, "--user", "anna"}, dir.path() / "first.log");
  ASSERT_TRUE(first.read_line()) << first.errors();  // the welcome: the store is open
  PrikProcess second({"chat", "--config", config, "--user", "bo"}, dir.path() / "second.log");
  second.close_input();
  EXPECT_EQ(second.wait(), 1);
  EXPECT_NE(second.errors().find("cannot open the data dir"), std::string::npos) << second.errors();
  first.close_input();
  EXPECT_EQ(first.wait(), 0) << first.errors();
}

// `prik store verify` on the data dir of a chat killed mid-conversation, then of one ended cleanly.
TEST(PrikChat, AKilledChatLeavesZerosThatVerifyNamesAndACleanEndLeavesNone) {
  const testing_support::TempDir dir;
  const auto config = write_test_config(dir.path());
  const auto verify = [&] {
    PrikProcess process({"store", "verify", "--config", config.string()},
                        dir.path() / "verify.log");
    process.close_input();
    const std::string out = process.read_all();
    EXPECT_EQ(process.wait(), 0) << process.errors();
    return out;
  };
  {
    JsonChat chat(config, dir.path());
    ASSERT_FALSE(chat.say("hej").is_null()) << chat.process().errors();  // a turn is committed
    chat.process().kill();
  }
  std::string report = verify();
  EXPECT_NE(report.find("zeros reserved for appends"), std::string::npos) << report;
  EXPECT_NE(report.find("healthy (the next open cuts the bytes after the last record)"),
            std::string::npos)
      << report;
  {
    JsonChat chat(config, dir.path());
    ASSERT_FALSE(chat.say("hej").is_null()) << chat.process().errors();
    chat.process().close_input();
    EXPECT_EQ(chat.process().wait(), 0) << chat.process().errors();
  }
  report = verify();
  EXPECT_EQ(report.find("zeros"), std::string::npos) << report;
  EXPECT_NE(report.find("\nhealthy\n"), std::string::npos) << report;
}

TEST(PrikChat, ABrokenConfigurationIsReportedAndExitsWithOne) {
  const testing_support::TempDir dir;
  const auto config = dir.path() / "broken.json";
  std::ofstream(config) << R"({"campaign": 7})";
  PrikProcess chat({"chat", "--config", config.string()}, dir.path() / "stderr.log");
  chat.close_input();
  EXPECT_EQ(chat.wait(), 1);
  EXPECT_NE(chat.errors().find("prik chat: "), std::string::npos) << chat.errors();
}

}  // namespace
}  // namespace prik::bot
