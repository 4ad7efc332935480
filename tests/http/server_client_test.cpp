#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "adapters/http/client.hpp"
#include "adapters/http/server.hpp"
#include "tests/http/io_thread.hpp"

namespace prik::adapters::http {
namespace {

using namespace std::chrono_literals;
using tests::IoThread;
using tests::wait_for;

// Fetches with the client and waits for the result.
Result<ClientResponse> fetch(Client& client, ClientRequest request) {
  std::promise<Result<ClientResponse>> promise;
  auto future = promise.get_future();
  client.request(std::move(request), [&promise](Result<ClientResponse> result) {
    promise.set_value(std::move(result));
  });
  auto result = wait_for(future, 15s);
  if (!result) return Error{Error::Kind::timeout, "test", "no callback"};
  return std::move(*result);
}

ClientRequest get(std::uint16_t port, std::string path) {
  ClientRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + path;
  return request;
}

// Sends raw bytes on a fresh socket and returns everything read until the server closes.
std::string raw_exchange(std::uint16_t port, const std::string& bytes) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(bytes));
  std::string received;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(received), ec);
  return received;
}

// The status code of the first response in `received`, or 0 when there is none.
int first_status(const std::string& received) {
  constexpr std::string_view version = "HTTP/1.1 ";
  if (!received.starts_with(version) || received.size() < version.size() + 3) return 0;
  return std::stoi(received.substr(version.size(), 3));
}

class HttpTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    server_ = std::make_unique<Server>(io_.io, router_, options);
    auto port = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(port) << port.error().to_string();
    port_ = *port;
    auto client = Client::create(io_.io, ClientOptions{});
    ASSERT_TRUE(client) << client.error().to_string();
    client_ = std::move(*client);
  }
  void TearDown() override {
    if (server_) {
      std::promise<void> stopped;
      auto future = stopped.get_future();
      server_->stop(1s, [&stopped] { stopped.set_value(); });
      EXPECT_EQ(future.wait_for(5s), std::future_status::ready);
    }
  }

  IoThread io_;
  Router router_;
  FunctionHandler healthz_{[](Request, Respond respond) { respond(Response::text(200, "ok\n")); }};
  FunctionHandler echo_{[](Request request, Respond respond) {
    respond(Response::text(200, std::to_string(request.body.size())));
  }};
  std::unique_ptr<Server> server_;
  std::unique_ptr<Client> client_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpTest, ServerAnswersAGetThroughItsRoute) {
  router_.add("GET", "/healthz", healthz_);
  start();
  auto response = fetch(*client_, get(port_, "/healthz?probe=1"));
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok\n");
}

TEST_F(HttpTest, ResponseCarriesItsHeadersAndLeavesOutMalformedOnes) {
  FunctionHandler limited{[](Request, Respond respond) {
    auto response = Response::json(429, R"({"ok":false})");
    response.headers = {
        {"Retry-After", "3"}, {"X-Note", "a\r\nX-Injected: yes"}, {"X-Name: with", "a colon"}};
    respond(std::move(response));
  }};
  router_.add("GET", "/limited", limited);
  start();
  auto kept_alive = fetch(*client_, get(port_, "/limited"));
  ASSERT_TRUE(kept_alive) << kept_alive.error().to_string();
  EXPECT_EQ(kept_alive->status, 429);
  EXPECT_EQ(kept_alive->header("Retry-After"), "3");
  EXPECT_EQ(kept_alive->header("Content-Type"), "application/json");
  EXPECT_EQ(kept_alive->header("X-Injected"), "");
  EXPECT_EQ(kept_alive->header("X-Note"), "");
  EXPECT_EQ(kept_alive->body, R"({"ok":false})");

  const std::string closed =
      raw_exchange(port_, "GET /limited HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(closed,
            "HTTP/1.1 429 Too Many Requests\r\nServer: prik\r\nContent-Type: application/json\r\n"
            "Retry-After: 3\r\nContent-Length: 12\r\nConnection: close\r\n\r\n"
            R"({"ok":false})");
}

