// Thread priorities: work that may wait (turns, replies, syncing) runs below the threads that
// acknowledge events.
#pragma once

namespace prik::bot {

// Raises the calling thread's niceness by `niceness` (Linux applies it to one thread), at most to
// 19. Failing is harmless: the thread keeps its priority.
void lower_this_thread_priority(int niceness);

}  // namespace prik::bot
