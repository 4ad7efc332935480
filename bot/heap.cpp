#include "bot/heap.hpp"

#ifdef PRIK_JEMALLOC
#include <jemalloc/jemalloc.h>

#include <string>
#else
#include <malloc.h>
#endif

namespace prik::bot {

void release_free_memory() {
#ifdef PRIK_JEMALLOC
  static const std::string purge_all = "arena." + std::to_string(MALLCTL_ARENAS_ALL) + ".purge";
  ::mallctl(purge_all.c_str(), nullptr, nullptr, nullptr, 0);
#else
  ::malloc_trim(0);
#endif
}

}  // namespace prik::bot
