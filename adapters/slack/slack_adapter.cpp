#include "adapters/slack/slack_adapter.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "adapters/slack/blocks.hpp"
#include "adapters/slack/events_endpoint.hpp"

namespace prik::adapters::slack {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

// Bounds on the per-user and per-channel memories.
constexpr std::size_t kMaxRememberedChannels = 10'000;
// The longest wait before another try at marking a clicked choice.
constexpr std::chrono::seconds kMaxChoiceMarkDelay{30};

}  // namespace

// Also the sink that Socket Mode delivers to: it passes each event straight on to the bot core's
// sink while the adapter runs, and refuses the envelopes that reach it after stop(). (The
// endpoint is attached to the core's sink itself; its attach(nullptr) already does that.)
struct SlackAdapter::Impl : std::enable_shared_from_this<SlackAdapter::Impl>, IncomingSink {
  Impl(asio::io_context& io_context, SlackAdapterOptions adapter_options,
       std::unique_ptr<http::Client> http_client, asio::io_context& http_io_context,
       std::unique_ptr<http::Client> lookup_http_client)
      : io(io_context),
        options(std::move(adapter_options)),
        client(std::move(http_client)),
        api(*client, options.api),
        lookup_client(std::move(lookup_http_client)),
        lookup_api(lookup_client ? *lookup_client : *client, options.api),
        endpoint(options.signing_secret, options.body_limit, options.now,
                 [&http_io_context](std::function<void()> task) {
                   asio::post(http_io_context, std::move(task));
                 }),
        users(http_io_context, lookup_api, options.users, [this] { return endpoint.identity(); }) {}

  asio::io_context& io;
  SlackAdapterOptions options;
  std::unique_ptr<http::Client> client;
  WebApi api;
  std::unique_ptr<http::Client> lookup_client;  // null: look-ups share `client`
  WebApi lookup_api;
  EventsEndpoint endpoint;
  UserDirectory users;
  std::unique_ptr<SocketModeClient> socket_mode;

  std::mutex sink_mutex;
  IncomingSink* sink = nullptr;  // the bot core's, between start() and stop()

  IncomingSink* current_sink() {
    std::lock_guard lock(sink_mutex);
    return sink;
  }

  void deliver(dialogs::Incoming incoming, std::function<void(bool)> done) override {
    IncomingSink* target = current_sink();
    if (!target) return done(false);
    target->deliver(std::move(incoming), std::move(done));
  }

  // Replaces the clicked message's buttons by the choice made; a few tries at most.
  void mark_choice(ClickedMessage clicked, int attempt = 1) {
    const json blocks = slack::mark_choice(clicked.blocks, clicked.label);
    api.update_message(
        clicked.channel, clicked.ts, clicked.text, blocks,
        [weak = weak_from_this(), clicked, attempt](ApiResult<PostedMessage> updated) mutable {
          auto self = weak.lock();
          if (updated || !self) return;
          const ApiError& error = updated.error();
          if (error.permanent() || attempt >= self->options.choice_mark_attempts) {
            spdlog::info("slack: left the buttons of message {} in {} as they were ({})",
                         clicked.ts, clicked.channel, error.code);
            return;
          }
          const auto delay = std::min<std::chrono::milliseconds>(
              std::max<std::chrono::milliseconds>(error.retry_after, std::chrono::seconds(attempt)),
              kMaxChoiceMarkDelay);
          auto timer = std::make_shared<asio::steady_timer>(self->io, delay);
          timer->async_wait([timer, weak, clicked = std::move(clicked),
                             attempt](boost::system::error_code ec) mutable {
            auto again = weak.lock();
            if (!ec && again) again->mark_choice(std::move(clicked), attempt + 1);
          });
        });
  }

  std::mutex mutex;                                              // guards the two maps
  std::unordered_map<std::string, std::string> direct_channels;  // user id -> DM channel
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> next_slot;  // channel

  // How long to wait before posting to `channel`, reserving the slot.
  std::chrono::steady_clock::duration reserve_slot(const std::string& channel) {
    std::lock_guard lock(mutex);
    const auto now = std::chrono::steady_clock::now();
    if (next_slot.size() >= kMaxRememberedChannels) {
      std::erase_if(next_slot, [now](const auto& entry) { return entry.second <= now; });
    }
    auto& next = next_slot[channel];
    const auto start = std::max(now, next);
    next = start + options.per_channel_interval;
    return start - now;
  }

  std::mutex posts_mutex;                           // guards the two below
  std::size_t posts_in_flight = 0;                  // at most options.max_concurrent_posts
  std::deque<std::function<void()>> posts_waiting;  // oldest first

  // Runs `start` now, or once fewer than max_concurrent_posts posts are under way. `start` must
  // lead to exactly one post_finished().
  void start_post(std::function<void()> start) {
    {
      std::lock_guard lock(posts_mutex);
      if (posts_in_flight >= std::max<std::size_t>(options.max_concurrent_posts, 1)) {
        posts_waiting.push_back(std::move(start));
        return;
      }
      ++posts_in_flight;
    }
    start();
  }

  void post_finished() {
    std::function<void()> next;
    {
      std::lock_guard lock(posts_mutex);
      if (posts_waiting.empty()) {
        --posts_in_flight;
        return;
      }
      next = std::move(posts_waiting.front());  // takes over the finished post's place
      posts_waiting.pop_front();
    }
    asio::post(io, std::move(next));
  }

