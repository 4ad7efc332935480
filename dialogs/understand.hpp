// Input understanding: turns what a person typed into the choices it refers to.
//
// A person may answer with a number ("2", "nr 2", "2."), several numbers ("1, 3 og 5", "1 3 5",
// "1 and 3"), a choice's label or one of its synonyms, in Danish or English, in any case, with or
// without æ/ø/å, and with small typos in longer words. Everything is compared on fold()ed words.
// Pure functions, safe to call from any thread (the folded words of known phrases are memoised
// behind a lock).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace prik::dialogs {

// One choice the person may refer to. Labels name the choice (in every language); keywords only
// point to it and weigh less when several choices match, the longer keyword matched more.
struct Option {
  std::string id;
  std::vector<std::string> labels;
  std::vector<std::string> keywords;
};

enum class Matching {
  whole,  // only numbers or a whole-message label: for steps that take free text
  fuzzy,  // labels and keywords anywhere in the message, typos forgiven
};

struct Selection {
  std::vector<std::string> ids;      // best match first; empty when nothing matched
  std::vector<int> unknown_numbers;  // numbers typed that refer to no choice
  bool numbers_only = false;         // the message was numbers (and "og"/"and"/"nr")
  bool by_keyword_only = false;      // nothing matched by number or label, only by keyword
};

// The words of a message as they are compared: folded, single letters dropped, and only the
// first few dozen (nobody picks a choice in the second paragraph). Compute once per message.
std::vector<std::string> typed_words(std::string_view text);

Selection select(const std::vector<std::string>& typed, const std::vector<Option>& options,
                 Matching matching);
Selection select(std::string_view text, const std::vector<Option>& options, Matching matching);

// True when the whole message is one of the phrases ("start forfra" matches "Start forfra!").
bool says(const std::vector<std::string>& typed, const std::vector<std::string>& phrases);
bool says(std::string_view text, const std::vector<std::string>& phrases);

// A comma-separated phrase list from the message files: "ja, jo, yes" -> {"ja", "jo", "yes"}.
std::vector<std::string> split_phrases(std::string_view list);

// The largest edit distance forgiven between two folded words of this length.
std::size_t typo_allowance(std::size_t length);

// Text fit to store and show: valid UTF-8 (invalid bytes dropped), control characters other than
// line breaks removed, surrounding white space trimmed, cut at a character boundary to max_bytes.
std::string clean_text(std::string_view text, std::size_t max_bytes);

}  // namespace prik::dialogs
