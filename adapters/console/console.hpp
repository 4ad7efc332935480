// ConsoleAdapter: Prik in a terminal, or in a pipe. Several people can take turns at one
// terminal, so that a nudge can be tried from both ends: each is "console:<name>", names
// lower-cased and trimmed; the --user one types first.
//
// Plain mode: every input line is something the person typing said; a line "/as bob" switches
// who is typing (and shows bob where their conversation stands: the welcome for a new one). Each
// reply is printed as its text followed by its choices as a numbered list ("1. Find en rolle");
// replies for someone other than the person typing start with "[to bob] ". Typed numbers are
// passed on as text; the dialogs resolve them against the choices shown last. A word "@bob" in a
// line is a mention of console:bob. JSON mode (for scripts and tests): one JSON object per line
// in each direction. Input {"text": "..."} or {"choice": "id"}, each with an optional "user":
// "bob" to speak as console:bob (default: the --user one); {"user": "bob"} alone opens bob's
// conversation. A line that is not such an object is answered with {"error": "..."} and
// otherwise ignored. Output {"to": "bob", "text": "...", "choices": [{"id": "...", "label":
// "..."}]}.
//
// start() first delivers an empty event for the first person (which opens the conversation: a
// fresh one gets the welcome), then reads lines on a thread of its own until the input ends or
// stop() is called. At the end of the input it calls on_end_of_input (from that thread). At most
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
#include <string_view>
#include <thread>

#include "adapters/adapter.hpp"

namespace prik::adapters::console {

struct ConsoleOptions {
  std::string user_name;  // the first person typing is "console:<user_name>"
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
  // Prints a message for any console person, marked with whom it is for.
  void send(const OutboxMessage& message, std::function<void(SendResult)> done) override;

  // "console:<name>" of the person typing now.
  std::string user() const;

  // A console name as Prik keeps it: trimmed, lower-cased (ASCII and Latin-1 letters, æøå).
  static std::string normalize_name(std::string_view name);

 private:
  void read_lines();
  void handle_line(const std::string& line);
  void handle_json_line(const std::string& line);
  // An empty event for name: opens their conversation, or shows where it stands.
  void open(const std::string& name);
  dialogs::Incoming incoming_from(const std::string& name) const;
  void deliver(dialogs::Incoming incoming);
  void write_line(const std::string& text);

  ConsoleOptions options_;
  std::string typing_;  // the name of the person typing; guarded by mutex_
  IncomingSink* sink_ = nullptr;
  std::thread reader_;
  int wake_pipe_[2] = {-1, -1};  // written by stop() to interrupt the reader's poll()

  mutable std::mutex mutex_;
  std::condition_variable recorded_;
  int unrecorded_ = 0;  // delivered lines not yet confirmed by the core
  bool stopping_ = false;

  std::mutex output_mutex_;
};

}  // namespace prik::adapters::console
