// Reading one message file (config/messages/da.json or en.json): a flat JSON object of
// key -> text template. Every key the code uses must be there, no other key may be, and each
// template may only use the placeholders its key allows.
//
// Stateless and thread-safe; problems are appended to the caller's list.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dialogs/texts.hpp"

namespace prik::bot {

// key -> the placeholders its template may contain (dialogs::text_keys() in production).
using TextKeys = std::map<std::string, std::set<std::string>, std::less<>>;

// The file's texts (those that are strings); problems are reported as
// "<file>: /<key>: <what>".
dialogs::Texts::Table read_messages(const std::filesystem::path& file, const TextKeys& keys,
                                    std::vector<std::string>& problems);

}  // namespace prik::bot
