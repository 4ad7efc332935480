// Message texts: every sentence Prik says, in Danish and English, from config/messages/*.json.
//
// A text is a template with named placeholders ("Hej {name}!"). Texts is immutable after
// construction and safe to share between threads. text_keys() lists every key the code uses with
// the placeholders it may contain, so `prik check-config` can reject incomplete message files.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialogs/catalog.hpp"

namespace prik::dialogs {

using Params = std::vector<std::pair<std::string, std::string>>;

class Texts {
 public:
  using Table = std::map<std::string, std::string, std::less<>>;

  Texts() = default;
  Texts(Table danish, Table english);

  // The text for key in language with {placeholders} filled in. A missing key renders as the key
  // itself (check-config prevents that in a validated configuration).
  std::string render(Language language, std::string_view key, const Params& params = {}) const;
  bool has(Language language, std::string_view key) const;
  // What people may type for an "input." key ("hjælp, help"), from both languages: people switch
  // language mid-sentence. Split once, when the texts are loaded; empty for an unknown key.
  const std::vector<std::string>& phrases(std::string_view key) const;

 private:
  Table danish_;
  Table english_;
  std::map<std::string, std::vector<std::string>, std::less<>> phrases_;
};

// Every key the dialogs use, with the placeholders each may contain.
const std::map<std::string, std::set<std::string>, std::less<>>& text_keys();

// The placeholder names in a template, "{name}" -> "name". Doubled braces "{{" are literal.
std::set<std::string> placeholders_in(std::string_view text_template);

}  // namespace prik::dialogs
