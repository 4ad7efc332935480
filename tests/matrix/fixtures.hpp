// Reading the Matrix payload fixtures of tests/matrix/fixtures (see its README.md). Test support.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

namespace prik::tests {

inline std::string matrix_fixture(const std::string& name) {
  std::ifstream file(std::string(PRIK_SOURCE_DIR) + "/tests/matrix/fixtures/" + name);
  if (!file) throw std::runtime_error("missing fixture " + name);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

inline nlohmann::json matrix_fixture_json(const std::string& name) {
  return nlohmann::json::parse(matrix_fixture(name));
}

}  // namespace prik::tests
