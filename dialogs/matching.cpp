#include "dialogs/matching.hpp"

#include <libstemmer.h>
#include <unicode/listformatter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "dialogs/stop_words.hpp"
#include "dialogs/text.hpp"

namespace prik::dialogs {
namespace {

// How much a word counts, by where in the role's description it stands.
constexpr double title_weight = 1.0;
constexpr double keyword_weight = 1.0;
constexpr double purpose_weight = 0.6;
constexpr double task_weight = 0.45;

// How much a word counts, by how closely it matches.
constexpr double compound_factor = 0.6;  // "regnskabsføring" ~ "regnskab"
constexpr double typo_factor = 0.75;     // "komunikation" ~ "kommunikation"

constexpr double chosen_interest_score = 1.5;
constexpr double mentioned_interest_score = 0.8;  // a synonym of an interest in the free text
constexpr double hours_fit_score = 0.3;
constexpr double hours_above_score = 0.15;
constexpr double hours_short_penalty = 0.8;  // scaled by the share of the minimum missing
constexpr double vacancy_score = 0.25;       // scaled by the share of places still open
constexpr double filled_penalty = 1.5;

// A self-description longer than this says nothing more; the bound keeps hostile input cheap.
constexpr std::size_t max_query_words = 300;
constexpr std::size_t min_compound_length = 5;
constexpr std::size_t max_reason_words = 4;

// Snowball stemmers are not thread-safe: each thread gets its own pair.
class Stemmers {
 public:
  Stemmers()
      : danish_(sb_stemmer_new("danish", "UTF_8")), english_(sb_stemmer_new("english", "UTF_8")) {}
  ~Stemmers() {
    if (danish_) sb_stemmer_delete(danish_);
    if (english_) sb_stemmer_delete(english_);
  }
  Stemmers(const Stemmers&) = delete;
  Stemmers& operator=(const Stemmers&) = delete;

  std::string danish(std::string_view word) { return stem(danish_, word); }
  std::string english(std::string_view word) { return stem(english_, word); }

  static Stemmers& for_this_thread() {
    thread_local Stemmers stemmers;
    return stemmers;
  }

 private:
  static std::string stem(sb_stemmer* stemmer, std::string_view word) {
    if (!stemmer) return std::string(word);
    const sb_symbol* stemmed = sb_stemmer_stem(
        stemmer, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (!stemmed) return std::string(word);
    return std::string(reinterpret_cast<const char*>(stemmed),
                       static_cast<std::size_t>(sb_stemmer_length(stemmer)));
  }

  sb_stemmer* danish_;
  sb_stemmer* english_;
};

// The ASCII letters a word contains, one bit each (bit 26: anything else). One edit changes at
// most two bits, so words whose sets differ more cannot be typos of each other.
std::uint32_t letter_set(std::string_view word) {
  std::uint32_t set = 0;
  for (const char c : word) set |= c >= 'a' && c <= 'z' ? 1u << (c - 'a') : 1u << 26;
  return set;
}

// A folded word and its stems: two words match when any of their keys are equal.
struct Term {
  std::string folded;
  std::string danish;
  std::string english;
  std::uint32_t letters = 0;

