// Helpers for reading validated JSON configuration files: loading a file with syntax errors
// reported as line:column, and ObjectReader, which reads the fields of one JSON object while
// collecting every problem (missing field, wrong type, unknown key) under its JSON Pointer.
//
// A Problems sink belongs to the caller and must outlive the readers that report into it. The
// readers keep pointers into the JSON document, which must outlive them too. Not thread-safe;
// used by one loader at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialogs/catalog.hpp"

namespace prik::bot {

// Collects problems as "<file>: <pointer>: <what>" lines for one file.
class Problems {
 public:
  Problems(std::string file, std::vector<std::string>& out) : file_(std::move(file)), out_(out) {}

  void add(std::string_view pointer, std::string_view what);
  // A problem about the file as a whole (cannot read it, JSON syntax).
  void add_file_problem(std::string_view what);
  const std::string& file() const { return file_; }
  // How many problems the shared list holds (from any file): compare to see whether a step added.
  std::size_t count() const { return out_.size(); }

 private:
  std::string file_;
  std::vector<std::string>& out_;
};

// Reads and parses a JSON file; on failure reports the problem (with line and column for syntax
// errors) and returns nullopt.
std::optional<nlohmann::json> read_json_file(const std::filesystem::path& path, Problems& problems);

// Line and column (both 1-based) of the byte at offset in text.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
TextPosition position_of(std::string_view text, std::size_t offset);

// "/a/b" + "c/d" -> "/a/b/c~1d" (RFC 6901 escaping).
std::string pointer_append(std::string_view pointer, std::string_view key);
std::string pointer_append(std::string_view pointer, std::size_t index);

// "a string", "a number", ... for messages about wrong types.
const char* json_type_name(const nlohmann::json& value);

enum class Presence { required, optional };

// Reads the fields of one JSON object. Every key read through it (present or not) counts as
// known; finish() reports the keys of the object that were never asked for.
class ObjectReader {
 public:
  // Reports "expected an object" when value is not one; the reader then reads nothing.
  ObjectReader(Problems& problems, const nlohmann::json& value, std::string pointer);

  bool is_object() const { return object_ != nullptr; }
  const std::string& pointer() const { return pointer_; }
  Problems& problems() const { return problems_; }
  std::string pointer_of(std::string_view key) const { return pointer_append(pointer_, key); }

  // The raw field, or nullptr when absent (reported when required).
  const nlohmann::json* field(std::string_view key, Presence presence);

  std::optional<std::string> string(std::string_view key, Presence presence);
  std::optional<bool> boolean(std::string_view key, Presence presence);
  std::optional<std::int64_t> integer(std::string_view key, Presence presence, std::int64_t min,
                                      std::int64_t max);
  std::optional<std::vector<std::string>> strings(std::string_view key, Presence presence);
  // {"da": "...", "en": "..."}, both non-empty.
  std::optional<dialogs::LocalizedText> localized(std::string_view key, Presence presence);
  // An array of values; the pointer of element i is pointer_of(key) + "/i".
  const nlohmann::json::array_t* array(std::string_view key, Presence presence);

  // Reports every key of the object that no call above asked for.
  void finish();

 private:
  const nlohmann::json* typed(std::string_view key, Presence presence,
                              bool (*is_type)(const nlohmann::json&), const char* expected);

  Problems& problems_;
  const nlohmann::json* object_;
  std::string pointer_;
  std::vector<std::string> known_;
};

// Reads {"da": "...", "en": "..."} at pointer; nullopt (reported) when malformed.
std::optional<dialogs::LocalizedText> read_localized(Problems& problems,
                                                     const nlohmann::json& value,
                                                     const std::string& pointer);

// Lower-case ascii letters, digits and '-', starting with a letter or digit: "okonomiansvarlig".
bool is_valid_id(std::string_view id);

}  // namespace prik::bot
