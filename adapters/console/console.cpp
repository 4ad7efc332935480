#include "adapters/console/console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace prik::adapters::console {

using nlohmann::json;

namespace {

bool is_blank(const std::string& text) {
  return text.find_first_not_of(" \t\r") == std::string::npos;
}

}  // namespace

ConsoleAdapter::ConsoleAdapter(ConsoleOptions options)
    : options_(std::move(options)), user_("console:" + options_.user_name) {
  if (options_.output == nullptr) throw std::invalid_argument("ConsoleAdapter needs an output");
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("console: pipe: ") + std::strerror(errno));
  }
}

ConsoleAdapter::~ConsoleAdapter() {
  stop();
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

void ConsoleAdapter::start(IncomingSink& sink) {
  sink_ = &sink;
  reader_ = std::thread([this] {
    deliver(
        {.user = user_, .conversation = options_.user_name, .display_name = options_.user_name});
    read_lines();
  });
}

void ConsoleAdapter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  recorded_.notify_all();
  const char wake = 1;
  if (::write(wake_pipe_[1], &wake, 1) < 0) {
    spdlog::warn("console: could not wake the reader: {}", std::strerror(errno));
  }
  if (reader_.joinable()) reader_.join();
}

void ConsoleAdapter::read_lines() {
  std::string pending;
  char buffer[4096];
  for (;;) {
    pollfd fds[2] = {{options_.input_fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("console: poll: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;  // stop()
    const auto count = ::read(options_.input_fd, buffer, sizeof buffer);
    if (count < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      spdlog::error("console: reading the input: {}", std::strerror(errno));
      break;
    }
    if (count == 0) break;
    pending.append(buffer, static_cast<std::size_t>(count));
    std::size_t start = 0;
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n', start)) {
      handle_line(pending.substr(start, end - start));
      start = end + 1;
    }
    pending.erase(0, start);
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
  if (!pending.empty()) handle_line(pending);
  if (options_.on_end_of_input) options_.on_end_of_input();
}

void ConsoleAdapter::handle_line(const std::string& raw_line) {
  std::string line = raw_line;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (is_blank(line)) return;
  dialogs::Incoming incoming{
      .user = user_, .conversation = options_.user_name, .display_name = options_.user_name};
  if (!options_.json) {
    incoming.text = std::move(line);
    deliver(std::move(incoming));
    return;
  }
  const auto parsed = json::parse(line, nullptr, false);
  const auto field = [&](const char* name) -> const json* {
    const auto found = parsed.find(name);
    return found != parsed.end() && found->is_string() ? &*found : nullptr;
  };
  if (parsed.is_discarded() || !parsed.is_object()) {
    write_line(json{{"error", "expected one JSON object per line"}}.dump());
    return;
  }
  if (const auto* text = field("text")) {
    incoming.text = text->get<std::string>();
  } else if (const auto* choice = field("choice")) {
    incoming.choice_id = choice->get<std::string>();
  } else {
    write_line(json{{"error", "expected {\"text\": \"...\"} or {\"choice\": \"id\"}"}}.dump());
    return;
  }
  deliver(std::move(incoming));
}

void ConsoleAdapter::deliver(dialogs::Incoming incoming) {
  {
    std::unique_lock lock(mutex_);
    recorded_.wait(lock, [&] { return stopping_ || unrecorded_ < options_.max_unrecorded_lines; });
    if (stopping_) return;
    ++unrecorded_;
  }
  sink_->deliver(std::move(incoming), [this](bool recorded) {
    if (!recorded) spdlog::error("console: the bot could not record a message; it was lost");
    std::lock_guard lock(mutex_);
    --unrecorded_;
    recorded_.notify_all();
  });
}

void ConsoleAdapter::write_line(const std::string& text) {
  std::lock_guard lock(output_mutex_);
  *options_.output << text << '\n' << std::flush;
}

void ConsoleAdapter::send(const OutboxMessage& message, std::function<void(SendResult)> done) {
  if (message.message.to != user_) {
    done({SendResult::Kind::permanent_failure, {}, "not the person at this terminal"});
    return;
  }
  std::string rendered;
  if (options_.json) {
    json choices = json::array();
    for (const auto& choice : message.message.choices) {
      choices.push_back({{"id", choice.id}, {"label", choice.label}});
    }
    rendered = json{{"text", message.message.text}, {"choices", std::move(choices)}}.dump();
  } else {
    rendered = message.message.text;
    int number = 0;
    for (const auto& choice : message.message.choices) {
      rendered.append("\n").append(std::to_string(++number)).append(". ").append(choice.label);
    }
    rendered += "\n";
  }
  write_line(rendered);
  if (!*options_.output) {
    done({SendResult::Kind::permanent_failure, {}, "the output is closed"});
    return;
  }
  done({});
}

}  // namespace prik::adapters::console