  explicit Term(std::string word) : folded(std::move(word)), letters(letter_set(folded)) {
    Stemmers& stemmers = Stemmers::for_this_thread();
    danish = stemmers.danish(folded);
    english = stemmers.english(folded);
  }
  std::array<const std::string*, 3> keys() const { return {&folded, &danish, &english}; }
};

bool is_meaningful(std::string_view folded_word) {
  if (folded_word.size() < 2) return false;
  if (std::all_of(folded_word.begin(), folded_word.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return !is_stop_word(folded_word);
}

bool same_meaning(const Term& a, const Term& b) {
  for (const std::string* x : a.keys()) {
    for (const std::string* y : b.keys()) {
      if (*x == *y) return true;
    }
  }
  return false;
}

// Danish compounds: "kommunikationsansvarlig" contains "kommunikation", "bogføring" "føring".
bool is_compound_part(std::string_view shorter, std::string_view longer) {
  if (shorter.size() < min_compound_length || shorter.size() >= longer.size()) return false;
  // Comparing the outer bytes first spares a memcmp for nearly every pair of words.
  return (longer.front() == shorter.front() && longer.starts_with(shorter)) ||
         (longer.back() == shorter.back() && longer.ends_with(shorter));
}

bool is_typo_of(const Term& a, const Term& b) {
  const std::size_t shorter = std::min(a.folded.size(), b.folded.size());
  const std::size_t allowed = shorter >= 9 ? 2 : shorter >= 5 ? 1 : 0;
  if (allowed == 0) return false;
  const std::size_t longer = std::max(a.folded.size(), b.folded.size());
  if (longer - shorter > allowed) return false;
  if (static_cast<std::size_t>(std::popcount(a.letters ^ b.letters)) > 2 * allowed) return false;
  return edit_distance(a.folded, b.folded) <= allowed;
}

// Whether a spelling of one word begins or ends as a spelling of the other does: a compound part
// always does. Rules out nearly every pair of words before the compound check proper.
bool shares_an_end(const Term& a, const Term& b) {
  for (const std::string* x : {&a.folded, &a.danish}) {
    if (x->empty()) continue;
    for (const std::string* y : {&b.folded, &b.danish}) {
      if (!y->empty() && (x->front() == y->front() || x->back() == y->back())) return true;
    }
  }
  return false;
}

// How closely a query word matches a catalog word that does not share its meaning: a compound
// part or a typo count for less than the word itself; 0 for no match.
double near_closeness(const Term& query, const Term& catalog) {
  if (shares_an_end(query, catalog)) {
    for (const std::string* q : {&query.folded, &query.danish}) {
      for (const std::string* c : {&catalog.folded, &catalog.danish}) {
        if (is_compound_part(*q, *c) || is_compound_part(*c, *q)) return compound_factor;
      }
    }
  }
  if (is_typo_of(query, catalog)) return typo_factor;
  return 0;
}

// A word of the free text: its meaning and the spelling the volunteer used.
struct QueryWord {
  Term term;
  std::string original;
};

// Runs of letters and digits of the text as typed, each with its folded words; at most
// max_query_words distinct meaningful words.
std::vector<QueryWord> query_words(std::string_view text) {
  std::vector<QueryWord> out;
  std::set<std::string, std::less<>> seen;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t start = -1;
  const auto flush = [&](std::int32_t end) {
    const std::string_view original =
        text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start));
    for (std::string& word : words(original)) {
      if (out.size() >= max_query_words) return;
      if (!is_meaningful(word) || seen.contains(word)) continue;
      seen.insert(word);
      out.push_back({Term(std::move(word)), std::string(original)});
    }
  };
  for (std::int32_t i = 0; i < length && out.size() < max_query_words;) {
    const std::int32_t at = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    const bool inside =
        c >= 0 && (u_isUAlphabetic(c) || u_isdigit(c) || u_charType(c) == U_NON_SPACING_MARK ||
                   u_charType(c) == U_COMBINING_SPACING_MARK || u_charType(c) == U_FORMAT_CHAR);
    if (inside && start < 0) start = at;
    if (!inside && start >= 0) {
      flush(at);
      start = -1;
    }
  }
  if (start >= 0 && out.size() < max_query_words) flush(length);
  return out;
}

// Where a catalog word occurs: in which entry, with the weight of its best field there.
struct Occurrence {
  std::size_t entry;
  double weight;
};

struct VocabularyWord {
  Term term;
  std::vector<Occurrence> occurrences;
  double idf = 0;
};

struct IndexedInterest {
  std::string id;
  LocalizedText label;
  std::vector<std::vector<Term>> phrases;  // each synonym (and the labels) as its words
};

struct IndexedEntry {
  std::string id;
  std::vector<std::string> interests;
  int hours_min = 0;
  int hours_max = 0;
  std::optional<std::chrono::sys_seconds> deadline;
};

struct CampaignIndex {
  std::string id;
  std::vector<IndexedEntry> entries;
  std::vector<VocabularyWord> vocabulary;
  std::unordered_map<std::string, std::vector<std::size_t>> by_key;  // term key -> vocabulary
  std::vector<IndexedInterest> interests;
};

std::vector<Term> meaningful_terms(std::string_view text) {
  std::vector<Term> out;
  for (std::string& word : words(text)) {
    if (is_meaningful(word)) out.emplace_back(std::move(word));
  }
  return out;
}

class IndexBuilder {
 public:
  explicit IndexBuilder(CampaignIndex& index) : index_(index) {}

