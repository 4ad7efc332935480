#include "bot/digest.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <stdexcept>

namespace prik::bot {

std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text) {
  const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return std::nullopt;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return std::chrono::hours(hours) + std::chrono::minutes(minutes);
}

bool is_time_zone(const std::string& name) {
  try {
    date::locate_zone(name);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

std::optional<std::string> digest_due(std::chrono::sys_seconds now,
                                      std::string_view last_local_date, std::chrono::minutes time,
                                      const std::string& zone) {
  const auto local = date::locate_zone(zone)->to_local(now);
  const auto day = date::floor<date::days>(local);
  if (local - day < time) return std::nullopt;
  const date::year_month_day ymd{day};
  auto today = fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                           static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  // ISO dates order like strings.
  if (!last_local_date.empty() && last_local_date >= today) return std::nullopt;
  return today;
}

}  // namespace prik::bot
