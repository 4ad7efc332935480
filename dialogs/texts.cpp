#include "dialogs/texts.hpp"

#include "dialogs/understand.hpp"

namespace prik::dialogs {

Texts::Texts(Table danish, Table english)
    : danish_(std::move(danish)), english_(std::move(english)) {
  for (const Table* table : {&danish_, &english_}) {
    const Language language = table == &danish_ ? Language::da : Language::en;
    for (const auto& [key, text] : *table) {
      if (!key.starts_with("input.")) continue;
      auto some = split_phrases(render(language, key));
      auto& all = phrases_[key];
      all.insert(all.end(), std::make_move_iterator(some.begin()),
                 std::make_move_iterator(some.end()));
    }
  }
}

const std::vector<std::string>& Texts::phrases(std::string_view key) const {
  static const std::vector<std::string> none;
  const auto found = phrases_.find(key);
  return found == phrases_.end() ? none : found->second;
}

bool Texts::has(Language language, std::string_view key) const {
  const Table& table = language == Language::da ? danish_ : english_;
  return table.find(key) != table.end();
}

std::string Texts::render(Language language, std::string_view key, const Params& params) const {
  const Table& table = language == Language::da ? danish_ : english_;
  const auto found = table.find(key);
  if (found == table.end()) return std::string(key);
  const std::string& text = found->second;

  std::string out;
  out.reserve(text.size() + 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      out += c;  // "{{" and "}}" are literal braces
      ++i;
      continue;
    }
    if (c == '{') {
      const auto close = text.find('}', i + 1);
      if (close != std::string::npos) {
        const std::string_view name(text.data() + i + 1, close - i - 1);
        bool replaced = false;
        for (const auto& [param, value] : params) {
          if (param == name) {
            out += value;
            replaced = true;
            break;
          }
        }
        if (!replaced) out.append(text, i, close - i + 1);
        i = close;
        continue;
      }
    }
    out += c;
  }
  return out;
}

std::set<std::string> placeholders_in(std::string_view text) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((text[i] == '{' || text[i] == '}') && i + 1 < text.size() && text[i + 1] == text[i]) {
      ++i;
      continue;
    }
    if (text[i] != '{') continue;
    const auto close = text.find('}', i + 1);
    if (close == std::string_view::npos) break;
    names.emplace(text.substr(i + 1, close - i - 1));
    i = close;
  }
  return names;
}

}  // namespace prik::dialogs
