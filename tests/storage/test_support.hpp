// Helpers shared by the storage tests: temporary directories, reading a data dir's bytes, running
// the helper process, and capturing log lines.
#pragma once

#include <spawn.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "storage/file_system.hpp"
#include "tests/support/temp_dir.hpp"

extern char** environ;

namespace prik::storage::testing {

// The store logs every open at info level; the tests open thousands of stores.
inline const bool quiet_store_logs = [] {
  spdlog::set_level(spdlog::level::warn);
  return true;
}();

using TempDir = prik::test_support::TempDir;

// Every file of dir, name -> bytes, read through file_system.
inline std::map<std::string, std::string> read_all_files(FileSystem* file_system,
                                                         const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  std::vector<std::string> names;
  if (!file_system->list_dir(dir, &names).ok()) return files;
  for (const auto& name : names) {
    std::string contents;
    if (file_system->read_file(dir / name, &contents).ok()) files[name] = std::move(contents);
  }
  return files;
}

// The helper executable running in a child process, its stdout readable through a pipe.
class Helper {
 public:
  explicit Helper(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> all = {STORE_TEST_HELPER};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : all) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, STORE_TEST_HELPER, &actions, nullptr, argv.data(), environ) != 0) {
      std::abort();
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~Helper() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    ::close(out_);
  }
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;

  pid_t pid() const { return pid_; }
  int output_fd() const { return out_; }

  // Reads the child's output until it closes it (it exited or was killed).
  std::string read_all() {
    std::string text;
    char buffer[4096];
    for (ssize_t got; (got = ::read(out_, buffer, sizeof(buffer))) != 0;) {
      if (got < 0) {
        if (errno == EINTR) continue;
        break;
      }
      text.append(buffer, static_cast<std::size_t>(got));
    }
    return text;
  }

  // Waits for the child; its wait status.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

// Captures what the store logs while it lives.
class LogCapture {
 public:
  LogCapture()
      : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)),
        previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }

  std::string text() const {
    std::string all;
    for (const auto& line : sink_->last_formatted()) all += line;
    return all;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace prik::storage::testing
