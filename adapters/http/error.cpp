#include "adapters/http/error.hpp"

namespace prik::adapters::http {

const char* kind_name(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::invalid_argument:
      return "invalid_argument";
    case Error::Kind::resolve:
      return "resolve";
    case Error::Kind::connect:
      return "connect";
    case Error::Kind::tls:
      return "tls";
    case Error::Kind::timeout:
      return "timeout";
    case Error::Kind::io:
      return "io";
    case Error::Kind::protocol:
      return "protocol";
    case Error::Kind::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string Error::to_string() const {
  return std::string(kind_name(kind)) + " error in " + where + ": " + message;
}

}  // namespace prik::adapters::http
