#include "adapters/console/console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace prik::adapters::console {

using nlohmann::json;

namespace {

constexpr std::string_view platform_prefix = "console:";
constexpr std::string_view switch_command = "/as";

bool is_blank(const std::string& text) {
  return text.find_first_not_of(" \t\r") == std::string::npos;
}

// The console people a line mentions as "@name" (trailing punctuation is not part of a name).
std::vector<dialogs::UserRef> mentions_in(const std::string& text) {
  std::vector<dialogs::UserRef> mentions;
  std::size_t at = 0;
  while ((at = text.find('@', at)) != std::string::npos) {
    const bool starts_word = at == 0 || std::isspace(static_cast<unsigned char>(text[at - 1]));
    auto end = text.find_first_of(" \t\r\n", at);
    if (end == std::string::npos) end = text.size();
    std::string_view name(text.data() + at + 1, end - at - 1);
    while (!name.empty() && std::string_view(".,;:!?)\"'").find(name.back()) != std::string::npos) {
      name.remove_suffix(1);
    }
    if (starts_word && !name.empty()) {
      dialogs::UserRef user = std::string(platform_prefix) + ConsoleAdapter::normalize_name(name);
      if (std::find(mentions.begin(), mentions.end(), user) == mentions.end()) {
        mentions.push_back(std::move(user));
      }
    }
    at = end;
  }
  return mentions;
}

}  // namespace

std::string ConsoleAdapter::normalize_name(std::string_view name) {
  const auto first = name.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  name = name.substr(first, name.find_last_not_of(" \t\r\n") - first + 1);
  std::string normalized(name);
  for (std::size_t i = 0; i < normalized.size(); ++i) {
    auto& c = normalized[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    } else if (static_cast<unsigned char>(c) == 0xc3 && i + 1 < normalized.size()) {
      // U+00C0..U+00DE (Latin-1 capitals, Æ Ø Å among them, but not U+00D7 the multiplication
      // sign) are two bytes C3 80..C3 9E; their small letters are 0x20 further.
      auto& next = normalized[++i];
      const auto byte = static_cast<unsigned char>(next);
      if (byte >= 0x80 && byte <= 0x9e && byte != 0x97) next = static_cast<char>(byte + 0x20);
    }
  }
  return normalized;
}

ConsoleAdapter::ConsoleAdapter(ConsoleOptions options)
    : options_(std::move(options)), typing_(normalize_name(options_.user_name)) {
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

std::string ConsoleAdapter::user() const {
  std::lock_guard lock(mutex_);
  return std::string(platform_prefix) + typing_;
}

dialogs::Incoming ConsoleAdapter::incoming_from(const std::string& name) const {
  return {.user = std::string(platform_prefix) + name, .conversation = name, .display_name = name};
}

void ConsoleAdapter::open(const std::string& name) { deliver(incoming_from(name)); }

void ConsoleAdapter::start(IncomingSink& sink) {
  sink_ = &sink;
  reader_ = std::thread([this] {
    open(typing_);
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
  if (options_.json) {
    handle_json_line(line);
    return;
  }
  const auto command = line.find_first_not_of(" \t");
  if (line.compare(command, switch_command.size(), switch_command) == 0 &&
      (line.size() == command + switch_command.size() ||
       std::isspace(static_cast<unsigned char>(line[command + switch_command.size()])))) {
    std::string name = normalize_name(line.substr(command + switch_command.size()));
    if (name.empty()) {
      write_line("/as NAME: type as console:NAME from now on");
      return;
    }
    {
      std::lock_guard lock(mutex_);
      typing_ = name;
    }
    open(name);
    return;
  }
  std::string name;
  {
    std::lock_guard lock(mutex_);
    name = typing_;
  }
  auto incoming = incoming_from(name);
  incoming.mentions = mentions_in(line);
  incoming.text = std::move(line);
  deliver(std::move(incoming));
}

void ConsoleAdapter::handle_json_line(const std::string& line) {
  const auto parsed = json::parse(line, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    write_line(json{{"error", "expected one JSON object per line"}}.dump());
    return;
  }
  const auto field = [&](const char* name) -> const json* {
    const auto found = parsed.find(name);
    return found != parsed.end() && found->is_string() ? &*found : nullptr;
  };
  std::string name = options_.user_name;
  if (parsed.contains("user")) {
    const auto* user = field("user");
    name = user ? user->get<std::string>() : std::string{};
  }
  name = normalize_name(name);
  if (name.empty()) {
    write_line(json{{"error", "\"user\" must be a non-empty console name"}}.dump());
    return;
  }
  auto incoming = incoming_from(name);
  if (const auto* text = field("text")) {
    incoming.text = text->get<std::string>();
    incoming.mentions = mentions_in(incoming.text);
  } else if (const auto* choice = field("choice")) {
    incoming.choice_id = choice->get<std::string>();
  } else if (!parsed.contains("user") || parsed.size() != 1) {
    write_line(json{{"error",
                     "expected {\"text\": \"...\"} or {\"choice\": \"id\"}, optionally with "
                     "\"user\"; or {\"user\": \"name\"} alone"}}
                   .dump());
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
  const auto& to = message.message.to;
  if (!to.starts_with(platform_prefix)) {
    done({SendResult::Kind::permanent_failure, {}, "not a console person"});
    return;
  }
  const std::string name = to.substr(platform_prefix.size());
  std::string rendered;
  if (options_.json) {
    json choices = json::array();
    for (const auto& choice : message.message.choices) {
      choices.push_back({{"id", choice.id}, {"label", choice.label}});
    }
    rendered =
        json{{"to", name}, {"text", message.message.text}, {"choices", std::move(choices)}}.dump(
            -1, ' ', false, json::error_handler_t::replace);
  } else {
    {
      std::lock_guard lock(mutex_);
      if (name != typing_) rendered = "[to " + name + "] ";
    }
    rendered += message.message.text;
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
