// How fast the Matrix adapter turns /sync answers into deliveries: parse_sync plus
// RoomTracker::apply on a batch of `rooms` DMs with `messages` new messages each (the size of a
// catch-up sync after downtime). Prints batches per second, events per second and MB/s.
//
//   matrix_sync_bench [rooms=500] [messages=20] [rounds=20]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/matrix/events.hpp"
#include "adapters/matrix/rooms.hpp"

namespace {

using json = nlohmann::json;
const std::string kBot = "@prik:example.org";

json member(const std::string& user, const std::string& name) {
  return {{"type", "m.room.member"},
          {"sender", user},
          {"state_key", user},
          {"event_id", "$m" + user},
          {"content", {{"membership", "join"}, {"displayname", name}}}};
}

std::string catch_up_sync(int rooms, int messages) {
  json join = json::object();
  for (int r = 0; r < rooms; ++r) {
    const std::string user = "@volunteer" + std::to_string(r) + ":example.org";
    json events =
        json::array({member(kBot, "Prik"), member(user, "Frivillig " + std::to_string(r))});
    for (int m = 0; m < messages; ++m) {
      events.push_back(
          {{"type", "m.room.message"},
           {"sender", user},
           {"event_id", "$e" + std::to_string(r) + "_" + std::to_string(m)},
           {"origin_server_ts", 1700000000000LL + m},
           {"content",
            {{"msgtype", "m.text"},
             {"body", "Jeg vil gerne hjælpe med plakater i Valby, ring til @bob:example.org"}}}});
    }
    join["!room" + std::to_string(r) + ":example.org"] = {
        {"timeline", {{"events", events}, {"limited", false}}},
        {"state", {{"events", json::array()}}}};
  }
  return json({{"next_batch", "s2"}, {"rooms", {{"join", join}}}}).dump();
}

}  // namespace

int main(int argc, char** argv) {
  const int rooms = argc > 1 ? std::atoi(argv[1]) : 500;
  const int messages = argc > 2 ? std::atoi(argv[2]) : 20;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 20;
  const std::string body = catch_up_sync(rooms, messages);

  std::size_t delivered = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < rounds; ++round) {
    auto sync = prik::adapters::matrix::parse_sync(body);
    if (!sync) {
      std::fprintf(stderr, "parse failed: %s\n", sync.error().to_string().c_str());
      return 1;
    }
    prik::adapters::matrix::RoomTracker tracker(kBot, {});
    delivered += tracker.apply(*sync, /*answer_timeline=*/true).deliveries.size();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("matrix_sync_bench: %d rooms x %d messages, %.1f KB per batch, %d rounds\n", rooms,
              messages, body.size() / 1024.0, rounds);
  std::printf("  %.1f batches/s, %.0f messages delivered/s, %.1f MB/s parsed (%zu deliveries)\n",
              rounds / seconds, delivered / seconds, body.size() * rounds / seconds / 1e6,
              delivered);
  return 0;
}
