// `prik chat` end to end: the real executable, the shipped configuration with a temporary data
// dir, driven through pipes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "tests/bot/fixtures.hpp"

namespace prik::bot {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr auto io_timeout = 20s;

// config/prik.json with absolute paths to the shipped catalogs and texts and a data dir in dir.
std::filesystem::path write_test_config(const std::filesystem::path& dir) {
  const std::filesystem::path config_dir = std::filesystem::path(PRIK_SOURCE_DIR) / "config";
  std::ifstream in(config_dir / "prik.json");
  json config = json::parse(in);
  for (auto& catalog : config["catalogs"]) {
    catalog = (config_dir / catalog.get<std::string>()).string();
  }
  config["messages_dir"] = (config_dir / config["messages_dir"].get<std::string>()).string();
  config["store"]["data_dir"] = (dir / "data").string();
  const auto path = dir / "prik.json";
  std::ofstream(path) << config.dump(2);
  return path;
}

// A child process running prik with its stdin and stdout on pipes and stderr in a file.
class PrikProcess {
 public:
  PrikProcess(const std::vector<std::string>& args, const std::filesystem::path& stderr_file)
      : stderr_file_(stderr_file) {
    int input[2];
    int output[2];
    if (::pipe2(input, O_CLOEXEC) != 0 || ::pipe2(output, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(input[0], 0);
      ::dup2(output[1], 1);
      const int error = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(error, 2);
      std::vector<char*> argv{const_cast<char*>(PRIK_BINARY)};
      for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      ::execv(PRIK_BINARY, argv.data());
      ::_exit(127);
    }
    ::close(input[0]);
    ::close(output[1]);
    input_ = input[1];
    output_ = output[0];
  }

  ~PrikProcess() {
    close_input();
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(output_);
  }

  void write_line(const std::string& line) {
    const std::string data = line + "\n";
    ASSERT_EQ(::write(input_, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  }

  void close_input() {
    if (input_ >= 0) ::close(input_);
    input_ = -1;
  }

  // The next output line; nullopt at the end of the output or after the timeout.
  std::optional<std::string> read_line() {
    const auto deadline = Clock::now() + io_timeout;
    for (;;) {
      if (const auto end = buffer_.find('\n'); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms) return std::nullopt;
      pollfd ready{output_, POLLIN, 0};
      if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      const auto count = ::read(output_, chunk, sizeof chunk);
      if (count <= 0) {
        if (buffer_.empty()) return std::nullopt;
        return std::exchange(buffer_, {});
      }
      buffer_.append(chunk, static_cast<std::size_t>(count));
    }
  }

  std::string read_all() {
    std::string all;
    while (const auto line = read_line()) all += *line + "\n";
    return all;
  }

  // The exit code, or -1 when the process had to be killed after the timeout.
  int wait() {
    const auto deadline = Clock::now() + io_timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) return -1;
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string errors() const {
    std::ifstream in(stderr_file_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::filesystem::path stderr_file_;
  pid_t pid_ = -1;
  int input_ = -1;
  int output_ = -1;
  std::string buffer_;
};

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
