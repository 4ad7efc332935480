// Stop words: the Danish and English words too common to say anything about which role suits a
// volunteer ("og", "the", "gerne", "hours"). Used by the matcher on folded words.
//
// The list is data, folded once on first use; is_stop_word() is thread-safe.
#pragma once

#include <string_view>

namespace prik::dialogs {

// True for a folded word (as dialogs::words() returns it) that carries no meaning for matching.
bool is_stop_word(std::string_view folded_word);

}  // namespace prik::dialogs
