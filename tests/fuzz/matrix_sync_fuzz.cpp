// libFuzzer target: hostile bytes as a Matrix /sync answer, an API error body and a whoami
// answer, then the room decisions on whatever parsed. Must never crash, throw or read out of
// bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "adapters/matrix/events.hpp"
#include "adapters/matrix/rooms.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace prik::adapters::matrix;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  parse_error_body(text);
  parse_whoami(text);
  auto sync = parse_sync(text);
  if (!sync) return 0;
  RoomTracker tracker("@prik:example.com", {});
  const SyncPlan plan = tracker.apply(*sync, /*answer_timeline=*/true);
  for (const auto& incoming : plan.deliveries) {
    prik::dialogs::Outgoing reply;
    reply.to = incoming.user;
    reply.text = incoming.text;
    reply.choices = {{"id", incoming.display_name}};
    if (!nlohmann::json::accept(notice_content(reply))) std::abort();  // must be JSON
  }
  direct_content(tracker.direct_rooms())
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
