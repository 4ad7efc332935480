#include "dialogs/understand.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <tuple>
#include <unordered_map>

#include "dialogs/text.hpp"

namespace prik::dialogs {
namespace {

// Only the start of a message is read for choices.
constexpr std::size_t kReadBytes = 1000;
constexpr std::size_t kReadWords = 40;

// Words that may sit between numbers: "nr 2", "1, 3 og 5", "1 and 3".
constexpr std::array<std::string_view, 9> kNumberConnectors = {
    "og", "and", "nr", "nummer", "number", "samt", "plus", "eller", "or"};

bool is_number(std::string_view word) {
  return !word.empty() &&
         std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_connector(std::string_view word) {
  return std::find(kNumberConnectors.begin(), kNumberConnectors.end(), word) !=
         kNumberConnectors.end();
}

// The words compared: single letters ("a", the "e" of "Teambuilder(e)") carry no meaning.
std::vector<std::string> meaningful_words(std::string_view text) {
  std::vector<std::string> result = words(text.substr(0, std::min(text.size(), kReadBytes)));
  std::erase_if(result,
                [](const std::string& word) { return word.size() == 1 && !is_number(word); });
  return result;
}

// The words of a label, keyword or phrase. These come from the catalog and the message files, a
// small fixed set, so their folded words are remembered. Each thread keeps its own: a turn looks
// up hundreds of phrases, and one lock shared by the turn threads made them queue for each other.
// The answer is a reference, valid until this thread has remembered kRemembered more phrases: the
// full generation is kept as the older one, and an entry found there moves with its node intact.
const std::vector<std::string>& phrase_words(const std::string& phrase) {
  constexpr std::size_t kRemembered = 4096;
  using Known = std::unordered_map<std::string, std::vector<std::string>>;
  thread_local Known newer;
  thread_local Known older;
  if (const auto found = newer.find(phrase); found != newer.end()) return found->second;
  if (newer.size() >= kRemembered) {
    older = std::move(newer);
    newer = Known{};
  }
  if (auto node = older.extract(phrase)) return newer.insert(std::move(node)).position->second;
  return newer.emplace(phrase, meaningful_words(phrase)).first->second;
}

bool same_word(const std::string& typed, const std::string& known, bool forgive_typos) {
  if (typed == known) return true;
  if (!forgive_typos) return false;
  const std::size_t allowance = typo_allowance(known.size());
  if (allowance == 0) return false;
  const std::size_t longer = std::max(typed.size(), known.size());
  const std::size_t shorter = std::min(typed.size(), known.size());
  if (longer - shorter > allowance || is_number(typed) || is_number(known)) return false;
  // Each edit fixes at most one surplus letter on either side: a cheap bound before the real one.
  // Only the letters present are summed (and cleared as they are), not the whole table.
  std::array<std::int16_t, 256> surplus{};  // words are at most kReadBytes long
  for (const char c : typed) ++surplus[static_cast<unsigned char>(c)];
  for (const char c : known) --surplus[static_cast<unsigned char>(c)];
  std::size_t typed_surplus = 0;
  std::size_t known_surplus = 0;
  const auto take = [&](char c) {
    auto& count = surplus[static_cast<unsigned char>(c)];
    (count > 0 ? typed_surplus : known_surplus) +=
        static_cast<std::size_t>(count > 0 ? count : -count);
    count = 0;
  };
  for (const char c : typed) take(c);
  for (const char c : known) take(c);
  if (std::max(typed_surplus, known_surplus) > allowance) return false;
  return edit_distance(typed, known) <= allowance;
}

bool same_words(const std::vector<std::string>& typed, const std::vector<std::string>& known,
                bool forgive_typos) {
  if (typed.size() != known.size()) return false;
  for (std::size_t i = 0; i < typed.size(); ++i) {
    if (!same_word(typed[i], known[i], forgive_typos)) return false;
  }
  return true;
}

bool contains_words(const std::vector<std::string>& typed, const std::vector<std::string>& known,
                    bool forgive_typos) {
  if (known.empty() || known.size() > typed.size()) return false;
  for (std::size_t start = 0; start + known.size() <= typed.size(); ++start) {
    bool all = true;
    for (std::size_t i = 0; i < known.size() && all; ++i) {
      all = same_word(typed[start + i], known[i], forgive_typos);
    }
    if (all) return true;
  }
  return false;
}

// How well the typed words point to an option: `points` 0 not at all, 1 by a keyword, 2 and 3 a
// label in the message (with or without typos), 4 the whole message is its label. Between
// options that match by keywords alone, the longer keyword is the more specific: "apply together
// with my friend" means the pair ("with my friend") more than applying alone ("apply").
struct Score {
  int points = 0;
  std::size_t keyword_words = 0;  // the longest keyword matched, in words
};

Score score(const std::vector<std::string>& typed, const Option& option, Matching matching) {
  int best = 0;
  for (const auto& label : option.labels) {
    const auto& known = phrase_words(label);
    if (known.empty()) continue;
    if (typed == known) return {4, 0};
    if (matching == Matching::whole) continue;
    if (contains_words(typed, known, false)) {
      best = std::max(best, 3);
    } else if (contains_words(typed, known, true)) {
      best = std::max(best, 2);
    }
  }
  if (matching == Matching::whole || best > 0) return {best, 0};
  Score by_keyword;
  for (const auto& keyword : option.keywords) {
    const auto& known = phrase_words(keyword);
    if (known.size() > by_keyword.keyword_words && contains_words(typed, known, true)) {
      by_keyword = {1, known.size()};
    }
  }
  return by_keyword;
}

Selection select_numbers(const std::vector<std::string>& typed,
                         const std::vector<Option>& options) {
  Selection selection;
  selection.numbers_only = true;
  for (const auto& word : typed) {
    if (!is_number(word)) continue;
    int number = 0;
    const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), number);
    const bool in_range = error == std::errc{} && end == word.data() + word.size() && number >= 1 &&
                          static_cast<std::size_t>(number) <= options.size();
    if (!in_range) {
      selection.unknown_numbers.push_back(error == std::errc{} ? number : -1);
      continue;
    }
    const std::string& id = options[static_cast<std::size_t>(number) - 1].id;
    if (std::find(selection.ids.begin(), selection.ids.end(), id) == selection.ids.end()) {
      selection.ids.push_back(id);
    }
  }
  return selection;
}

}  // namespace

