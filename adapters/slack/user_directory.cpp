#include "adapters/slack/user_directory.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace prik::adapters::slack {

namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

// Slack's own bot: users.info says is_bot false for it.
constexpr std::string_view kSlackbot = "USLACKBOT";

// One event waiting for its look-ups; touched only on its strand.
struct Pending {
  Pending(asio::io_context& io, dialogs::Incoming event,
          std::function<void(dialogs::Incoming)> callback, std::size_t lookups)
      : strand(asio::make_strand(io)),
        deadline(strand),
        incoming(std::move(event)),
        done(std::move(callback)),
        remaining(lookups) {}

  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer deadline;
  dialogs::Incoming incoming;
  std::function<void(dialogs::Incoming)> done;
  std::size_t remaining;
  bool finished = false;
};

}  // namespace

struct UserDirectory::Impl : std::enable_shared_from_this<UserDirectory::Impl> {
  Impl(asio::io_context& io_context, WebApi& web_api, UserDirectoryOptions directory_options,
       std::function<BotIdentity()> bot_identity)
      : io(io_context),
        api(web_api),
        options(directory_options),
        identity(std::move(bot_identity)) {}

  struct Entry {
    std::optional<UserFacts> facts;  // the last facts Slack gave, even when stale
    Clock::time_point look_again;    // from then on a look-up is due
    std::list<std::string>::iterator recency;
  };

  asio::io_context& io;
  WebApi& api;
  const UserDirectoryOptions options;
  const std::function<BotIdentity()> identity;

  mutable std::mutex mutex;        // guards everything below
  std::list<std::string> recency;  // user ids, most recently used first
  std::unordered_map<std::string, Entry> entries;
  std::unordered_map<std::string, std::vector<std::function<void()>>> in_flight;

  // True when `user_id` is unknown or due for a fresh look-up.
  bool due(const std::string& user_id, Clock::time_point now) {
    std::lock_guard lock(mutex);
    const auto it = entries.find(user_id);
    if (it == entries.end()) return true;
    recency.splice(recency.begin(), recency, it->second.recency);
    return now >= it->second.look_again;
  }

  void store(const std::string& user_id, const ApiResult<UserInfo>& info) {
    const auto now = Clock::now();
    std::lock_guard lock(mutex);
    auto it = entries.find(user_id);
    if (it == entries.end()) {
      if (options.capacity == 0) return;
      if (entries.size() >= options.capacity) {
        entries.erase(recency.back());
        recency.pop_back();
      }
      recency.push_front(user_id);
      it = entries.emplace(user_id, Entry{std::nullopt, now, recency.begin()}).first;
    }
    if (info) {
      it->second.facts = UserFacts{info->display_name, info->locale, info->is_bot};
      it->second.look_again = now + options.fresh_for;
    } else {
      it->second.look_again = now + options.retry_failed_after;
    }
  }

  // Looks `user_id` up (or joins the look-up under way) and calls `waiter` when it is over.
  void look_up(const std::string& user_id, std::function<void()> waiter) {
    {
      std::lock_guard lock(mutex);
      auto [it, first] = in_flight.try_emplace(user_id);
      it->second.push_back(std::move(waiter));
      if (!first) return;
    }
    api.users_info(
        user_id,
        [self = shared_from_this(), user_id](ApiResult<UserInfo> info) {
          self->store(user_id, info);
          std::vector<std::function<void()>> waiters;
          {
            std::lock_guard lock(self->mutex);
            const auto it = self->in_flight.find(user_id);
            if (it != self->in_flight.end()) {
              waiters = std::move(it->second);
              self->in_flight.erase(it);
            }
          }
          for (auto& waiting : waiters) waiting();
        },
        std::max(options.lookup_timeout, options.request_timeout));
  }

  // Adds what the cache knows to `incoming`.
  void apply(dialogs::Incoming& incoming, const BotIdentity& self_identity) const {
    std::lock_guard lock(mutex);
    const auto facts_of = [&](const std::string& user_id) -> const UserFacts* {
      const auto it = entries.find(user_id);
      return it == entries.end() || !it->second.facts ? nullptr : &*it->second.facts;
    };
    if (const auto sender = split_user_ref(incoming.user)) {
      if (const UserFacts* facts = facts_of(sender->second)) {
        if (incoming.display_name.empty()) incoming.display_name = facts->display_name;
        if (incoming.locale.empty()) incoming.locale = facts->locale;
      }
    }
    for (const auto& mention : incoming.mentions) {
      const auto user = split_user_ref(mention);
      if (!user) continue;
      const UserFacts* facts = facts_of(user->second);
      const bool bot = user->second == self_identity.user_id || user->second == kSlackbot ||
                       (facts && facts->is_bot);
      if (bot && std::find(incoming.mentioned_bots.begin(), incoming.mentioned_bots.end(),
                           mention) == incoming.mentioned_bots.end()) {
        incoming.mentioned_bots.push_back(mention);
      }
    }
  }

  static void finish(const std::shared_ptr<Impl>& self, const std::shared_ptr<Pending>& pending,
                     const BotIdentity& self_identity) {
    if (pending->finished) return;
    pending->finished = true;
    pending->deadline.cancel();
    self->apply(pending->incoming, self_identity);
    pending->done(std::move(pending->incoming));
  }
};

UserDirectory::UserDirectory(asio::io_context& io, WebApi& api, UserDirectoryOptions options,
                             std::function<BotIdentity()> identity)
    : impl_(std::make_shared<Impl>(io, api, options, std::move(identity))) {}

UserDirectory::~UserDirectory() = default;

void UserDirectory::complete(dialogs::Incoming incoming,
                             std::function<void(dialogs::Incoming)> done) {
  const BotIdentity self_identity = impl_->identity ? impl_->identity() : BotIdentity{};
  std::vector<std::string> wanted;
  if (const auto sender = split_user_ref(incoming.user);
      sender && (incoming.display_name.empty() || incoming.locale.empty())) {
    wanted.push_back(sender->second);
  }
  for (const auto& mention : incoming.mentions) {
    const auto user = split_user_ref(mention);
    if (!user || user->second == self_identity.user_id || user->second == kSlackbot) continue;
    wanted.push_back(user->second);
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  const auto now = Clock::now();
  std::erase_if(wanted, [&](const std::string& user_id) { return !impl_->due(user_id, now); });

  if (wanted.empty()) {
    impl_->apply(incoming, self_identity);
    return done(std::move(incoming));
  }

  auto pending =
      std::make_shared<Pending>(impl_->io, std::move(incoming), std::move(done), wanted.size());
  asio::post(pending->strand, [impl = impl_, pending, self_identity] {
    if (pending->finished) return;
    pending->deadline.expires_after(impl->options.lookup_timeout);
    pending->deadline.async_wait([impl, pending, self_identity](boost::system::error_code) {
      Impl::finish(impl, pending, self_identity);
    });
  });
  for (const auto& user_id : wanted) {
    impl_->look_up(user_id, [impl = impl_, pending, self_identity] {
      asio::post(pending->strand, [impl, pending, self_identity] {
        if (--pending->remaining == 0) Impl::finish(impl, pending, self_identity);
      });
    });
  }
}

std::optional<UserFacts> UserDirectory::cached(const std::string& user_id) const {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->entries.find(user_id);
  return it == impl_->entries.end() ? std::nullopt : it->second.facts;
}

}  // namespace prik::adapters::slack
