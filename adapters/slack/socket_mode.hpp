// SocketModeClient: receives Slack events over a Socket Mode WebSocket instead of a public HTTP
// endpoint.
//
// It asks apps.connections.open (app-level token) for a URL, connects, waits for `hello`, and
// hands each envelope's payload (events_api, interactive, slash_commands) to the IncomingSink;
// the envelope is acknowledged ({"envelope_id": ...}) only after the sink recorded it, so an
// unrecorded event is redelivered by Slack; a recorded button click then goes to `click_recorded`.
// Envelopes the bot ignores are acknowledged at once.
// `disconnect` messages are honoured (refresh: reconnect now; warning: keep going; link_disabled:
// stop and say so), and lost connections are reopened with backoff and jitter (Reconnector).
// start() and stop() may be called from any thread and take effect on the client's strand; the
// sink must stay valid until the io_context has run the stop (or has stopped).
#pragma once

#include <functional>
#include <memory>

#include "adapters/adapter.hpp"
#include "adapters/http/client.hpp"
#include "adapters/http/websocket.hpp"
#include "adapters/slack/events.hpp"
#include "adapters/slack/reconnect.hpp"
#include "adapters/slack/web_api.hpp"

namespace boost::asio {
class io_context;
}

namespace prik::adapters::slack {

struct SocketModeOptions {
  ReconnectOptions reconnect;
  http::WebSocketOptions websocket;
};

class SocketModeClient {
 public:
  SocketModeClient(boost::asio::io_context& io, http::Client& client, WebApi& api,
                   SocketModeOptions options, std::function<BotIdentity()> identity,
                   std::function<void(ClickedMessage)> click_recorded = {});
  ~SocketModeClient();
  SocketModeClient(const SocketModeClient&) = delete;
  SocketModeClient& operator=(const SocketModeClient&) = delete;

  void start(IncomingSink& sink);
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace prik::adapters::slack
