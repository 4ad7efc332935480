#include "dialogs/texts.hpp"

namespace prik::dialogs {

const std::map<std::string, std::set<std::string>, std::less<>>& text_keys() {
  static const std::map<std::string, std::set<std::string>, std::less<>> keys = {};
  return keys;
}

}  // namespace prik::dialogs
