#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "adapters/http/client.hpp"
#include "tests/http/io_thread.hpp"

namespace prik::adapters::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A test CA and server certificates made with the openssl command line into a temporary dir.
class Certificates {
 public:
  Certificates() {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("prik-tls-" + std::to_string(random()));
    fs::create_directories(dir_);
    make_ca("ca");
    make_ca("stranger-ca");
    make_leaf("localhost", "ca", "DNS:localhost");
    make_leaf("wrong-name", "ca", "DNS:wrong.example.org");
    make_leaf("from-stranger", "stranger-ca", "DNS:localhost");
  }
  ~Certificates() { fs::remove_all(dir_); }

  fs::path path(const std::string& name) const { return dir_ / name; }

  // A directory laid out like the system's CA store (/etc/ssl/certs): the test CA under its hash.
  fs::path hashed_ca_directory() {
    const fs::path directory = dir_ / "system-certs";
    fs::create_directories(directory);
    fs::copy_file(dir_ / "ca.pem", directory / "ca.pem", fs::copy_options::overwrite_existing);
    run("openssl rehash system-certs");
    return directory;
  }

 private:
  void run(const std::string& command) {
    const std::string full = "cd '" + dir_.string() + "' && " + command + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(full.c_str()), 0) << command;
  }
  void make_ca(const std::string& name) {
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj '/CN=Prik test " +
        name +
        "' -addext basicConstraints=critical,CA:TRUE "
        "-keyout " +
        name + ".key -out " + name + ".pem");
  }
  void make_leaf(const std::string& name, const std::string& ca, const std::string& alt_name) {
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=" + name +
        "' -keyout " + name + ".key -out " + name + ".csr");
    run("printf 'subjectAltName=" + alt_name + "\\n' > " + name + ".ext");
    run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
        ".key -CAcreateserial -days 2 -extfile " + name + ".ext -out " + name + ".pem");
  }

  fs::path dir_;
};

// Accepts one TLS connection with the given certificate and answers one request with "secure".
class OneShotTlsServer {
 public:
  OneShotTlsServer(const fs::path& certificate, const fs::path& key)
      : context_(asio::ssl::context::tls_server), acceptor_(io_) {
    context_.use_certificate_chain_file(certificate.string());
    context_.use_private_key_file(key.string(), asio::ssl::context::pem);
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~OneShotTlsServer() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  void serve() {
    boost::system::error_code ec;
    asio::ip::tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (ec) return;
    socket.set_option(asio::socket_base::linger(true, 1), ec);
    beast::ssl_stream<asio::ip::tcp::socket> stream(std::move(socket), context_);
    stream.handshake(asio::ssl::stream_base::server, ec);
    if (ec) return;
    beast::flat_buffer buffer;
    beast::http::request<beast::http::string_body> request;
    beast::http::read(stream, buffer, request, ec);
    if (ec) return;
    beast::http::response<beast::http::string_body> response{beast::http::status::ok, 11};
    response.body() = "secure";
    response.keep_alive(false);
    response.prepare_payload();
    beast::http::write(stream, response, ec);
    stream.shutdown(ec);
  }

  asio::io_context io_;
  asio::ssl::context context_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certificates_ = new Certificates(); }
  static void TearDownTestSuite() {
    delete certificates_;
    certificates_ = nullptr;
  }

  Result<ClientResponse> fetch_from(const std::string& leaf, bool trust_test_ca) {
    OneShotTlsServer server(certificates_->path(leaf + ".pem"), certificates_->path(leaf + ".key"));
    ClientOptions options;
    options.use_system_ca_store = true;
    if (trust_test_ca) options.ca_file = certificates_->path("ca.pem");
    auto client = Client::create(io_.io, options);
    if (!client) return client.error();
    ClientRequest request;
    request.url = "https://localhost:" + std::to_string(server.port()) + "/";
    request.timeout = 5s;
    std::promise<Result<ClientResponse>> promise;
    auto future = promise.get_future();
    (*client)->request(request, [&promise](Result<ClientResponse> result) {
      promise.set_value(std::move(result));
    });
    auto result = tests::wait_for(future);
    if (!result) return Error{Error::Kind::timeout, "test", "no callback"};
    return std::move(*result);
  }

  static Certificates* certificates_;
  tests::IoThread io_;
};

Certificates* TlsTest::certificates_ = nullptr;

TEST_F(TlsTest, CertificateForTheRightHostFromTheConfiguredCaIsAccepted) {
  auto response = fetch_from("localhost", /*trust_test_ca=*/true);
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "secure");
}

TEST_F(TlsTest, CertificateForAnotherHostNameIsRefused) {
  auto response = fetch_from("wrong-name", /*trust_test_ca=*/true);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, Error::Kind::tls);
  EXPECT_NE(response.error().message.find("hostname mismatch"), std::string::npos)
      << response.error().to_string();
}

TEST_F(TlsTest, CertificateFromAnUnknownCaIsRefused) {
  auto response = fetch_from("from-stranger", /*trust_test_ca=*/true);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, Error::Kind::tls);
}

TEST_F(TlsTest, TestCaIsNotTrustedUnlessConfigured) {
  auto response = fetch_from("localhost", /*trust_test_ca=*/false);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, Error::Kind::tls);
}

// Sets an environment variable (or unsets it, for nullptr) for the life of the object.
class ScopedEnvironment {
 public:
  ScopedEnvironment(std::string name, const char* value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) {
      ::setenv(name_.c_str(), value, 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ~ScopedEnvironment() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST_F(TlsTest, CaInTheSystemCertificateDirectoryIsTrusted) {
  const fs::path directory = certificates_->hashed_ca_directory();
  const ScopedEnvironment cert_dir("SSL_CERT_DIR", directory.c_str());
  const ScopedEnvironment cert_file("SSL_CERT_FILE", nullptr);
  auto response = fetch_from("localhost", /*trust_test_ca=*/false);
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->body, "secure");
}

TEST_F(TlsTest, MissingCaFileFailsClientCreation) {
  ClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  auto client = Client::create(io_.io, options);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().kind, Error::Kind::tls);
}

}  // namespace
}  // namespace prik::adapters::http
