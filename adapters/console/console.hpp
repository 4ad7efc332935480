// ConsoleAdapter: Prik in a terminal, or in a pipe. One person, "console:<name>", talks to the bot
// through an input file descriptor and an output stream.
//
// Plain mode: every input line is something the person typed; each reply is printed as its text
// followed by its choices as a numbered list ("1. Find en rolle"). Typed numbers are passed on as
// text; the dialogs resolve them against the choices shown last. JSON mode (for scripts and
// tests): one JSON object per line in each direction. Input {"text": "..."} or {"choice": "id"};
// a line that is not such an object is answered with {"error": "..."} and otherwise ignored.
// Output {"text": "...", "choices": [{"id": "...", "label": "..."}]}.
//
// start() first delivers an empty event (which opens the conversation: a fresh one gets the
// welcome), then reads lines on a thread of its own until the input ends or stop() is called. At
// the end of the input it calls on_end_of_input (from that thread). At most
// max_unrecorded_lines lines wait for the core to record them; reading pauses beyond that.
//
// Ownership: the input descriptor and the output stream are not owned and must outlive the
// adapter. Threads: send() may be called from any thread; output lines are never interleaved.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

#include "adapters/adapter.hpp"

namespace prik::adapters::console {

struct ConsoleOptions {
  std::string user_name;  // the person is "console:<user_name>"
  bool json = false;
  int input_fd = 0;
  std::ostream* output = nullptr;  // required
  std::function<void()> on_end_of_input;
  int max_unrecorded_lines = 64;
};

class ConsoleAdapter final : public Adapter {
 public:
  explicit ConsoleAdapter(ConsoleOptions options);
  ~ConsoleAdapter() override;
  ConsoleAdapter(const ConsoleAdapter&) = delete;
  ConsoleAdapter& operator=(const ConsoleAdapter&) = delete;

  std::string platform() const override { return "console"; }
  void start(IncomingSink& sink) override;
  void stop() override;
  // Prints the message when it is for this terminal's person; messages for anyone else (left in
  // the outbox by an earlier session under another name) cannot be shown and fail permanently.
  void send(const OutboxMessage& message, std::function<void(SendResult)> done) override;

  const std::string& user() const { return user_; }

 private:
  void read_lines();
  void handle_line(const std::string& line);
  void deliver(dialogs::Incoming incoming);
  void write_line(const std::string& text);

  ConsoleOptions options_;
  std::string user_;
  IncomingSink* sink_ = nullptr;
  std::thread reader_;
  int wake_pipe_[2] = {-1, -1};  // written by stop() to interrupt the reader's poll()

  std::mutex mutex_;
  std::condition_variable recorded_;
  int unrecorded_ = 0;  // delivered lines not yet confirmed by the core
  bool stopping_ = false;

  std::mutex output_mutex_;
};

}  // namespace prik::adapters::console
