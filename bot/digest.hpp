// The daily digest's schedule: at a configured local time of day, in a configured time zone, once
// per local date. The Runtime checks digest_due() periodically for each campaign and stores the
// local date it last sent (records: meta/digest), so a restart neither repeats nor skips a day.
//
// Time zones come from the system's zoneinfo through Howard Hinnant's date/tz (GCC 12 has no
// std::chrono zones); this header keeps that library out of its users.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "dialogs/coordinators.hpp"

namespace prik::bot {

struct DigestSettings {
  std::chrono::minutes time{std::chrono::hours(9)};  // local time of day
  std::string time_zone = "Europe/Copenhagen";       // an IANA zone name
  dialogs::DigestRules rules;
};

// "09:00" -> 9 h; nullopt unless HH:MM with 00 <= HH <= 23, 00 <= MM <= 59.
std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text);

// True when the system's zoneinfo knows the zone ("Europe/Copenhagen").
bool is_time_zone(const std::string& name);

// The local date ("YYYY-MM-DD" in `zone`) a digest is due for at `now`: when the local time of day
// is at or past `time` and `last_local_date` (empty: never sent) is before today's local date;
// nullopt otherwise. A time skipped by a daylight-saving change is due from the first local time
// after it; a repeated hour sends once. Throws std::runtime_error for an unknown zone.
std::optional<std::string> digest_due(std::chrono::sys_seconds now,
                                      std::string_view last_local_date, std::chrono::minutes time,
                                      const std::string& zone);

}  // namespace prik::bot
