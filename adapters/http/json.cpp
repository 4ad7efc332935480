#include "adapters/http/json.hpp"

namespace prik::adapters::http {

ClientRequest json_post(std::string url, const nlohmann::json& body) {
  ClientRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.content_type = "application/json; charset=utf-8";
  request.body = body.dump();
  return request;
}

Result<nlohmann::json> parse_json_object(std::string_view text, const std::string& where) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Error{Error::Kind::protocol, where, "the body is not JSON"};
  if (!parsed.is_object()) return Error{Error::Kind::protocol, where, "the body is not an object"};
  return parsed;
}

}  // namespace prik::adapters::http
