// JSON helpers: building a JSON request, parsing a JSON body into a Result, and writing JSON
// text directly where a document tree would cost too much. Stateless free functions; safe from
// any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "adapters/http/client.hpp"
#include "adapters/http/error.hpp"

namespace prik::adapters::http {

// A POST of `body` as application/json; charset=utf-8.
ClientRequest json_post(std::string url, const nlohmann::json& body);

// Parses `text`; a protocol error naming `where` when it is not JSON or not an object.
Result<nlohmann::json> parse_json_object(std::string_view text, const std::string& where);

// Appends `text` to `out` as a JSON string, escaped as nlohmann::json::dump() escapes it; bytes
// that are not UTF-8 become U+FFFD.
void append_json_string(std::string& out, std::string_view text);

}  // namespace prik::adapters::http
