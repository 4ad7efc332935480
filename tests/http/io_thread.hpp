// IoThread: an io_context running on a background thread for the lifetime of a test, and a
// bounded wait for a callback's value. Test support only.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

namespace prik::tests {

class IoThread {
 public:
  IoThread() : guard_(io.get_executor()), thread_([this] { io.run(); }) {}
  ~IoThread() {
    guard_.reset();
    io.stop();
    thread_.join();
  }
  boost::asio::io_context io;

 private:
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// Waits at most `limit` for the future; nullopt when it did not arrive.
template <class T>
std::optional<T> wait_for(std::future<T>& future,
                          std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  if (future.wait_for(limit) != std::future_status::ready) return std::nullopt;
  return future.get();
}

}  // namespace prik::tests