TEST_F(HttpTest, HeadOfAGetRouteGetsItsFieldsWithoutTheBodyAndTheConnectionGoesOn) {
  router_.add("GET", "/healthz", healthz_);
  start();
  const std::string answers =
      raw_exchange(port_,
                   "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                   "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string fields = "Server: prik\r\nContent-Type: text/plain; charset=utf-8\r\n";
  EXPECT_EQ(answers, "HTTP/1.1 200 OK\r\n" + fields + "Content-Length: 3\r\n\r\n" +
                         "HTTP/1.1 200 OK\r\n" + fields +
                         "Content-Length: 3\r\nConnection: close\r\n\r\nok\n");
}

TEST_F(HttpTest, RouterAnswers404ForUnknownPathsAnd405ForOtherMethods) {
  router_.add("GET", "/healthz", healthz_);
  start();
  auto missing = fetch(*client_, get(port_, "/nothing"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto post = get(port_, "/healthz");
  post.method = "POST";
  auto wrong_method = fetch(*client_, post);
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->header("Allow"), "GET, HEAD");
}

TEST_F(HttpTest, A405NamesEveryMethodOfThePath) {
  router_.add("POST", "/echo", echo_);
  router_.add("GET", "/echo", healthz_);
  start();
  auto request = get(port_, "/echo");
  request.method = "DELETE";
  auto response = fetch(*client_, request);
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->header("Allow"), "POST, GET, HEAD");
}

TEST_F(HttpTest, RequestInAbsoluteFormReachesItsRoute) {
  router_.add("GET", "/healthz", healthz_);
  start();
  const std::string received =
      raw_exchange(port_,
                   "GET http://prik.example:8080/healthz?probe=1 HTTP/1.1\r\nHost: prik.example\r\n"
                   "Connection: close\r\n\r\n");
  EXPECT_EQ(first_status(received), 200) << received;
  EXPECT_TRUE(received.ends_with("\r\n\r\nok\n")) << received;
}

TEST_F(HttpTest, AnHttp11RequestNeedsExactlyOneHost) {
  router_.add("GET", "/healthz", healthz_);
  start();
  EXPECT_EQ(first_status(raw_exchange(port_, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")),
            400);
  EXPECT_EQ(first_status(raw_exchange(
                port_, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n")),
            400);
  // HTTP/1.0 had no Host field yet.
  EXPECT_EQ(first_status(raw_exchange(port_, "GET /healthz HTTP/1.0\r\n\r\n")), 200);
}

TEST_F(HttpTest, ExpectContinueGetsA100BeforeTheBodyIsSent) {
  router_.add("POST", "/echo", echo_);
  start();
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
  // A blocking read that gives up, so that a server that never answers fails the test.
  const timeval limit{5, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  boost::asio::write(socket, boost::asio::buffer(std::string(
                                 "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                 "Expect: 100-continue\r\nConnection: close\r\n\r\n")));
  std::string received;
  boost::system::error_code ec;
  const std::size_t head =
      boost::asio::read_until(socket, boost::asio::dynamic_buffer(received), "\r\n\r\n", ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(received.substr(0, head), "HTTP/1.1 100 Continue\r\n\r\n");
  boost::asio::write(socket, boost::asio::buffer(std::string("hello")));
  boost::asio::read(socket, boost::asio::dynamic_buffer(received), ec);
  const std::string final_answer = received.substr(head);
  EXPECT_EQ(first_status(final_answer), 200) << final_answer;
  EXPECT_TRUE(final_answer.ends_with("\r\n\r\n5")) << final_answer;
}

TEST_F(HttpTest, AnExpectationOtherThan100ContinueGets417) {
  router_.add("POST", "/echo", echo_);
  start();
  EXPECT_EQ(first_status(raw_exchange(port_,
                                      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                      "Expect: 200-ok\r\n\r\nhello")),
            417);
}

TEST_F(HttpTest, ClientReusesOneKeptAliveConnectionForSequentialRequests) {
  router_.add("GET", "/healthz", healthz_);
  start();
  for (int i = 0; i < 5; ++i) {
    auto response = fetch(*client_, get(port_, "/healthz"));
    ASSERT_TRUE(response) << response.error().to_string();
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_EQ(client_->connections_opened(), 1u);
}

TEST_F(HttpTest, BodyOverTheLimitGets413) {
  router_.add("POST", "/echo", echo_);
  ServerOptions options;
  options.body_limit = 1024;
  start(options);
  auto request = get(port_, "/echo");
  request.method = "POST";
  request.body = std::string(1024, 'x');
  auto at_limit = fetch(*client_, request);
  ASSERT_TRUE(at_limit) << at_limit.error().to_string();
  EXPECT_EQ(at_limit->status, 200);
  request.body = std::string(8192, 'x');
  auto over = fetch(*client_, request);
  ASSERT_TRUE(over) << over.error().to_string();
  EXPECT_EQ(over->status, 413);
}

TEST_F(HttpTest, MalformedRequestGets400AndTheConnectionCloses) {
  router_.add("GET", "/healthz", healthz_);
  start();
  const auto received = raw_exchange(port_, "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(received.rfind("HTTP/1.1 400", 0), 0u) << received;
}

TEST_F(HttpTest, IdleKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
  router_.add("GET", "/healthz", healthz_);
  ServerOptions options;
  options.idle_timeout = 200ms;
  start(options);
  const auto started = std::chrono::steady_clock::now();
  const auto received = raw_exchange(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(received.rfind("HTTP/1.1 200", 0), 0u) << received;
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 5s);
}

TEST_F(HttpTest, SilentClientIsDisconnectedAfterTheHeaderTimeout) {
  ServerOptions options;
  options.header_timeout = 200ms;
  start(options);
  const auto received = raw_exchange(port_, "GET /healthz HTTP/1.1\r\n");
  EXPECT_EQ(received, "");
}

TEST_F(HttpTest, HandlerMayAnswerLaterFromAnotherThread) {
  std::thread worker;
  FunctionHandler later{[&worker](Request, Respond respond) {
    worker = std::thread([respond = std::move(respond)] {
      std::this_thread::sleep_for(50ms);
      respond(Response::json(202, R"({"later":true})"));
    });
  }};
  router_.add("GET", "/later", later);
  start();
  auto response = fetch(*client_, get(port_, "/later"));
  worker.join();
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->header("content-type"), "application/json");
}

TEST_F(HttpTest, HandlerThatNeverAnswersGets503AfterTheHandlerTimeout) {
  FunctionHandler silent{[](Request, Respond) {}};
  router_.add("GET", "/silent", silent);
  ServerOptions options;
  options.handler_timeout = 100ms;
  start(options);
  auto response = fetch(*client_, get(port_, "/silent"));
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status, 503);
}

TEST_F(HttpTest, ClientRequestTimesOutWhenTheServerIsSlow) {
  FunctionHandler silent{[](Request, Respond) {}};
  router_.add("GET", "/silent", silent);
  ServerOptions options;
  options.handler_timeout = 2s;
  start(options);
  auto request = get(port_, "/silent");
  request.timeout = 100ms;
  auto response = fetch(*client_, request);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, Error::Kind::timeout);
}

TEST_F(HttpTest, ClientReconnectsWhenTheServerClosedItsIdleConnection) {
  router_.add("GET", "/healthz", healthz_);
  ServerOptions options;
  options.idle_timeout = 50ms;
  start(options);
  ASSERT_TRUE(fetch(*client_, get(port_, "/healthz")));
  std::this_thread::sleep_for(300ms);
  auto second = fetch(*client_, get(port_, "/healthz"));
  ASSERT_TRUE(second) << second.error().to_string();
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(client_->connections_opened(), 2u);
}

TEST_F(HttpTest, ConnectionRefusedIsAConnectError) {
  start();
  const auto port = port_;
  std::promise<void> stopped;
  auto future = stopped.get_future();
  server_->stop(0ms, [&stopped] { stopped.set_value(); });
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  server_.reset();
  auto response = fetch(*client_, get(port, "/healthz"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, Error::Kind::connect);
}

TEST_F(HttpTest, StopLetsTheRequestInFlightFinish) {
  std::promise<Respond> held;
  auto held_future = held.get_future();
  FunctionHandler slow{[&held](Request, Respond respond) { held.set_value(std::move(respond)); }};
  router_.add("GET", "/slow", slow);
  start();
  std::promise<Result<ClientResponse>> answered;
  auto answered_future = answered.get_future();
  client_->request(get(port_, "/slow"), [&answered](Result<ClientResponse> result) {
    answered.set_value(std::move(result));
  });
  ASSERT_EQ(held_future.wait_for(5s), std::future_status::ready);
  std::promise<void> stopped;
  auto stopped_future = stopped.get_future();
  server_->stop(5s, [&stopped] { stopped.set_value(); });
  held_future.get()(Response::text(200, "finished"));
  auto response = wait_for(answered_future);
  ASSERT_TRUE(response && *response);
  EXPECT_EQ((*response)->body, "finished");
  EXPECT_EQ(stopped_future.wait_for(5s), std::future_status::ready);
  server_.reset();
}

TEST(HttpRequest, HeaderNamesMatchInAnyCase) {
  Request request;
  request.headers = {{"Content-Type", "application/json"}, {"x-slack-signature", "v0=abc"}};
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(request.header("X-Slack-Signature"), "v0=abc");
  EXPECT_EQ(request.header("X-Slack-Signatur"), "");
  EXPECT_EQ(request.header("X-Slack-Retry-Num"), "");
}

TEST(HttpRequest, PathLeavesOutTheQueryAndTheSchemeAndHostOfTheAbsoluteForm) {
  Request request;
  request.target = "/slack/events?x=1";
  EXPECT_EQ(request.path(), "/slack/events");
  request.target = "http://prik.example/healthz?probe=1";
  EXPECT_EQ(request.path(), "/healthz");
  request.target = "https://prik.example:8443";
  EXPECT_EQ(request.path(), "/");
}

TEST(HttpClient, RejectsAnUnsupportedScheme) {
  IoThread io;
  auto client = Client::create(io.io);
  ASSERT_TRUE(client);
  ClientRequest request;
  request.url = "ftp://example.org/";
  auto response = fetch(**client, request);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, Error::Kind::invalid_argument);
}

}  // namespace
}  // namespace prik::adapters::http
