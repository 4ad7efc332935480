// The terminal with several people: the console adapter on its own (a pipe in, a string stream
// out, a sink that records what it is given), and `prik chat --json` speaking for several people.
#include "adapters/console/console.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <source_location>
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

// The campaign's configuration with kim as the coordinator for the roles under the education lead
// (uddannelseslederen, whom the teambuilders work under) and lise as the fallback, who hears of
// nothing under a lead with someone.
std::filesystem::path write_config_with_coordinator(const std::filesystem::path& dir) {
  const auto path = write_test_config(dir);
  json config = json::parse(std::ifstream(path));
  for (auto& catalog_path : config["catalogs"]) {
    json catalog = json::parse(std::ifstream(catalog_path.get<std::string>()));
    if (catalog["id"] == "kv17-kbh") {
      catalog["coordinators"]["uddannelsesleder"] = {{"users", {"console:kim"}}, {"channel", ""}};
    }
    catalog["fallback"]["users"] = json::array({"console:lise"});
    const auto copy = dir / std::filesystem::path(catalog_path.get<std::string>()).filename();
    std::ofstream(copy) << catalog.dump();
    catalog_path = copy.string();
  }
  std::ofstream(path) << config.dump(2);
  return path;
}

std::string danish_text(const std::string& key) {
  const auto messages = json::parse(
      std::ifstream(std::filesystem::path(PRIK_SOURCE_DIR) / "config/messages/da.json"));
  return messages.at(key).get<std::string>();
}

bool has_choice(const json& reply, std::string_view id) {
  for (const auto& choice : reply.value("choices", json::array())) {
    if (choice.value("id", "") == id) return true;
  }
  return false;
}

// Reads the replies of `prik chat --json` until one satisfies `wanted`; returns all read.
std::vector<json> read_until(PrikProcess& chat, const std::function<bool(const json&)>& wanted,
                             std::source_location where = std::source_location::current()) {
  std::vector<json> read;
  while (const auto line = chat.read_line()) {
    read.push_back(json::parse(*line));
    if (wanted(read.back())) return read;
  }
  ADD_FAILURE() << "line " << where.line() << ": no such reply; read " << json(read).dump() << "\n"
                << chat.errors();
  return read;
}

std::vector<json> replies_to(const std::vector<json>& replies, const std::string& user) {
  std::vector<json> found;
  for (const auto& reply : replies) {
    if (reply.value("to", "") == user) found.push_back(reply);
  }
  return found;
}

const auto to_with_choice = [](std::string user, std::string choice) {
  return
      [=](const json& reply) { return reply.value("to", "") == user && has_choice(reply, choice); };
};
const auto to_user = [](std::string user) {
  return [=](const json& reply) { return reply.value("to", "") == user; };
};

// Anna asks Prik to nudge `friend` about the teambuilder role, naming herself; returns the
// replies up to the menu that ends her turn.
std::vector<json> nudge_teambuilder(PrikProcess& chat, const std::string& friend_name) {
  chat.write_line(json{{"user", "anna"}, {"text", "prik " + friend_name + " teambuilder"}}.dump());
  auto read = read_until(chat, to_with_choice("anna", "nudge.send.named"));
  chat.write_line(R"({"user": "anna", "choice": "nudge.send.named"})");
  const auto after = read_until(chat, to_with_choice("anna", "menu.nudge"));
  read.insert(read.end(), after.begin(), after.end());
  return read;
}

// What Prik answered anna's confirmation: her last message, which goes on with the menu, up to the
// menu's paragraph.
std::string answer_to_anna(const std::vector<json>& read) {
  const auto to_anna = replies_to(read, "anna");
  if (to_anna.empty()) return "";
  const std::string text = to_anna.back().value("text", "");
  return text.substr(0, text.find("\n\n"));
}

