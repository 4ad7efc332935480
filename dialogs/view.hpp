// What the dialogs may read of the bot's state: applications, coverage, nudges, languages and
// everything stored about one person.
//
// Implemented by the bot core over in-memory indexes of the store; tests implement it in memory.
// Calls happen during a turn on the turn's thread; implementations must not block on I/O. The
// defaults of the newer queries answer "nothing known", so a small test view only overrides what
// its test needs; the bot core's view overrides every one.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialogs/catalog.hpp"
#include "dialogs/message.hpp"

namespace prik::dialogs {

enum class ApplicationStatus { pending, approved, declined, withdrawn };

// A pair application's partner, when the partner is someone Prik can write to (a UserRef).
enum class PartnerStatus {
  none,       // alone, or a partner named in words Prik cannot reach
  waiting,    // asked to confirm, no answer yet
  confirmed,  // said yes
  declined,   // said no
};

struct ApplicationSummary {
  std::string id;
  std::string entry_id;
  ApplicationStatus status = ApplicationStatus::pending;
  std::optional<std::string> partner;  // UserRef, or a name typed in the terminal
  std::chrono::sys_seconds submitted{};
  PartnerStatus partner_status = PartnerStatus::none;
};

// An application with the applicant and their words: for coordinators and for "my data".
struct ApplicationDetails : ApplicationSummary {
  UserRef user;
  std::string display_name;
  std::string words;
  std::chrono::sys_seconds updated{};
};

struct RoleCoverage {
  int places = 1;   // how many people the role takes
  int filled = 0;   // approved applications
  int pending = 0;  // applications waiting for a coordinator
  // Since when the role has had free places (the campaign's start, or when the last approved
  // person left); nullopt while every place is filled.
  std::optional<std::chrono::sys_seconds> vacant_since;
};

enum class NudgeAnswer { none, more, no, never };

// A tap on the shoulder ("prik på skulderen"): who suggested which role to whom.
struct NudgeSummary {
  std::string id;  // "N-00004"
  UserRef from;
  std::string from_name;  // shown to the friend only when named
  UserRef to;
  std::string entry_id;  // empty: the campaign in general
  bool named = false;    // the friend may be told who sent it
  std::chrono::sys_seconds sent{};
  NudgeAnswer answer = NudgeAnswer::none;
};

// A request to talk to a human coordinator.
struct HandoffSummary {
  std::string id;  // "H-00003"
  std::string words;
  std::chrono::sys_seconds requested{};
  std::string status;  // "open", ...
};

// Everything stored about one person except their conversation state (the dialogs have that).
struct PersonalData {
  std::vector<ApplicationDetails> applications;  // theirs, and those naming them as partner
  std::vector<NudgeSummary> nudges_sent;
  std::vector<NudgeSummary> nudges_received;
  std::vector<HandoffSummary> handoffs;
  bool opted_out = false;  // they asked never to be nudged again
};

class StoreView {
 public:
  virtual ~StoreView() = default;
  virtual std::vector<ApplicationSummary> applications_of(const UserRef& user) const = 0;
  virtual RoleCoverage coverage(std::string_view entry_id) const = 0;

  // One application by id ("A-00017"), any status.
  virtual std::optional<ApplicationDetails> application(std::string_view /*id*/) const {
    return std::nullopt;
  }
  // Every application for an entry, any status, oldest first.
  virtual std::vector<ApplicationDetails> applications_for(std::string_view /*entry_id*/) const {
    return {};
  }
  // Pending applications naming this person as partner whose confirmation is awaited.
  virtual std::vector<ApplicationDetails> partner_requests_for(const UserRef& /*user*/) const {
    return {};
  }
  // The language a person last used with Prik, when they have talked to it.
  virtual std::optional<Language> language_of(const UserRef& /*user*/) const {
    return std::nullopt;
  }

  // Nudges this person has sent at or after `since`.
  virtual int nudges_sent_since(const UserRef& /*from*/, std::chrono::sys_seconds /*since*/) const {
    return 0;
  }
  // When this person was last nudged by anyone.
  virtual std::optional<std::chrono::sys_seconds> last_nudged(const UserRef& /*to*/) const {
    return std::nullopt;
  }
  // True when this person said "never write to me again"; holds after their data is deleted.
  virtual bool opted_out(const UserRef& /*user*/) const { return false; }
  // The latest nudge to this person that they have not answered yet.
  virtual std::optional<NudgeSummary> open_nudge_for(const UserRef& /*to*/) const {
    return std::nullopt;
  }

  virtual PersonalData personal_data(const UserRef& /*user*/) const { return {}; }
};

}  // namespace prik::dialogs
