#include "storage/status.hpp"

namespace prik::storage {

std::string Status::to_string() const {
  const char* name = "ok";
  switch (kind_) {
    case Kind::ok:
      return "ok";
    case Kind::not_found:
      name = "not found";
      break;
    case Kind::corruption:
      name = "corruption";
      break;
    case Kind::io_error:
      name = "I/O error";
      break;
    case Kind::invalid_argument:
      name = "invalid argument";
      break;
    case Kind::busy:
      name = "busy";
      break;
    case Kind::read_only:
      name = "read-only";
      break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace prik::storage
