#include "adapters/matrix/rooms.hpp"

#include <algorithm>

namespace prik::adapters::matrix {
namespace {

bool is_present(const std::string& membership) {
  return membership == "join" || membership == "invite";
}

}  // namespace

bool is_direct_between(const std::vector<RoomEvent>& members, const std::string& bot_user_id,
                       const std::string& user_id) {
  std::map<std::string, std::string> membership;  // the last event per member wins
  for (const auto& event : members) {
    if (event.kind == RoomEvent::Kind::member) membership[event.state_key] = event.membership;
  }
  std::set<std::string> present;
  for (const auto& [user, state] : membership) {
    if (is_present(state)) present.insert(user);
  }
  return bot_user_id != user_id && present == std::set<std::string>{bot_user_id, user_id};
}

RoomTracker::RoomTracker(std::string bot_user_id, std::vector<std::string> allowed_servers)
    : bot_(std::move(bot_user_id)), allowed_servers_(std::move(allowed_servers)) {}

SyncPlan RoomTracker::apply(const SyncResponse& sync, bool answer_timeline) {
  SyncPlan plan;
  if (sync.direct) {
    for (const auto& [user, room_ids] : *sync.direct) {
      for (const auto& room_id : room_ids) remember_direct(user, room_id);
    }
  }
  for (const auto& invite : sync.invited) handle_invite(invite, plan);
  for (const auto& joined : sync.joined) handle_joined(joined, answer_timeline, plan);
  for (const auto& left : sync.left) {
    rooms_.erase(left.room_id);
    for (auto& [user, room_ids] : direct_) std::erase(room_ids, left.room_id);
  }
  // Only the rooms of this batch can have become DMs.
  const auto remember_if_direct = [&](const std::string& room_id) {
    const auto room = rooms_.find(room_id);
    if (room == rooms_.end() || room->second.left) return;
    if (auto partner = direct_partner(room->second)) {
      plan.direct_changed = remember_direct(*partner, room_id) || plan.direct_changed;
    }
  };
  for (const auto& invite : sync.invited) remember_if_direct(invite.room_id);
  for (const auto& joined : sync.joined) remember_if_direct(joined.room_id);
  return plan;
}

void RoomTracker::handle_invite(const InvitedRoom& invite, SyncPlan& plan) {
  Room room;
  std::string inviter;
  for (const auto& event : invite.invite_state) {
    apply_state(room, event);
    if (event.kind == RoomEvent::Kind::member && event.state_key == bot_ &&
        event.membership == "invite") {
      inviter = event.sender;
    }
  }
  const std::string server = server_of(inviter);
  const bool allowed =
      !server.empty() &&
      (allowed_servers_.empty() || std::find(allowed_servers_.begin(), allowed_servers_.end(),
                                             server) != allowed_servers_.end());
  if (!allowed) {
    plan.leaves.push_back(invite.room_id);
    return;
  }
  plan.joins.push_back(invite.room_id);
  rooms_.insert_or_assign(invite.room_id, std::move(room));
}

void RoomTracker::handle_joined(const JoinedRoom& joined, bool answer_timeline, SyncPlan& plan) {
  Room& room = rooms_[joined.room_id];
  if (joined.summary.joined_member_count) {
    room.summary.joined_member_count = joined.summary.joined_member_count;
  }
  if (joined.summary.invited_member_count) {
    room.summary.invited_member_count = joined.summary.invited_member_count;
  }
  for (const auto& event : joined.state) apply_state(room, event);
  room.members[bot_].membership = "join";

  for (const auto& event : joined.timeline) {
    const bool from_bot = event.sender == bot_;
    switch (event.kind) {
      case RoomEvent::Kind::member: {
        const bool was_direct = direct_partner(room).has_value();
        apply_state(room, event);
        // A summary would now be stale; the member list is current.
        room.summary = {};
        const bool gone = event.membership == "leave" || event.membership == "ban";
        if (gone && event.state_key != bot_ && was_direct && !room.left) {
          room.left = true;
          plan.leaves.push_back(joined.room_id);
          for (auto& [user, room_ids] : direct_) std::erase(room_ids, joined.room_id);
          plan.direct_changed = true;
        }
        break;
      }
      case RoomEvent::Kind::encryption:
        room.encrypted = true;
        break;
      case RoomEvent::Kind::message:
        if (event.msgtype == "m.notice" && !from_bot && !event.sender.empty()) {
          bots_.insert(event.sender);
        }
        if (answer_timeline && !from_bot && !room.left) {
          handle_message(joined.room_id, room, event, plan);
        }
        break;
      case RoomEvent::Kind::encrypted:
        if (answer_timeline && !from_bot && !room.left && !room.encrypted_notice_sent &&
            direct_partner(room)) {
          room.encrypted_notice_sent = true;
          dialogs::Incoming incoming;
          incoming.user = "matrix:" + event.sender;
          incoming.conversation = joined.room_id;
          incoming.direct = true;
          incoming.choice_id = kEncryptedChoice;
          incoming.event_id = std::string(kEncryptedChoice) + ":" + joined.room_id;
          if (auto found = room.members.find(event.sender); found != room.members.end()) {
            incoming.display_name = found->second.display_name;
          }
          plan.deliveries.push_back(std::move(incoming));
        }
        break;
      case RoomEvent::Kind::other:
        break;
    }
  }
}

void RoomTracker::handle_message(const std::string& room_id, const Room& room,
                                 const RoomEvent& event, SyncPlan& plan) const {
  if (event.msgtype != "m.text" || event.is_edit || event.event_id.empty() ||
      event.sender.empty()) {
    return;
  }
  if (event.body.find_first_not_of(" \t\r\n") == std::string::npos) return;
  dialogs::Incoming incoming;
  incoming.user = "matrix:" + event.sender;
  incoming.conversation = room_id;
  incoming.direct = direct_partner(room) == event.sender;
  incoming.text = event.body;
  incoming.event_id = event.event_id;
  if (auto found = room.members.find(event.sender); found != room.members.end()) {
    incoming.display_name = found->second.display_name;
  }
  for (const auto& user : mentioned_users(event)) {
    incoming.mentions.push_back("matrix:" + user);
    if (is_bot(user)) incoming.mentioned_bots.push_back("matrix:" + user);
  }
  plan.deliveries.push_back(std::move(incoming));
}

void RoomTracker::apply_state(Room& room, const RoomEvent& event) {
  if (event.kind == RoomEvent::Kind::encryption) {
    room.encrypted = true;
    return;
  }
  if (event.kind != RoomEvent::Kind::member || event.state_key.empty()) return;
  Member& member = room.members[event.state_key];
  member.membership = event.membership;
  if (!event.display_name.empty()) member.display_name = event.display_name;
}

std::optional<std::string> RoomTracker::direct_partner(const Room& room) const {
  std::optional<std::string> partner;
  int present = 0;
  for (const auto& [user, member] : room.members) {
    if (!is_present(member.membership)) continue;
    ++present;
    if (user != bot_) partner = user;
  }
  const auto& summary = room.summary;
  if (summary.joined_member_count) {
    present = *summary.joined_member_count + summary.invited_member_count.value_or(0);
  }
  if (present != 2) return std::nullopt;
  return partner;
}

bool RoomTracker::remember_direct(const std::string& user_id, const std::string& room_id) {
  auto& room_ids = direct_[user_id];
  if (std::find(room_ids.begin(), room_ids.end(), room_id) != room_ids.end()) return false;
  room_ids.push_back(room_id);
  return true;
}

std::optional<std::string> RoomTracker::direct_room_for(const std::string& user_id) const {
  const auto found = direct_.find(user_id);
  if (found == direct_.end()) return std::nullopt;
  for (auto room_id = found->second.rbegin(); room_id != found->second.rend(); ++room_id) {
    const auto room = rooms_.find(*room_id);
    if (room != rooms_.end() && !room->second.left) return *room_id;
  }
  return std::nullopt;
}

void RoomTracker::add_direct_room(const std::string& user_id, const std::string& room_id) {
  Room& room = rooms_[room_id];
  room.members[bot_].membership = "join";
  room.members[user_id].membership = "invite";
  remember_direct(user_id, room_id);
}

void RoomTracker::forget_encrypted_notice(const std::string& room_id) {
  if (auto found = rooms_.find(room_id); found != rooms_.end()) {
    found->second.encrypted_notice_sent = false;
  }
}

bool RoomTracker::is_bot(const std::string& user_id) const {
  return user_id == bot_ || bots_.contains(user_id);
}

bool RoomTracker::is_direct(const std::string& room_id) const {
  const auto found = rooms_.find(room_id);
  return found != rooms_.end() && direct_partner(found->second).has_value();
}

}  // namespace prik::adapters::matrix
