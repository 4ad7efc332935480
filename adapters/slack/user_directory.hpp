// UserDirectory: what Slack knows of the people in an event, added before the event's turn runs.
//
// complete() fills in the sender's display name and locale (so that a first-time user is greeted
// by name, in Danish or English) and lists the mentions that are bots: Prik itself (from
// auth.test), Slackbot, and whoever users.info calls is_bot. Facts come from a bounded cache, so a
// known user costs nothing; people not in it are looked up with users.info, all at once and
// together bounded by `lookup_timeout`. When a look-up fails or takes too long the event goes on
// without those facts (a late answer still fills the cache): a reply is never held longer than
// that. Failed look-ups are not repeated for `retry_failed_after`; concurrent look-ups of one user
// are shared. Thread-safe; `done` may run on the caller's thread (everyone known) or on the
// io_context.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapters/slack/events.hpp"
#include "adapters/slack/web_api.hpp"
#include "dialogs/message.hpp"

namespace boost::asio {
class io_context;
}

namespace prik::adapters::slack {

struct UserDirectoryOptions {
  std::chrono::milliseconds lookup_timeout{800};     // a turn's wait, so a reply's delay
  std::chrono::milliseconds request_timeout{5'000};  // a late answer still fills the cache
  std::size_t capacity = 10'000;            // users remembered, least recently used first out
  std::chrono::minutes fresh_for{24 * 60};  // then looked up again (names change)
  std::chrono::minutes retry_failed_after{5};
};

struct UserFacts {
  std::string display_name;
  std::string locale;
  bool is_bot = false;
};

class UserDirectory {
 public:
  UserDirectory(boost::asio::io_context& io, WebApi& api, UserDirectoryOptions options,
                std::function<BotIdentity()> identity);
  ~UserDirectory();
  UserDirectory(const UserDirectory&) = delete;
  UserDirectory& operator=(const UserDirectory&) = delete;

  void complete(dialogs::Incoming incoming, std::function<void(dialogs::Incoming)> done);

  // The cached facts of a Slack user id (nullopt: unknown, or its look-up failed).
  std::optional<UserFacts> cached(const std::string& user_id) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace prik::adapters::slack
