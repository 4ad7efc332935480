// Reading one role catalog file (config/catalogs/*.json) into a dialogs::Campaign, and the checks
// that span all catalogs (ids unique across the whole catalog).
//
// Problems go to the caller's Problems sink; the functions keep no state and are thread-safe.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/config_json.hpp"
#include "dialogs/catalog.hpp"

namespace prik::bot {

// A campaign as far as it could be read from one catalog file; every problem is reported, and the
// campaign is only usable when none was.
dialogs::Campaign read_campaign(const nlohmann::json& document, Problems& problems);

// Reports entry ids used more than once across campaigns, and campaign ids used twice.
// files[i] names the file campaigns[i] came from.
void check_unique_ids(const std::vector<dialogs::Campaign>& campaigns,
                      const std::vector<std::string>& files, std::vector<std::string>& problems);

// An ISO 8601 date-time with a UTC offset: "2026-05-25T12:00:00+02:00" or "...Z". Seconds may be
// left out.
struct Deadline {
  std::chrono::sys_seconds moment;  // UTC
  std::string local;                // "2026-05-25 12:00", the wall-clock time as written
};
std::optional<Deadline> parse_deadline(std::string_view text);

}  // namespace prik::bot