// Every file below dir holding `needle`, byte for byte.
std::vector<std::string> files_holding(const std::filesystem::path& dir,
                                       const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (bytes.find(needle) != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

// The whole of issue 7 at one terminal: anna nudges bob, bob wants to hear more and applies,
// kim approves; a second nudge to bob is refused; carl says never, deletes his data, and after
// the compaction nothing of him is left while his opt-out still holds.
TEST(PrikChatJson, ANudgeAnApplicationAnApprovalAnOptOutAndADeletionAtOneTerminal) {
  const TempDir dir;
  const auto config = write_config_with_coordinator(dir.path()).string();
  const std::string refused = danish_text("nudge.refused");
  const std::string carls_words = "blåbærtærte hver søndag";
  {
    PrikProcess chat({"chat", "--config", config, "--user", "anna", "--json"},
                     dir.path() / "stderr.log");
    for (const char* user : {"anna", "bob", "kim"}) {
      if (std::string(user) != "anna") chat.write_line(json{{"user", user}}.dump());
      read_until(chat, to_with_choice(user, "menu.nudge"));
    }
    chat.write_line(json{{"user", "carl"}, {"text", carls_words}}.dump());
    read_until(chat, to_with_choice("carl", "menu.nudge"));

    // The nudge reaches bob once, naming anna, with the three choices.
    auto read = nudge_teambuilder(chat, "bob");
    if (replies_to(read, "bob").empty()) {
      const auto more = read_until(chat, to_with_choice("bob", "nudge.more"));
      read.insert(read.end(), more.begin(), more.end());
    }
    const auto to_bob = replies_to(read, "bob");
    ASSERT_EQ(to_bob.size(), 1u) << json(read).dump();
    EXPECT_EQ(to_bob[0]["choices"].size(), 3u);
    EXPECT_TRUE(has_choice(to_bob[0], "nudge.no") && has_choice(to_bob[0], "nudge.never"));
    EXPECT_NE(to_bob[0]["text"].get<std::string>().find("anna"), std::string::npos);

    // "Tell me more": bob sees the role; anna hears that, and nothing else.
    chat.write_line(R"({"user": "bob", "choice": "nudge.more"})");
    read = read_until(chat, to_with_choice("bob", "apply.alone"));
    if (replies_to(read, "anna").empty()) {
      const auto rest = read_until(chat, to_user("anna"));
      read.insert(read.end(), rest.begin(), rest.end());
    }
    const auto to_anna = replies_to(read, "anna");
    ASSERT_EQ(to_anna.size(), 1u) << json(read).dump();
    std::string interested = danish_text("nudge.interested");
    interested.replace(interested.find("{friend}"), 8, "bob");
    EXPECT_EQ(to_anna[0]["text"], interested);
    EXPECT_TRUE(to_anna[0]["choices"].empty());

    // Bob applies; kim is told, with the id, and approves it; bob is told.
    chat.write_line(R"({"user": "bob", "choice": "apply.alone"})");
    read_until(chat, to_with_choice("bob", "apply.cancel"));
    chat.write_line(R"({"user": "bob", "text": "Jeg elsker at samle folk"})");
    read_until(chat, to_with_choice("bob", "confirm.yes"));
    chat.write_line(R"({"user": "bob", "choice": "confirm.yes"})");
    read = read_until(chat, [](const json& reply) {
      return reply.value("to", "") == "kim" && !reply["choices"].empty();
    });
    EXPECT_TRUE(replies_to(read, "lise").empty()) << "the notice goes to the role's lead";
    const json notice = read.back();
    const std::string approve = notice["choices"][0].value("id", "");
    ASSERT_EQ(approve.rfind("coord.approve.", 0), 0u) << notice.dump();
    const std::string id = approve.substr(std::string("coord.approve.").size());
    EXPECT_NE(notice["text"].get<std::string>().find(id), std::string::npos);
    EXPECT_NE(notice["text"].get<std::string>().find("Jeg elsker at samle folk"),
              std::string::npos);
    chat.write_line(json{{"user", "kim"}, {"text", "godkend " + id}}.dump());
    // Told warmly (the text up to its first placeholder).
    std::string warm = danish_text("coord.volunteer.approved");
    warm.resize(warm.find('{'));
    read_until(chat, [&](const json& reply) {
      return reply.value("to", "") == "bob" && reply.value("text", "").starts_with(warm);
    });

    // Bob has applied: a new nudge is refused, neutrally, and bob hears nothing.
    read = nudge_teambuilder(chat, "bob");
    EXPECT_EQ(answer_to_anna(read), refused);
    EXPECT_TRUE(replies_to(read, "bob").empty()) << json(read).dump();

    // Carl says never; a later nudge to him is refused with the same text.
    read = nudge_teambuilder(chat, "carl");
    if (replies_to(read, "carl").empty()) read = read_until(chat, to_user("carl"));
    ASSERT_TRUE(has_choice(replies_to(read, "carl").back(), "nudge.never")) << json(read).dump();
    chat.write_line(R"({"user": "carl", "choice": "nudge.never"})");
    read = read_until(chat, to_user("carl"));
    read = nudge_teambuilder(chat, "carl");
    EXPECT_EQ(answer_to_anna(read), refused);
    EXPECT_TRUE(replies_to(read, "carl").empty()) << json(read).dump();
    EXPECT_EQ(replies_to(read, "anna").size(), 2u) << "anna is not told carl's answer";

    // Carl deletes his data.
    chat.write_line(R"({"user": "carl", "text": "slet mine data"})");
    read_until(chat, to_with_choice("carl", "data.delete.yes"));
    chat.write_line(R"({"user": "carl", "choice": "data.delete.yes"})");
    read_until(chat, to_user("carl"));
    chat.close_input();
    EXPECT_EQ(chat.wait(), 0) << chat.errors();
  }

  PrikProcess compact({"store", "compact", "--config", config}, dir.path() / "compact.log");
  EXPECT_EQ(compact.wait(), 0) << compact.errors();
  ASSERT_FALSE(files_holding(dir.path() / "data", "console:anna").empty()) << "the search finds";
  EXPECT_EQ(files_holding(dir.path() / "data", "carl"), std::vector<std::string>{});
  EXPECT_EQ(files_holding(dir.path() / "data", carls_words), std::vector<std::string>{});
  EXPECT_EQ(files_holding(dir.path() / "data", "blåbær"), std::vector<std::string>{});

  // The promise outlives the deletion.
  PrikProcess chat({"chat", "--config", config, "--user", "anna", "--json"},
                   dir.path() / "stderr2.log");
  read_until(chat, to_with_choice("anna", "menu.nudge"));
  const auto read = nudge_teambuilder(chat, "carl");
  EXPECT_EQ(answer_to_anna(read), refused);
  EXPECT_TRUE(replies_to(read, "carl").empty()) << json(read).dump();
  chat.close_input();
  EXPECT_EQ(chat.wait(), 0) << chat.errors();
}

}  // namespace
}  // namespace prik::bot
