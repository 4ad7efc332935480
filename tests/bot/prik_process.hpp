// Running the prik executable in tests: a child process with its stdin and stdout on pipes and
// its stderr in a file, and a configuration of the shipped catalogs and texts with a data dir of
// the test's own.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace prik::bot::testing_support {

using namespace std::chrono_literals;

inline constexpr auto io_timeout = 20s;

// config/prik.json with absolute paths to the shipped catalogs and texts and a data dir in dir.
inline std::filesystem::path write_test_config(const std::filesystem::path& dir) {
  const std::filesystem::path config_dir = std::filesystem::path(PRIK_SOURCE_DIR) / "config";
  std::ifstream in(config_dir / "prik.json");
  nlohmann::json config = nlohmann::json::parse(in);
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

  // Stops the process at once, as a crash or a power cut would.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  void close_input() {
    if (input_ >= 0) ::close(input_);
    input_ = -1;
  }

  // The next output line; nullopt at the end of the output or after the timeout.
  std::optional<std::string> read_line() {
    const auto deadline = std::chrono::steady_clock::now() + io_timeout;
    for (;;) {
      if (const auto end = buffer_.find('\n'); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
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
    const auto deadline = std::chrono::steady_clock::now() + io_timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
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

}  // namespace prik::bot::testing_support