std::size_t typo_allowance(std::size_t length) {
  if (length < 5) return 0;
  if (length < 8) return 1;
  if (length < 12) return 2;
  return 3;
}

std::vector<std::string> typed_words(std::string_view text) { return meaningful_words(text); }

Selection select(std::string_view text, const std::vector<Option>& options, Matching matching) {
  return select(meaningful_words(text), options, matching);
}

Selection select(const std::vector<std::string>& typed, const std::vector<Option>& options,
                 Matching matching) {
  if (typed.empty()) return {};
  const bool numbers = std::any_of(typed.begin(), typed.end(), is_number) &&
                       std::all_of(typed.begin(), typed.end(), [](const std::string& word) {
                         return is_number(word) || is_connector(word);
                       });
  if (numbers) return select_numbers(typed, options);

  std::vector<std::pair<Score, std::size_t>> ranked;  // (score, option index)
  for (std::size_t i = 0; i < options.size(); ++i) {
    const Score scored = score(typed, options[i], matching);
    if (scored.points > 0) ranked.emplace_back(scored, i);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.points, a.first.keyword_words) >
           std::tie(b.first.points, b.first.keyword_words);
  });
  Selection selection;
  selection.by_keyword_only = !ranked.empty() && ranked.front().first.points == 1;
  for (const auto& [scored, index] : ranked) {
    const std::string& id = options[index].id;
    if (std::find(selection.ids.begin(), selection.ids.end(), id) == selection.ids.end()) {
      selection.ids.push_back(id);
    }
  }
  return selection;
}

bool says(std::string_view text, const std::vector<std::string>& phrases) {
  return says(meaningful_words(text), phrases);
}

bool says(const std::vector<std::string>& typed, const std::vector<std::string>& phrases) {
  if (typed.empty()) return false;
  return std::any_of(phrases.begin(), phrases.end(), [&](const std::string& phrase) {
    return same_words(typed, phrase_words(phrase), true);
  });
}

std::vector<std::string> split_phrases(std::string_view list) {
  std::vector<std::string> phrases;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view phrase = list.substr(0, comma);
    while (!phrase.empty() && phrase.front() == ' ') phrase.remove_prefix(1);
    while (!phrase.empty() && phrase.back() == ' ') phrase.remove_suffix(1);
    if (!phrase.empty()) phrases.emplace_back(phrase);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return phrases;
}

std::string clean_text(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t code = 0;
    if (lead < 0x80) {
      length = 1;
      code = lead;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      code = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      code = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      code = lead & 0x07;
    }
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    valid = valid && code >= smallest[length] && code <= 0x10FFFF &&
            !(code >= 0xD800 && code <= 0xDFFF);
    if (!valid) {
      ++i;
      continue;
    }
    const bool control = (code < 0x20 && code != '\n' && code != '\t') || code == 0x7F ||
                         (code >= 0x80 && code <= 0x9F);
    if (!control) {
      if (out.size() + length > max_bytes) break;
      if (code == '\t') {
        out += ' ';
      } else {
        out.append(text.substr(i, length));
      }
    }
    i += length;
  }
  const auto first = out.find_first_not_of(" \n");
  if (first == std::string::npos) return {};
  const auto last = out.find_last_not_of(" \n");
  return out.substr(first, last - first + 1);
}

}  // namespace prik::dialogs