  void post(const std::string& channel, const dialogs::Outgoing& message,
            std::function<void(SendResult)> done) {
    auto go = [self = shared_from_this(), channel, message, done = std::move(done)]() mutable {
      self->start_post([self, channel = std::move(channel), message = std::move(message),
                        done = std::move(done)] {
        self->api.post_message(channel, message.text, message.choices,
                               [self, done](ApiResult<PostedMessage> posted) {
                                 self->post_finished();
                                 done(posted ? SendResult{} : classify(posted.error()));
                               });
      });
    };
    const auto delay = reserve_slot(channel);
    if (delay <= std::chrono::steady_clock::duration::zero()) return go();
    auto timer = std::make_shared<asio::steady_timer>(io, delay);
    timer->async_wait([timer, go = std::move(go)](boost::system::error_code) mutable { go(); });
  }

  void remember_direct_channel(const std::string& user_id, const std::string& channel) {
    std::lock_guard lock(mutex);
    if (direct_channels.size() >= kMaxRememberedChannels) direct_channels.clear();
    direct_channels[user_id] = channel;
  }

  std::string direct_channel(const std::string& user_id) {
    std::lock_guard lock(mutex);
    const auto it = direct_channels.find(user_id);
    return it == direct_channels.end() ? std::string{} : it->second;
  }
};

http::Result<std::unique_ptr<SlackAdapter>> SlackAdapter::create(asio::io_context& io,
                                                                 SlackAdapterOptions options,
                                                                 asio::io_context* http_io) {
  auto client = http::Client::create(io, options.client);
  if (!client) return client.error();
  std::unique_ptr<http::Client> lookup_client;
  if (http_io && http_io != &io) {
    auto created = http::Client::create(*http_io, options.client);
    if (!created) return created.error();
    lookup_client = std::move(*created);
  }
  auto impl = std::make_shared<Impl>(io, std::move(options), std::move(*client),
                                     http_io ? *http_io : io, std::move(lookup_client));
  std::weak_ptr<Impl> weak = impl;
  auto click_recorded = [weak](ClickedMessage clicked) {
    if (auto self = weak.lock()) self->mark_choice(std::move(clicked));
  };
  impl->endpoint.on_click_recorded(click_recorded);
  if (impl->options.mode == SlackAdapterOptions::Mode::socket_mode) {
    impl->socket_mode = std::make_unique<SocketModeClient>(
        io, *impl->client, impl->api, impl->options.socket_mode,
        [weak] {
          auto self = weak.lock();
          return self ? self->endpoint.identity() : BotIdentity{};
        },
        click_recorded);
  }
  return std::unique_ptr<SlackAdapter>(new SlackAdapter(std::move(impl)));
}

SlackAdapter::SlackAdapter(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

SlackAdapter::~SlackAdapter() { stop(); }

void SlackAdapter::start(IncomingSink& sink) {
  {
    std::lock_guard lock(impl_->sink_mutex);
    impl_->sink = &sink;
  }
  impl_->endpoint.attach(&sink);
  std::weak_ptr<Impl> weak = impl_;
  impl_->api.auth_test([weak](ApiResult<BotIdentity> identity) {
    auto self = weak.lock();
    if (!self) return;
    if (!identity) {
      spdlog::error("slack: auth.test failed ({}); check the bot token",
                    identity.error().to_string());
      return;
    }
    spdlog::info("slack: signed in to team {} as user {} (bot {})", identity->team_id,
                 identity->user_id, identity->bot_id);
    self->endpoint.set_identity(*identity);
  });
  if (impl_->socket_mode) impl_->socket_mode->start(*impl_);
}

void SlackAdapter::stop() {
  impl_->endpoint.attach(nullptr);
  if (impl_->socket_mode) impl_->socket_mode->stop();
  std::lock_guard lock(impl_->sink_mutex);
  impl_->sink = nullptr;
}

void SlackAdapter::send(const OutboxMessage& message, std::function<void(SendResult)> done) {
  const auto& outgoing = message.message;
  if (!outgoing.conversation.empty()) return impl_->post(outgoing.conversation, outgoing, done);
  const auto user = split_user_ref(outgoing.to);
  if (!user) {
    SendResult failure{SendResult::Kind::permanent_failure, {}, "not a Slack user: " + outgoing.to};
    asio::post(impl_->io, [done = std::move(done), failure] { done(failure); });
    return;
  }
  const std::string user_id = user->second;
  if (auto channel = impl_->direct_channel(user_id); !channel.empty()) {
    return impl_->post(channel, outgoing, std::move(done));
  }
  impl_->api.open_direct_message(user_id, [self = impl_, user_id, outgoing, done = std::move(done)](
                                              ApiResult<std::string> channel) mutable {
    if (!channel) return done(classify(channel.error()));
    self->remember_direct_channel(user_id, *channel);
    self->post(*channel, outgoing, std::move(done));
  });
}

void SlackAdapter::complete(dialogs::Incoming incoming,
                            std::function<void(dialogs::Incoming)> done) {
  impl_->users.complete(std::move(incoming), std::move(done));
}

http::Handler& SlackAdapter::events_handler() { return impl_->endpoint; }

WebApi& SlackAdapter::web_api() { return impl_->api; }

BotIdentity SlackAdapter::identity() const { return impl_->endpoint.identity(); }

const UserDirectory& SlackAdapter::users() const { return impl_->users; }

}  // namespace prik::adapters::slack
