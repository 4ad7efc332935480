// Platforms: the pieces `prik run` uses to put the chat platforms on the bot core -- the Matrix
// adapter's sync position kept in the store, and the http.listen address taken apart.
//
// StoreSyncTokens keeps the token as one document (collection "matrix", key "sync_token"); it
// holds a reference to the store, which must outlive it, and is safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/matrix/token_store.hpp"

namespace prik::storage {
class Store;
}

namespace prik::bot {

class StoreSyncTokens final : public adapters::matrix::SyncTokenStore {
 public:
  explicit StoreSyncTokens(storage::Store& store) : store_(store) {}

  std::string load() override;
  void save(std::string token, std::function<void(bool saved)> done) override;

 private:
  storage::Store& store_;
};

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// "127.0.0.1:8080", "0.0.0.0:0", "[::1]:8080"; nullopt when it is not host:port.
std::optional<ListenAddress> parse_listen_address(const std::string& text);

}  // namespace prik::bot
