// FakeSlack: a loopback stand-in for slack.com in tests.
//
// A real HTTP server on 127.0.0.1 (port 0) answers the Web API methods Prik uses (auth.test,
// conversations.open, chat.postMessage, chat.update, users.info, apps.connections.open), checking
// the bearer token and the body's shape, and records every post and update. users.info knows the
// users given to add_user() and answers for any other id with a Danish "Anna". Answers can be
// scripted per method (429 with Retry-After, 5xx, ok:false) and delayed. A WebSocket server speaks
// Socket Mode: it says hello to each connection, sends envelopes and disconnects on request, and
// records the acks. Thread-safe; runs on the caller's io_context.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/http/server.hpp"

namespace boost::asio {
class io_context;
}

namespace prik::tests {

class FakeSlack {
 public:
  static constexpr const char* kBotToken = "xoxb-test-bot-token";
  static constexpr const char* kAppToken = "xapp-test-app-token";
  static constexpr const char* kTeam = "T111";
  static constexpr const char* kBotUser = "UBOT";
  static constexpr const char* kBotId = "BBOT";

  explicit FakeSlack(boost::asio::io_context& io);
  ~FakeSlack();

  std::string api_base_url() const;  // "http://127.0.0.1:<port>/api/"

  // The next call of `method` gets this answer instead of the normal one.
  void fail_next(const std::string& method, adapters::http::Response response);
  // Every later call of `method` is answered only after `delay`.
  void delay(const std::string& method, std::chrono::milliseconds delay);
  // users.info answers {"user": user} for `user["id"]`.
  void add_user(const nlohmann::json& user);

  // Bodies of chat.postMessage calls so far (after waiting up to `limit` for `count` of them).
  std::vector<nlohmann::json> posts(std::size_t count = 0,
                                    std::chrono::milliseconds limit = std::chrono::seconds(5));
  // Bodies of chat.update calls so far, waiting like posts().
  std::vector<nlohmann::json> updates(std::size_t count = 0,
                                      std::chrono::milliseconds limit = std::chrono::seconds(5));
  std::size_t calls(const std::string& method) const;

  // Socket Mode.
  bool wait_for_socket_connections(std::size_t count,
                                   std::chrono::milliseconds limit = std::chrono::seconds(10));
  void send_to_socket(const nlohmann::json& frame);  // to the newest connection
  std::vector<std::string> acks(std::size_t count = 0,
                                std::chrono::milliseconds limit = std::chrono::seconds(5));

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace prik::tests
