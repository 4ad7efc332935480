// `prik run` with Matrix end to end: the real executable against a loopback homeserver.
#include <gtest/gtest.h>

#include <memory>

#include "tests/bot/fixtures.hpp"
#include "tests/http/io_thread.hpp"
#include "tests/matrix/fake_homeserver.hpp"
#include "tests/matrix/fixtures.hpp"
#include "tests/run/run_support.hpp"

namespace prik::tests {
namespace {

using namespace std::chrono_literals;
using bot::testing_support::TempDir;
using nlohmann::json;
using Endpoint = FakeHomeserver::Endpoint;

const std::string kBot = "@prik:fake.example";
const std::string kToken = "syt_run_test_token";
const std::string kAnna = "@anna:fake.example";
const std::string kRoom = "!anna:fake.example";

// How many of the sent notices contain `text`.
std::size_t count_containing(const std::vector<FakeHomeserver::SentEvent>& sent,
                             const std::string& text) {
  std::size_t count = 0;
  for (const auto& event : sent) {
    if (event.content.value("body", "").find(text) != std::string::npos) ++count;
  }
  return count;
}

class MatrixRunTest : public ::testing::Test {
 protected:
  std::unique_ptr<RunProcess> start(const std::string& token = kToken) {
    json config = run_config(dir_.path());
    config["matrix"]["enabled"] = true;
    config["matrix"]["homeserver_url"] = fake_.url();
    config["matrix"]["user_id"] = kBot;
    return std::make_unique<RunProcess>(
        write_config(dir_.path(), config),
        std::map<std::string, std::string>{{"MATRIX_ACCESS_TOKEN", token}},
        dir_.path() / ("prik-" + std::to_string(++runs_) + ".log"));
  }

  // Starts prik, waits for its first sync and brings Anna into a DM with it.
  std::unique_ptr<RunProcess> start_with_anna(bool encrypted = false) {
    auto prik = start();
    const int syncs = fake_.calls(Endpoint::sync);
    if (!eventually([&] { return fake_.calls(Endpoint::sync) > syncs; }, 20s)) return prik;
    fake_.invite(kRoom, kAnna, true, encrypted, {{kAnna, "Anna"}});
    eventually([&] { return fake_.joined().contains(kRoom); }, 10s);
    return prik;
  }

  // The body of the next notice with numbered choices, after those already read.
  std::string next_question() {
    std::string found;
    eventually(
        [&] {
          const auto sent = fake_.sent();
          while (read_ < sent.size()) {
            const std::string body = sent[read_++].content.value("body", "");
            if (body.find("\n1. ") != std::string::npos) {
              found = body;
              return true;
            }
          }
          return false;
        },
        20s);
    return found;
  }

  // Answers the question `body` with the number of the choice labelled `label`.
  std::string choose(const std::string& body, const std::string& label) {
    const auto number = number_of(body, label);
    EXPECT_TRUE(number) << "no choice '" << label << "' in:\n" << body;
    fake_.post_text(kRoom, kAnna, number.value_or("?"));
    return next_question();
  }
  std::string say(const std::string& text) {
    fake_.post_text(kRoom, kAnna, text);
    return next_question();
  }

  IoThread io_;
  FakeHomeserver fake_{io_.io, kBot, kToken};
  TempDir dir_;
  int runs_ = 0;
  std::size_t read_ = 0;
};

TEST_F(MatrixRunTest, InvitedToADmItJoinsAndWelcomesTheFirstMessage) {
  auto prik = start_with_anna();
  ASSERT_TRUE(fake_.joined().contains(kRoom)) << prik->log();
  const std::string menu = say("hej");
  EXPECT_TRUE(number_of(menu, danish("choice.menu.find"))) << menu << prik->log();
  EXPECT_EQ(count_containing(fake_.sent(), "Jeg hedder Prik"), 1u);
  EXPECT_EQ(fake_.sent()[0].room_id, kRoom);
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(MatrixRunTest, TypedNumbersLeadFromFindingARoleToAnApplication) {
  auto prik = start_with_anna();
  std::string question = say("hej");
  question = choose(question, danish("choice.menu.find"));
  ASSERT_NE(question.find("\n1. "), std::string::npos) << prik->log();
  fake_.post_text(kRoom, kAnna, "1");  // the first interest
  question = next_question();
  if (number_of(question, danish("choice.interview.done"))) {
    question = choose(question, danish("choice.interview.done"));
  }
  question = choose(question, danish("choice.hours.5"));
  question = say("Jeg kan godt lide at snakke med folk og dele løbesedler ud på gaden.");
  question = choose(question, danish("choice.results.apply"));
  question = say("Jeg har tid om aftenen og møder gerne op.");
  question = choose(question, danish("choice.confirm.yes"));
  EXPECT_TRUE(number_of(question, danish("choice.menu.mine"))) << question << prik->log();
  EXPECT_EQ(count_containing(fake_.sent(), danish("apply.sent")), 1u) << prik->log();
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(MatrixRunTest, RestartBetweenSyncsNeitherRepeatsNorLosesAMessage) {
  auto prik = start_with_anna();
  ASSERT_FALSE(say("hej").empty()) << prik->log();
  prik->kill_hard();
  fake_.post_text(kRoom, kAnna, "hjælp");
  prik = start();
  const std::string help = danish("help");
  ASSERT_TRUE(eventually([&] { return count_containing(fake_.sent(), help) >= 1; }, 20s))
      << prik->log();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(count_containing(fake_.sent(), help), 1u);
  EXPECT_EQ(count_containing(fake_.sent(), "Jeg hedder Prik"), 1u);
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(MatrixRunTest, EncryptedDmGetsOneExplanatoryNotice) {
  auto prik = start_with_anna(true);
  const json encrypted = matrix_fixture_json("encrypted_event.json")["content"];
  fake_.post_event(kRoom, kAnna, "m.room.encrypted", encrypted);
  fake_.post_event(kRoom, kAnna, "m.room.encrypted", encrypted);
  const std::string notice = danish("matrix.encrypted");
  ASSERT_TRUE(eventually([&] { return count_containing(fake_.sent(), notice) >= 1; }, 20s))
      << prik->log();
  fake_.post_event(kRoom, kAnna, "m.room.encrypted", encrypted);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(fake_.sent().size(), 1u);
  EXPECT_EQ(fake_.sent()[0].room_id, kRoom);
  prik->signal(SIGTERM);
  EXPECT_EQ(prik->wait(), 0) << prik->log();
}

TEST_F(MatrixRunTest, UnknownAccessTokenStopsWithExitOneAndSaysWhy) {
  auto prik = start("syt_wrong_token");
  EXPECT_EQ(prik->wait(), 1) << prik->log();
  EXPECT_NE(prik->log().find("prik run: Matrix stopped: "), std::string::npos) << prik->log();
  EXPECT_EQ(fake_.calls(Endpoint::sync), 0);
}

}  // namespace
}  // namespace prik::tests
