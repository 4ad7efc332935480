// Role matching: ranks a campaign's open roles for a volunteer from the interests they chose,
// what they wrote about themselves and the hours they have.
//
// Text is normalised (case- and diacritic-folded, Danish æ/ø/å spellings unified), stop words are
// removed and words are stemmed with Snowball's Danish and English stemmers. Scoring combines
// interest tags, word overlap with each role's purpose, tasks and keywords, time fit and vacancy.
// Deterministic: the same inputs give the same ranking. Each match carries the reasons to show.
//
// A Matcher precomputes the catalog's terms once; rank() is const and thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialogs/catalog.hpp"
#include "dialogs/texts.hpp"
#include "dialogs/view.hpp"

namespace prik::dialogs {

struct MatchQuery {
  std::vector<std::string> interests;  // interest ids
  std::string text;                    // free text about themselves, any language
  std::optional<int> hours_per_week;
  Language language = Language::da;  // of the reasons' parameters (interest labels, word lists)
};

// A reason to show: a text key from the message files and its placeholders.
struct MatchReason {
  std::string key;
  Params params;
};

struct RoleMatch {
  std::string entry_id;
  double score = 0;
  std::vector<MatchReason> reasons;
};

class Matcher {
 public:
  explicit Matcher(const Catalog& catalog);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // The campaign's open roles (kind role, or an open position), best first.
  std::vector<RoleMatch> rank(std::string_view campaign_id, const MatchQuery& query,
                              const StoreView& view, std::chrono::sys_seconds now) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace prik::dialogs