  void add(std::size_t entry, std::string_view text, double weight) {
    for (std::string& word : words(text)) {
      if (!is_meaningful(word)) continue;
      auto [found, inserted] = position_.try_emplace(word, index_.vocabulary.size());
      if (inserted) index_.vocabulary.push_back({Term(std::move(word)), {}});
      auto& occurrences = index_.vocabulary[found->second].occurrences;
      auto same_entry = std::find_if(occurrences.begin(), occurrences.end(),
                                     [&](const Occurrence& o) { return o.entry == entry; });
      if (same_entry == occurrences.end()) {
        occurrences.push_back({entry, weight});
      } else {
        same_entry->weight = std::max(same_entry->weight, weight);
      }
    }
  }

  // Indexes every word under its keys, and weighs it by how few entries share its stem.
  void finish() {
    for (std::size_t i = 0; i < index_.vocabulary.size(); ++i) {
      for (const std::string* key : index_.vocabulary[i].term.keys()) {
        auto& list = index_.by_key[*key];
        if (list.empty() || list.back() != i) list.push_back(i);
      }
    }
    const double entries = static_cast<double>(index_.entries.size());
    for (VocabularyWord& word : index_.vocabulary) {
      std::set<std::size_t> sharing;
      for (const std::string* key : {&word.term.danish, &word.term.english}) {
        for (std::size_t other : index_.by_key[*key]) {
          for (const Occurrence& o : index_.vocabulary[other].occurrences) sharing.insert(o.entry);
        }
      }
      const double frequency = static_cast<double>(std::max<std::size_t>(1, sharing.size()));
      word.idf = std::log((entries + 1) / frequency) / std::log(entries + 1);
    }
  }

