// What the dialogs may read of the bot's state: a person's applications and a role's coverage.
//
// Implemented by the bot core over the store; tests implement it in memory. Calls happen during a
// turn on the turn's thread; implementations must not block on I/O.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialogs/message.hpp"

namespace prik::dialogs {

enum class ApplicationStatus { pending, approved, declined, withdrawn };

struct ApplicationSummary {
  std::string id;
  std::string entry_id;
  ApplicationStatus status = ApplicationStatus::pending;
  std::optional<std::string> partner;  // UserRef, or a name typed in the terminal
  std::chrono::sys_seconds submitted{};
};

struct RoleCoverage {
  int places = 1;   // how many people the role takes
  int filled = 0;   // approved applications
  int pending = 0;  // applications waiting for a coordinator
};

class StoreView {
 public:
  virtual ~StoreView() = default;
  virtual std::vector<ApplicationSummary> applications_of(const UserRef& user) const = 0;
  virtual RoleCoverage coverage(std::string_view entry_id) const = 0;
};

}  // namespace prik::dialogs
