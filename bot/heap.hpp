// The process heap. Release builds allocate from jemalloc: a turn allocates on one thread and its
// records are freed on the store's writer thread, a pattern glibc's malloc serves with locked
// arenas and heap churn, and jemalloc with per-thread caches (bench/dialog_bench: about a third
// less CPU per turn). Sanitized builds keep the sanitizer's allocator.
#pragma once

namespace prik::bot {

// Hands the pages that freed memory left unused back to the system, so that an idle process stays
// small. Costs a few milliseconds; call it after loading, not per request.
void release_free_memory();

}  // namespace prik::bot