 private:
  CampaignIndex& index_;
  std::unordered_map<std::string, std::size_t> position_;
};

CampaignIndex index_campaign(const Campaign& campaign) {
  CampaignIndex index;
  index.id = campaign.id;
  IndexBuilder builder(index);
  for (const Entry& entry : campaign.entries) {
    if (entry.kind == EntryKind::lead) continue;
    const std::size_t at = index.entries.size();
    IndexedEntry indexed{entry.id, entry.interests, entry.hours_min, entry.hours_max, {}};
    if (entry.position) indexed.deadline = entry.position->deadline;
    index.entries.push_back(std::move(indexed));
    for (const std::string* text : {&entry.title.da, &entry.title.en}) {
      builder.add(at, *text, title_weight);
    }
    for (const std::string& keyword : entry.keywords) builder.add(at, keyword, keyword_weight);
    builder.add(at, entry.purpose.da, purpose_weight);
    builder.add(at, entry.purpose.en, purpose_weight);
    for (const LocalizedText& task : entry.tasks) {
      builder.add(at, task.da, task_weight);
      builder.add(at, task.en, task_weight);
    }
  }
  builder.finish();
  for (const Interest& interest : campaign.interests) {
    IndexedInterest indexed{interest.id, interest.label, {}};
    for (const std::string* phrase : {&interest.label.da, &interest.label.en}) {
      if (auto terms = meaningful_terms(*phrase); !terms.empty()) {
        indexed.phrases.push_back(std::move(terms));
      }
    }
    for (const std::string& synonym : interest.synonyms) {
      if (auto terms = meaningful_terms(synonym); !terms.empty()) {
        indexed.phrases.push_back(std::move(terms));
      }
    }
    index.interests.push_back(std::move(indexed));
  }
  return index;
}

// Joins the volunteer's words as the language lists things: "budgetter og regnskab".
// Creating a formatter loads locale data, so each thread keeps one per language.
const icu::ListFormatter* list_formatter(Language language) {
  struct Cached {
    bool tried = false;
    std::unique_ptr<icu::ListFormatter> formatter;
  };
  thread_local std::array<Cached, 2> cache;
  Cached& cached = cache.at(static_cast<std::size_t>(language));
  if (!cached.tried) {
    cached.tried = true;
    UErrorCode status = U_ZERO_ERROR;
    cached.formatter.reset(icu::ListFormatter::createInstance(
        icu::Locale(language_code(language)), ULISTFMT_TYPE_AND, ULISTFMT_WIDTH_WIDE, status));
    if (U_FAILURE(status)) cached.formatter.reset();
  }
  return cached.formatter.get();
}

std::string join_list(const std::vector<std::string>& items, Language language) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::ListFormatter* formatter = list_formatter(language);
  std::vector<icu::UnicodeString> unicode;
  for (const std::string& item : items) unicode.push_back(icu::UnicodeString::fromUTF8(item));
  icu::UnicodeString joined;
  if (formatter && U_SUCCESS(status)) {
    formatter->format(unicode.data(), static_cast<std::int32_t>(unicode.size()), joined, status);
  }
  if (!formatter || U_FAILURE(status)) {
    std::string fallback;
    for (const std::string& item : items) fallback += (fallback.empty() ? "" : ", ") + item;
    return fallback;
  }
  std::string out;
  joined.toUTF8String(out);
  return out;
}

std::string hours_text(int hours_min, int hours_max) {
  if (hours_min == hours_max) return std::to_string(hours_min);
  return std::to_string(hours_min) + "-" + std::to_string(hours_max);
}

// The words that point a volunteer to one entry, strongest first.
struct WordEvidence {
  std::string original;
  double contribution;
  std::size_t order;  // position in the text, to break ties
};

struct Scoring {
  double score = 0;
  std::vector<std::string> chosen_interests;
  std::vector<WordEvidence> words;
};

}  // namespace

struct Matcher::Impl {
  std::vector<CampaignIndex> campaigns;
};

Matcher::Matcher(const Catalog& catalog) : impl_(std::make_unique<Impl>()) {
  for (const Campaign& campaign : catalog.campaigns) {
    impl_->campaigns.push_back(index_campaign(campaign));
  }
}

Matcher::~Matcher() = default;

std::vector<RoleMatch> Matcher::rank(std::string_view campaign_id, const MatchQuery& query,
                                     const StoreView& view, std::chrono::sys_seconds now) const {
  const auto campaign = std::find_if(impl_->campaigns.begin(), impl_->campaigns.end(),
                                     [&](const CampaignIndex& c) { return c.id == campaign_id; });
  if (campaign == impl_->campaigns.end()) return {};
  const CampaignIndex& index = *campaign;
  std::vector<Scoring> scorings(index.entries.size());

  // Free text: each word adds its best match in each entry, weighted by field and rarity.
  const std::vector<QueryWord> text_words = query_words(query.text);
  std::vector<double> best(index.entries.size());
  std::vector<bool> exact(index.vocabulary.size());
  for (std::size_t w = 0; w < text_words.size(); ++w) {
    const Term& term = text_words[w].term;
    std::fill(best.begin(), best.end(), 0.0);
    const auto weigh = [&](const VocabularyWord& word, double closeness) {
      for (const Occurrence& o : word.occurrences) {
        best[o.entry] = std::max(best[o.entry], closeness * o.weight * word.idf);
      }
    };
    std::fill(exact.begin(), exact.end(), false);
    for (const std::string* key : term.keys()) {
      const auto found = index.by_key.find(*key);
      if (found == index.by_key.end()) continue;
      for (std::size_t v : found->second) exact[v] = true;
    }
    for (std::size_t v = 0; v < index.vocabulary.size(); ++v) {
      const VocabularyWord& word = index.vocabulary[v];
      const double closeness = exact[v] ? 1.0 : near_closeness(term, word.term);
      if (closeness > 0) weigh(word, closeness);
    }
    for (std::size_t e = 0; e < best.size(); ++e) {
      if (best[e] <= 0) continue;
      scorings[e].score += best[e];
      scorings[e].words.push_back({text_words[w].original, best[e], w});
    }
  }

  // Interests: chosen ones count most; ones the text names by a synonym count too.
  for (const IndexedInterest& interest : index.interests) {
    const bool chosen = std::find(query.interests.begin(), query.interests.end(), interest.id) !=
                        query.interests.end();
    std::vector<std::size_t> naming_words;
    if (!chosen) {
      for (const auto& phrase : interest.phrases) {
        std::vector<std::size_t> phrase_words;
        for (const Term& part : phrase) {
          for (std::size_t w = 0; w < text_words.size(); ++w) {
            if (same_meaning(text_words[w].term, part)) {
              phrase_words.push_back(w);
              break;
            }
          }
        }
        if (phrase_words.size() == phrase.size()) {
          naming_words.insert(naming_words.end(), phrase_words.begin(), phrase_words.end());
        }
      }
      if (naming_words.empty()) continue;
    }
    for (std::size_t e = 0; e < index.entries.size(); ++e) {
      const auto& wanted = index.entries[e].interests;
      if (std::find(wanted.begin(), wanted.end(), interest.id) == wanted.end()) continue;
      Scoring& scoring = scorings[e];
      if (chosen) {
        scoring.score += chosen_interest_score;
        scoring.chosen_interests.push_back(interest.label.in(query.language));
        continue;
      }
      scoring.score += mentioned_interest_score;
      for (std::size_t w : naming_words) {
        scoring.words.push_back({text_words[w].original, mentioned_interest_score, w});
      }
    }
  }

  std::vector<RoleMatch> matches;
  for (std::size_t e = 0; e < index.entries.size(); ++e) {
    const IndexedEntry& entry = index.entries[e];
    if (entry.deadline && now >= *entry.deadline) continue;
    Scoring& scoring = scorings[e];
    RoleMatch match{entry.id, 0, {}};

    if (!scoring.chosen_interests.empty()) {
      match.reasons.push_back(
          {"match.reason.interests",
           {{"interests", join_list(scoring.chosen_interests, query.language)}}});
    }

    if (!scoring.words.empty()) {
      std::map<std::string, WordEvidence> by_spelling;  // one mention per spelling, strongest
      for (const WordEvidence& evidence : scoring.words) {
        auto [found, inserted] = by_spelling.try_emplace(evidence.original, evidence);
        if (!inserted && evidence.contribution > found->second.contribution) {
          found->second = evidence;
        }
      }
      std::vector<WordEvidence> strongest;
      for (auto& [spelling, evidence] : by_spelling) strongest.push_back(evidence);
      std::sort(strongest.begin(), strongest.end(), [](const auto& a, const auto& b) {
        if (a.contribution != b.contribution) return a.contribution > b.contribution;
        return a.order < b.order;
      });
      if (strongest.size() > max_reason_words) strongest.resize(max_reason_words);
      std::sort(strongest.begin(), strongest.end(),
                [](const auto& a, const auto& b) { return a.order < b.order; });
      std::vector<std::string> spellings;
      for (const WordEvidence& evidence : strongest) spellings.push_back(evidence.original);
      match.reasons.push_back(
          {"match.reason.words", {{"words", join_list(spellings, query.language)}}});
    }

    if (query.hours_per_week && entry.hours_max > 0) {
      const int hours = *query.hours_per_week;
      if (hours >= entry.hours_min) {
        scoring.score += hours <= entry.hours_max ? hours_fit_score : hours_above_score;
        match.reasons.push_back(
            {"match.reason.hours", {{"hours", hours_text(entry.hours_min, entry.hours_max)}}});
      } else {
        const double missing =
            static_cast<double>(entry.hours_min - std::max(hours, 0)) / entry.hours_min;
        scoring.score -= hours_short_penalty * missing;
      }
    }

    const RoleCoverage coverage = view.coverage(entry.id);
    const int places = std::max(coverage.places, 1);
    const int open = places - coverage.filled;
    if (open <= 0) {
      scoring.score -= filled_penalty;
    } else {
      const double open_share = std::max(0.0, open - 0.5 * coverage.pending) / places;
      scoring.score += vacancy_score * open_share;
      if (coverage.pending < open) match.reasons.push_back({"match.reason.vacant", {}});
    }

    match.score = scoring.score;
    matches.push_back(std::move(match));
  }

  std::sort(matches.begin(), matches.end(), [](const RoleMatch& a, const RoleMatch& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.entry_id < b.entry_id;
  });
  return matches;
}

}  // namespace prik::dialogs
