// Test support for `prik run` end to end: the real executable in a child process with a
// temporary configuration that points at loopback fakes of Slack and a Matrix homeserver.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace prik::tests {

// Polls `condition` every few milliseconds for at most `limit`.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// config/prik.json with absolute paths to the shipped catalogs and texts, its data dir in dir,
// the console off and the HTTP server on a free loopback port.
inline nlohmann::json run_config(const std::filesystem::path& dir) {
  const std::filesystem::path config_dir = std::filesystem::path(PRIK_SOURCE_DIR) / "config";
  std::ifstream in(config_dir / "prik.json");
  nlohmann::json config = nlohmann::json::parse(in);
  for (auto& catalog : config["catalogs"]) {
    catalog = (config_dir / catalog.get<std::string>()).string();
  }
  config["messages_dir"] = (config_dir / config["messages_dir"].get<std::string>()).string();
  config["store"]["data_dir"] = (dir / "data").string();
  config["console"]["enabled"] = false;
  config["http"]["listen"] = "127.0.0.1:0";
  config["log_level"] = "info";
  return config;
}

// run_config() over a copy of config/ in dir/config whose campaign `campaign_id` names these
// coordinator routes: {"<lead id>": {"users": [...], "channel": "..."}} and the fallback.
inline nlohmann::json run_config_with_coordinators(const std::filesystem::path& dir,
                                                   const std::string& campaign_id,
                                                   const nlohmann::json& coordinators,
                                                   const nlohmann::json& fallback) {
  const std::filesystem::path copy = dir / "config";
  std::filesystem::copy(std::filesystem::path(PRIK_SOURCE_DIR) / "config", copy,
                        std::filesystem::copy_options::recursive);
  nlohmann::json config = run_config(dir);
  for (auto& catalog : config["catalogs"]) {
    const std::filesystem::path path =
        copy / "catalogs" / std::filesystem::path(catalog.get<std::string>()).filename();
    catalog = path.string();
    std::ifstream in(path);
    nlohmann::json campaign = nlohmann::json::parse(in);
    in.close();
    if (campaign.value("id", "") != campaign_id) continue;
    campaign["coordinators"] = coordinators;
    campaign["fallback"] = fallback;
    std::ofstream(path) << campaign.dump(2);
  }
  config["messages_dir"] = (copy / "messages").string();
  return config;
}

// A Danish text of config/messages/da.json, up to its first placeholder.
inline std::string danish(const std::string& key) {
  std::ifstream in(std::filesystem::path(PRIK_SOURCE_DIR) / "config" / "messages" / "da.json");
  const std::string text = nlohmann::json::parse(in).at(key).get<std::string>();
  return text.substr(0, text.find('{'));
}

// The number of the choice whose label starts with `label` in a message's "1. label" lines.
inline std::optional<std::string> number_of(const std::string& body, const std::string& label) {
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    const auto dot = line.find(". ");
    if (dot == std::string::npos || dot == 0 || dot > 3) continue;
    if (line.compare(dot + 2, label.size(), label) == 0) return line.substr(0, dot);
  }
  return std::nullopt;
}

inline std::filesystem::path write_config(const std::filesystem::path& dir,
                                          const nlohmann::json& config) {
  const auto path = dir / "prik.json";
  std::ofstream(path) << config.dump(2);
  return path;
}

// `prik run --config FILE` as a child process with extra environment variables; its stderr (the
// log) goes to a file. The destructor kills it if it still runs.
class RunProcess {
 public:
  RunProcess(const std::filesystem::path& config, const std::map<std::string, std::string>& env,
             std::filesystem::path log_file)
      : log_file_(std::move(log_file)) {
    std::vector<std::string> environment;
    for (char** entry = ::environ; *entry != nullptr; ++entry) environment.emplace_back(*entry);
    for (const auto& [name, value] : env) environment.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::string binary = PRIK_BINARY;
    std::string command = "run";
    std::string option = "--config";
    std::string config_arg = config.string();
    std::vector<char*> argv{binary.data(), command.data(), option.data(), config_arg.data(),
                            nullptr};
    const std::string log = log_file_.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(out, 2);
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
      ::execve(binary.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
  }

  ~RunProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  RunProcess(const RunProcess&) = delete;
  RunProcess& operator=(const RunProcess&) = delete;

  void signal(int number) {
    if (pid_ > 0) ::kill(pid_, number);
  }

  // The exit code; -1 when it did not exit within `limit` (it is then killed) or died of a signal.
  int wait(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    if (pid_ <= 0) return exit_code_;
    int status = 0;
    const bool exited =
        eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, limit);
    if (!exited) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
    exit_code_ = exited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }

  // Kills it at once, as a power cut or the OOM killer would.
  void kill_hard() {
    signal(SIGKILL);
    wait();
  }

  std::string log() const {
    std::ifstream in(log_file_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // The HTTP port from the "listening on 127.0.0.1:<port>" line; nullopt when it does not appear.
  std::optional<std::uint16_t> port(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    static const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    std::smatch match;
    std::string text;
    if (!eventually(
            [&] {
              text = log();
              return std::regex_search(text, match, listening);
            },
            limit)) {
      return std::nullopt;
    }
    return static_cast<std::uint16_t>(std::stoi(match[1].str()));
  }

 private:
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace prik::tests
