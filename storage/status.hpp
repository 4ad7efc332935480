// Status: the result of a fallible storage operation. Cheap to copy; ok() or a kind and message.
#pragma once

#include <string>
#include <utility>

namespace prik::storage {

class Status {
 public:
  enum class Kind { ok, not_found, corruption, io_error, invalid_argument, busy, read_only };

  Status() = default;
  static Status ok_status() { return {}; }
  static Status not_found(std::string message) { return {Kind::not_found, std::move(message)}; }
  static Status corruption(std::string message) { return {Kind::corruption, std::move(message)}; }
  static Status io_error(std::string message) { return {Kind::io_error, std::move(message)}; }
  static Status invalid_argument(std::string message) {
    return {Kind::invalid_argument, std::move(message)};
  }
  static Status busy(std::string message) { return {Kind::busy, std::move(message)}; }
  static Status read_only(std::string message) { return {Kind::read_only, std::move(message)}; }

  bool ok() const { return kind_ == Kind::ok; }
  Kind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  // "io_error: fsync journal-000001.log: No space left on device"
  std::string to_string() const;

 private:
  Status(Kind kind, std::string message) : kind_(kind), message_(std::move(message)) {}
  Kind kind_ = Kind::ok;
  std::string message_;
};

}  // namespace prik::storage
