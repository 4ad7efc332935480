// The terminal with several people: the console adapter on its own (a pipe in, a string stream
// out, a sink that records what it is given), and `prik chat --json` speaking for two people.
#include "adapters/console/console.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/bot/fixtures.hpp"
#include "tests/bot/prik_process.hpp"

namespace prik::bot {
namespace {

using namespace std::chrono_literals;
using adapters::console::ConsoleAdapter;
using nlohmann::json;
using testing_support::PrikProcess;
using testing_support::TempDir;
using testing_support::write_test_config;

// Records every incoming event and confirms it at once.
class RecordingSink final : public adapters::IncomingSink {
 public:
  void deliver(dialogs::Incoming incoming, std::function<void(bool)> done) override {
    {
      std::lock_guard lock(mutex_);
      received_.push_back(std::move(incoming));
    }
    changed_.notify_all();
    done(true);
  }

  // The first count events, once they arrived (fewer after the timeout).
  std::vector<dialogs::Incoming> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return received_.size() >= count; });
    return received_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<dialogs::Incoming> received_;
};

// A console adapter reading what the test writes into a pipe.
class Console {
 public:
  explicit Console(bool json_mode, std::string user = "Anna") {
    if (::pipe2(pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    adapter_ = std::make_unique<ConsoleAdapter>(adapters::console::ConsoleOptions{
        .user_name = std::move(user), .json = json_mode, .input_fd = pipe_[0], .output = &out_});
    adapter_->start(sink_);
  }
  ~Console() {
    adapter_->stop();
    ::close(pipe_[0]);
    ::close(pipe_[1]);
  }

  void type(const std::string& line) {
    const std::string data = line + "\n";
    ASSERT_EQ(::write(pipe_[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
  }

  adapters::SendResult send(const dialogs::Outgoing& message) {
    adapters::SendResult result{adapters::SendResult::Kind::retry, {}, "not called"};
    adapter_->send({"1", message, 0}, [&](adapters::SendResult sent) { result = sent; });
    return result;
  }

  ConsoleAdapter& adapter() { return *adapter_; }
  RecordingSink& sink() { return sink_; }
  std::string output() const { return out_.str(); }

 private:
  int pipe_[2] = {-1, -1};
  std::ostringstream out_;
  RecordingSink sink_;
  std::unique_ptr<ConsoleAdapter> adapter_;
};

TEST(ConsoleNames, AreTrimmedAndLowerCasedDanishLettersToo) {
  EXPECT_EQ(ConsoleAdapter::normalize_name("  Bob \t"), "bob");
  EXPECT_EQ(ConsoleAdapter::normalize_name("ÆBLE-Øster_ÅSE"), "æble-øster_åse");
  EXPECT_EQ(ConsoleAdapter::normalize_name("ÉMILE×2"), "émile×2") << "× is no letter";
  EXPECT_EQ(ConsoleAdapter::normalize_name(" \t "), "");
}

TEST(ConsoleJson, EachLineSpeaksAsItsUserOrTheDefaultOne) {
  Console console(/*json_mode=*/true);
  console.type(R"({"text": "hej"})");
  console.type(R"({"user": " Bob ", "text": "prik @Carl, tak"})");
  console.type(R"({"user": "bob", "choice": "menu.find"})");
  console.type(R"({"user": "Cy"})");
  const auto received = console.sink().wait_for(5);
  ASSERT_EQ(received.size(), 5u) << console.output();
  EXPECT_EQ(received[0].user, "console:anna") << "the opening event, as --user";
  EXPECT_TRUE(received[0].text.empty());
  EXPECT_EQ(received[1].user, "console:anna");
  EXPECT_EQ(received[1].text, "hej");
  EXPECT_EQ(received[2].user, "console:bob");
  EXPECT_EQ(received[2].conversation, "bob");
  EXPECT_EQ(received[2].display_name, "bob");
  EXPECT_EQ(received[2].mentions, std::vector<std::string>{"console:carl"});
  EXPECT_EQ(received[3].user, "console:bob");
  EXPECT_EQ(received[3].choice_id, "menu.find");
  EXPECT_EQ(received[4].user, "console:cy") << "a user alone opens their conversation";
  EXPECT_TRUE(received[4].text.empty() && received[4].choice_id.empty());
}

TEST(ConsoleJson, ABadUserIsAnsweredWithAnErrorAndNothingDelivered) {
  Console console(/*json_mode=*/true);
  console.type(R"({"user": 7, "text": "hej"})");
  console.type(R"({"user": "  ", "text": "hej"})");
  console.type(R"({"user": "bob", "extra": 1})");
  console.type(R"({"text": "efter"})");
  const auto received = console.sink().wait_for(2);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[1].text, "efter");
  std::istringstream lines(console.output());
  int errors = 0;
  for (std::string line; std::getline(lines, line);) errors += json::parse(line).contains("error");
  EXPECT_EQ(errors, 3) << console.output();
}

TEST(ConsoleJson, EveryOutputLineSaysWhomItIsFor) {
  Console console(/*json_mode=*/true);
  EXPECT_EQ(console.send({"console:anna", "", "Hej Anna", {{"menu.find", "Find en rolle"}}}).kind,
            adapters::SendResult::Kind::delivered);
  EXPECT_EQ(console.send({"console:bob", "", "Anna tænkte på dig", {}}).kind,
            adapters::SendResult::Kind::delivered);
  EXPECT_EQ(console.send({"slack:T1:U1", "", "not here", {}}).kind,
            adapters::SendResult::Kind::permanent_failure);
  std::istringstream lines(console.output());
  std::string first;
  std::string second;
  ASSERT_TRUE(std::getline(lines, first) && std::getline(lines, second)) << console.output();
  EXPECT_EQ(json::parse(first), json::parse(R"({"to": "anna", "text": "Hej Anna",
                            "choices": [{"id": "menu.find", "label": "Find en rolle"}]})"));
  EXPECT_EQ(json::parse(second),
            json::parse(R"({"to": "bob", "text": "Anna tænkte på dig", "choices": []})"));
  std::string third;
  EXPECT_FALSE(std::getline(lines, third)) << third;
}

TEST(ConsolePlain, SlashAsSwitchesWhoIsTypingAndMarksMessagesForOthers) {
  Console console(/*json_mode=*/false);
  console.type("hej");
  console.type("/as  Bob ");
  console.type("prik @anna");
  auto received = console.sink().wait_for(4);
  ASSERT_EQ(received.size(), 4u);
  EXPECT_EQ(received[1].user, "console:anna");
  EXPECT_EQ(received[2].user, "console:bob") << "/as opens bob's conversation";
  EXPECT_TRUE(received[2].text.empty());
  EXPECT_EQ(received[3].user, "console:bob");
  EXPECT_EQ(received[3].text, "prik @anna");
  EXPECT_EQ(received[3].mentions, std::vector<std::string>{"console:anna"});
  EXPECT_EQ(console.adapter().user(), "console:bob");

  console.send({"console:bob", "", "Hvem vil du prikke?", {{"a", "Anna"}}});
  console.send({"console:anna", "", "Bob tænkte på dig", {{"nudge.more", "Fortæl mere"}}});
  EXPECT_EQ(console.output(),
            "Hvem vil du prikke?\n1. Anna\n\n"
            "[to anna] Bob tænkte på dig\n1. Fortæl mere\n\n");

  console.type("/as");                 // no name: a hint, and nobody changes
  console.type("/assistance please");  // not the command
  received = console.sink().wait_for(5);
  ASSERT_EQ(received.size(), 5u);
  EXPECT_EQ(received[4].user, "console:bob");
  EXPECT_EQ(received[4].text, "/assistance please");
  EXPECT_NE(console.output().find("/as NAME"), std::string::npos);
}

TEST(PrikChatJson, TwoPeopleTakeTurnsAtOneTerminal) {
  const TempDir dir;
  PrikProcess chat(
      {"chat", "--config", write_test_config(dir.path()).string(), "--user", "Anna", "--json"},
      dir.path() / "stderr.log");
  const auto next_for = [&](const std::string& name) {
    while (const auto line = chat.read_line()) {
      const json reply = json::parse(*line);
      EXPECT_TRUE(reply.contains("to")) << *line;
      if (reply.value("to", "") == name && !reply.value("choices", json::array()).empty()) {
        return reply;
      }
    }
    return json();
  };
  ASSERT_FALSE(next_for("anna").is_null()) << chat.errors();
  chat.write_line(R"({"user": "Bob"})");
  const json welcome = next_for("bob");
  ASSERT_FALSE(welcome.is_null()) << chat.errors();
  chat.write_line(R"({"user": "bob", "text": "english"})");
  const json english = next_for("bob");
  ASSERT_FALSE(english.is_null()) << chat.errors();
  EXPECT_NE(english.dump(), welcome.dump()) << "bob switched to English";
  chat.write_line(R"({"choice": "menu.find"})");
  ASSERT_FALSE(next_for("anna").is_null()) << "anna goes on where she was";
  chat.close_input();
  EXPECT_EQ(chat.wait(), 0) << chat.errors();
}

// A full tap on the shoulder at one terminal: Anna nudges Bob, Bob wants to hear more, Anna is
// told so. Disabled until the nudge dialogs are in (menu.nudge, nudge.more/no/never): the steps
// between "prik bob" and the nudge are answered by picking the choice that confirms and names
// the sender, whatever the dialog calls it.
TEST(PrikChatJson, DISABLED_AnnaNudgesBobWhoWantsToHearMoreAndAnnaIsTold) {
  const TempDir dir;
  PrikProcess chat(
      {"chat", "--config", write_test_config(dir.path()).string(), "--user", "anna", "--json"},
      dir.path() / "stderr.log");
  const auto has_choice = [](const json& reply, std::string_view id) {
    for (const auto& choice : reply.value("choices", json::array())) {
      if (choice.value("id", "") == id) return true;
    }
    return false;
  };
  chat.write_line(R"({"user": "bob"})");  // Bob has talked to Prik before: a known console user
  chat.write_line(R"({"text": "prik bob"})");
  json for_bob;
  for (int steps = 0; steps < 20 && for_bob.is_null();) {
    const auto line = chat.read_line();
    ASSERT_TRUE(line) << chat.errors();
    const json reply = json::parse(*line);
    if (reply.value("to", "") == "bob" && has_choice(reply, "nudge.more")) {
      for_bob = reply;
    } else if (reply.value("to", "") == "anna" && !reply["choices"].empty()) {
      std::string pick;
      for (const auto& choice : reply["choices"]) {
        const std::string id = choice.value("id", "");
        for (const char* wanted : {"named", "yes", "confirm", "any"}) {
          if (pick.empty() && id.find(wanted) != std::string::npos) pick = id;
        }
      }
      if (pick.empty()) continue;
      chat.write_line(json{{"choice", pick}}.dump());
      ++steps;
    }
  }
  ASSERT_FALSE(for_bob.is_null()) << "the nudge never reached Bob";
  EXPECT_EQ(for_bob["choices"].size(), 3u);
  EXPECT_NE(for_bob["text"].get<std::string>().find("anna"), std::string::npos)
      << "a named nudge says who thought of Bob";
  chat.write_line(R"({"user": "bob", "choice": "nudge.more"})");
  bool anna_told = false;
  bool bob_shown_more = false;
  while (!(anna_told && bob_shown_more)) {
    const auto line = chat.read_line();
    ASSERT_TRUE(line) << "anna told: " << anna_told << ", bob shown more: " << bob_shown_more;
    const json reply = json::parse(*line);
    anna_told = anna_told || reply.value("to", "") == "anna";
    bob_shown_more = bob_shown_more || reply.value("to", "") == "bob";
  }
  chat.close_input();
  EXPECT_EQ(chat.wait(), 0) << chat.errors();
}

}  // namespace
}  // namespace prik::bot
