// Thread priorities: work that may wait (turns, replies, syncing) runs below the threads that
// acknowledge events.
#pragma once

#include <chrono>

namespace prik::bot {

// Turns, replies, platform clients and compactions may wait; acknowledging an event should not
// (Slack wants it within 3 s). Their threads run this much nicer than the rest: at the lowest
// priority, so that they take next to no CPU from recording while events pour in, and get all of
// it once the flood has passed.
constexpr int background_niceness = 19;

// The slice asked for by the threads an acknowledgement waits on: the HTTP server, and the store's
// writer, whose wake-up after each disk sync releases the acknowledgements (Linux's default slice
// is a few ms).
constexpr std::chrono::microseconds acknowledging_time_slice{200};

// Raises the calling thread's niceness by `niceness` (Linux applies it to one thread), at most to
// 19. Failing is harmless: the thread keeps its priority.
void lower_this_thread_priority(int niceness);

// Asks the scheduler for short time slices for the calling thread: woken (by a request, or by a
// finished disk sync) it then runs at once instead of after the slice of whatever else holds the
// CPU (Linux 6.12 and later; ignored before). Failing is harmless.
void request_short_time_slices(std::chrono::microseconds slice);

}  // namespace prik::bot
