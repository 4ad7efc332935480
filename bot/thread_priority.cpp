#include "bot/thread_priority.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace prik::bot {

void lower_this_thread_priority(int niceness) {
  if (niceness <= 0) return;
  const auto thread = static_cast<id_t>(::gettid());
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, thread);
  if (errno != 0) return;
  if (::setpriority(PRIO_PROCESS, thread, std::min(current + niceness, 19)) != 0) {
    spdlog::debug("could not lower a thread's priority");
  }
}

}  // namespace prik::bot
