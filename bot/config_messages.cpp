#include "bot/config_messages.hpp"

#include "bot/config_json.hpp"

namespace prik::bot {

using nlohmann::json;

dialogs::Texts::Table read_messages(const std::filesystem::path& file, const TextKeys& keys,
                                    std::vector<std::string>& out) {
  Problems problems(file.string(), out);
  dialogs::Texts::Table table;
  const auto document = read_json_file(file, problems);
  if (!document) return table;
  if (!document->is_object()) {
    problems.add(
        "/", std::string("expected an object of key -> text, got ") + json_type_name(*document));
    return table;
  }
  for (const auto& [key, value] : document->items()) {
    const std::string pointer = pointer_append("", key);
    const auto known = keys.find(key);
    if (known == keys.end()) {
      problems.add(pointer, "unknown message key (the code never uses it)");
      continue;
    }
    if (!value.is_string()) {
      problems.add(pointer, std::string("expected a string, got ") + json_type_name(value));
      continue;
    }
    const auto text = value.get<std::string>();
    for (const auto& placeholder : dialogs::placeholders_in(text)) {
      if (known->second.contains(placeholder)) continue;
      std::string allowed;
      for (const auto& name : known->second)
        allowed += (allowed.empty() ? "{" : ", {") + name + "}";
      problems.add(pointer, "unknown placeholder {" + placeholder +
                                "} (allowed: " + (allowed.empty() ? "none" : allowed) + ")");
    }
    table.emplace(key, text);
  }
  for (const auto& [key, placeholders] : keys) {
    if (!document->contains(key)) problems.add(pointer_append("", key), "message is missing");
  }
  return table;
}

}  // namespace prik::bot
