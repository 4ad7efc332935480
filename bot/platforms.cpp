#include "bot/platforms.hpp"

#include <spdlog/spdlog.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "storage/store.hpp"

namespace prik::bot {

namespace {

constexpr const char* sync_collection = "matrix";
constexpr const char* sync_key = "sync_token";

}  // namespace

std::string StoreSyncTokens::load() {
  const auto document = store_.get(sync_collection, sync_key);
  if (!document) return {};
  const auto parsed = nlohmann::json::parse(*document, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("since") || !parsed["since"].is_string()) {
    spdlog::warn("matrix: the stored sync token is unreadable; starting from now");
    return {};
  }
  return parsed["since"].get<std::string>();
}

void StoreSyncTokens::save(std::string token, std::function<void(bool saved)> done) {
  storage::Batch batch;
  batch.put(sync_collection, sync_key, nlohmann::json{{"since", std::move(token)}}.dump());
  store_.commit_async(std::move(batch), [done = std::move(done)](storage::Status status) {
    if (!status.ok()) spdlog::error("matrix: cannot save the sync token: {}", status.to_string());
    done(status.ok());
  });
}

std::optional<ListenAddress> parse_listen_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [end, error] = std::from_chars(first, last, port);
  if (error != std::errc() || end != last || port > 65535 || host.empty()) return std::nullopt;
  return ListenAddress{std::move(host), static_cast<std::uint16_t>(port)};
}

}  // namespace prik::bot
