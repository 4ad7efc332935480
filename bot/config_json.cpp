#include "bot/config_json.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace prik::bot {

using nlohmann::json;

void Problems::add(std::string_view pointer, std::string_view what) {
  out_.push_back(file_ + ": " + std::string(pointer.empty() ? "/" : pointer) + ": " +
                 std::string(what));
}

void Problems::add_file_problem(std::string_view what) {
  out_.push_back(file_ + ": " + std::string(what));
}

TextPosition position_of(std::string_view text, std::size_t offset) {
  TextPosition position;
  const std::size_t end = std::min(offset, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') {
      ++position.line;
      position.column = 1;
    } else if ((byte & 0xC0) != 0x80) {  // columns count characters, not UTF-8 continuation bytes
      ++position.column;
    }
  }
  return position;
}

namespace {

// nlohmann's message without its "[json.exception...] parse error at line L, column C: " prefix.
std::string parse_error_detail(const json::parse_error& error) {
  const std::string_view what = error.what();
  const auto at = what.find("parse error");
  if (at == std::string_view::npos) return std::string(what);
  const auto colon = what.find(": ", at);
  if (colon == std::string_view::npos) return std::string(what);
  return std::string(what.substr(colon + 2));
}

}  // namespace

std::optional<json> read_json_file(const std::filesystem::path& path, Problems& problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.add_file_problem(std::string("cannot read file: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  try {
    return json::parse(text);
  } catch (const json::parse_error& error) {
    // error.byte counts the bytes read, including the one that failed.
    const TextPosition at = position_of(text, error.byte == 0 ? 0 : error.byte - 1);
    problems.add_file_problem("line " + std::to_string(at.line) + ", column " +
                              std::to_string(at.column) + ": " + parse_error_detail(error));
    return std::nullopt;
  }
}

std::string pointer_append(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out += '/';
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_append(std::string_view pointer, std::size_t index) {
  return std::string(pointer) + "/" + std::to_string(index);
}

const char* json_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

ObjectReader::ObjectReader(Problems& problems, const json& value, std::string pointer)
    : problems_(problems),
      object_(value.is_object() ? &value : nullptr),
      pointer_(std::move(pointer)) {
  if (!object_) {
    problems_.add(pointer_, std::string("expected an object, got ") + json_type_name(value));
  }
}

const json* ObjectReader::field(std::string_view key, Presence presence) {
  known_.emplace_back(key);
  if (!object_) return nullptr;
  const auto found = object_->find(key);
  if (found == object_->end()) {
    if (presence == Presence::required) problems_.add(pointer_of(key), "required field is missing");
    return nullptr;
  }
  return &*found;
}

const json* ObjectReader::typed(std::string_view key, Presence presence,
                                bool (*is_type)(const json&), const char* expected) {
  const json* value = field(key, presence);
  if (value && !is_type(*value)) {
    problems_.add(pointer_of(key),
                  std::string("expected ") + expected + ", got " + json_type_name(*value));
    return nullptr;
  }
  return value;
}

std::optional<std::string> ObjectReader::string(std::string_view key, Presence presence) {
  const json* value = typed(
      key, presence, [](const json& v) { return v.is_string(); }, "a string");
  if (!value) return std::nullopt;
  return value->get<std::string>();
}

std::optional<bool> ObjectReader::boolean(std::string_view key, Presence presence) {
  const json* value = typed(
      key, presence, [](const json& v) { return v.is_boolean(); }, "a boolean (true or false)");
  if (!value) return std::nullopt;
  return value->get<bool>();
}

std::optional<std::int64_t> ObjectReader::integer(std::string_view key, Presence presence,
                                                  std::int64_t min, std::int64_t max) {
  const json* value = typed(
      key, presence, [](const json& v) { return v.is_number_integer(); }, "an integer");
  if (!value) return std::nullopt;
  if (value->is_number_unsigned() &&
      value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    problems_.add(pointer_of(key), "must be at most " + std::to_string(max));
    return std::nullopt;
  }
  const auto number = value->get<std::int64_t>();
  if (number < min || number > max) {
    problems_.add(pointer_of(key), "must be between " + std::to_string(min) + " and " +
                                       std::to_string(max) + ", got " + std::to_string(number));
    return std::nullopt;
  }
  return number;
}

std::optional<std::vector<std::string>> ObjectReader::strings(std::string_view key,
                                                              Presence presence) {
  const auto* items = array(key, presence);
  if (!items) return std::nullopt;
  std::vector<std::string> out;
  bool all_strings = true;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const json& item = (*items)[i];
    if (!item.is_string()) {
      problems_.add(pointer_append(pointer_of(key), i),
                    std::string("expected a string, got ") + json_type_name(item));
      all_strings = false;
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  if (!all_strings) return std::nullopt;
  return out;
}

const json::array_t* ObjectReader::array(std::string_view key, Presence presence) {
  const json* value = typed(
      key, presence, [](const json& v) { return v.is_array(); }, "an array");
  return value ? value->get_ptr<const json::array_t*>() : nullptr;
}

std::optional<dialogs::LocalizedText> ObjectReader::localized(std::string_view key,
                                                              Presence presence) {
  const json* value = field(key, presence);
  if (!value) return std::nullopt;
  return read_localized(problems_, *value, pointer_of(key));
}

void ObjectReader::finish() {
  if (!object_) return;
  for (const auto& [key, value] : object_->items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::string expected;
    for (const auto& name : known_) expected += (expected.empty() ? "" : ", ") + name;
    problems_.add(pointer_of(key), "unknown key (expected one of: " + expected + ")");
  }
}

std::optional<dialogs::LocalizedText> read_localized(Problems& problems, const json& value,
                                                     const std::string& pointer) {
  ObjectReader reader(problems, value, pointer);
  const auto danish = reader.string("da", Presence::required);
  const auto english = reader.string("en", Presence::required);
  reader.finish();
  bool complete = danish && english;
  if (danish && danish->empty()) {
    problems.add(pointer_append(pointer, "da"), "must not be empty");
    complete = false;
  }
  if (english && english->empty()) {
    problems.add(pointer_append(pointer, "en"), "must not be empty");
    complete = false;
  }
  if (!complete) return std::nullopt;
  return dialogs::LocalizedText{*danish, *english};
}

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.front() == '-') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace prik::bot
