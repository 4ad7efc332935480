// Error and Result: how every fallible operation of the HTTP layer (and the platform clients
// built on it) reports failure.
//
// An Error carries the layer that failed (kind), where it failed (the operation, e.g. "connect
// slack.com:443") and a human-readable message. A Result<T, E> holds either a value or an error
// (an http::Error unless a platform client brings its own error type). Plain value types; no
// thread-safety concerns.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace prik::adapters::http {

struct Error {
  enum class Kind {
    invalid_argument,  // a bad URL or option, detected before any I/O
    resolve,           // the host name could not be resolved
    connect,           // the TCP connection failed
    tls,               // handshake or certificate verification failed
    timeout,           // a deadline expired
    io,                // reading or writing failed mid-exchange
    protocol,          // the peer sent something that is not valid HTTP / WebSocket / JSON
    cancelled,         // the operation was cancelled (shutdown)
  };
  Kind kind = Kind::cancelled;
  std::string where = "result";
  std::string message = "no value was produced";

  std::string to_string() const;
};

const char* kind_name(Error::Kind kind);

template <class T, class E = Error>
class Result {
 public:
  Result() : state_(E{}) {}  // an error: no value was produced
  Result(T value) : state_(std::move(value)) {}
  Result(E error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const E& error() const { return std::get<E>(state_); }

 private:
  std::variant<T, E> state_;
};

// For operations that produce nothing but may fail.
struct Done {};

}  // namespace prik::adapters::http
