// Text normalisation shared by input understanding and role matching.
//
// fold() makes a comparison key: lower case, diacritics removed and the Danish letters unified
// with the spellings people type without them, so "Økonomi", "okonomi" and "oekonomi" fold to
// the same key, as do "København", "kobenhavn" and "koebenhavn". Keys are for comparing, never
// for showing. All functions are pure and thread-safe; input is UTF-8 (invalid bytes are dropped).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace prik::dialogs {

std::string fold(std::string_view text);

// The folded words of a text: runs of letters and digits; everything else separates.
std::vector<std::string> words(std::string_view text);

// Damerau-Levenshtein distance (adjacent transpositions count as one edit) between two folded keys.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace prik::dialogs
