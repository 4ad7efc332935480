#include <iostream>

#include "bot/commands.hpp"

namespace prik::bot {

int run_match(const std::vector<std::string>&) {
  std::cerr << "prik: this command is not yet available\n";
  return 1;
}

}  // namespace prik::bot
