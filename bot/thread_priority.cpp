#include "bot/thread_priority.hpp"

#include <sched.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

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

void request_short_time_slices(std::chrono::microseconds slice) {
  struct {  // the kernel's struct sched_attr, first version
    std::uint32_t size;
    std::uint32_t sched_policy;
    std::uint64_t sched_flags;
    std::int32_t sched_nice;
    std::uint32_t sched_priority;
    std::uint64_t sched_runtime;
    std::uint64_t sched_deadline;
    std::uint64_t sched_period;
  } attributes{};
  attributes.size = sizeof(attributes);
  attributes.sched_policy = SCHED_OTHER;
  attributes.sched_nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  // For SCHED_OTHER the kernel takes sched_runtime as the thread's slice.
  attributes.sched_runtime = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(slice).count());
  if (::syscall(SYS_sched_setattr, 0, &attributes, 0) != 0) {
    spdlog::debug("could not ask for short time slices");
  }
}

}  // namespace prik::bot
