// RoomTracker: what the Matrix adapter knows about the bot's rooms, and the decisions a /sync
// batch leads to. Pure logic, no I/O.
//
// apply() folds one SyncResponse into the tracker and returns a SyncPlan: the messages to hand to
// the core, the invites to accept or decline and the rooms to leave. The rules:
// - an invite is accepted when the inviter's server is in allowed_servers (empty: any server),
//   declined (left) otherwise;
// - a room holding the bot and exactly one other person (joined or invited) is that person's DM;
// - an m.text m.room.message from someone else becomes an Incoming (user "matrix:@a:b",
//   conversation = room id); the bot's own events, edits, notices, other msgtypes and empty
//   bodies are ignored; with answer_timeline false (the very first sync) no message is answered;
// - the people a message mentions go to Incoming::mentions; those known to be bots -- the bot
//   itself, and anyone who sent an m.notice (the msgtype the spec reserves for automated
//   clients) in a room the bot is in -- also to Incoming::mentioned_bots;
// - an m.room.encrypted event from someone else in a DM becomes, once per room, an Incoming with
//   empty text, choice_id kEncryptedChoice and event_id "matrix.encrypted:<room id>", so that
//   the core can say (in the person's language) that the bot cannot read encrypted messages;
// - when the other person of a DM leaves, the bot leaves too; rooms the bot left are forgotten.
// The DM map (m.direct) is kept from the account data and from the DMs the tracker recognises.
// Not thread-safe: one tracker per adapter, used from its strand.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapters/matrix/events.hpp"
#include "dialogs/message.hpp"

namespace prik::adapters::matrix {

inline constexpr const char* kEncryptedChoice = "matrix.encrypted";

// Whether `members` (a room's m.room.member events) hold, joined or invited, exactly the bot and
// `user_id`: a DM between them.
bool is_direct_between(const std::vector<RoomEvent>& members, const std::string& bot_user_id,
                       const std::string& user_id);

struct SyncPlan {
  std::vector<dialogs::Incoming> deliveries;
  std::vector<std::string> joins;   // invites to accept
  std::vector<std::string> leaves;  // invites to decline, and DMs the other person left
  bool direct_changed = false;      // the m.direct account data should be rewritten
};

class RoomTracker {
 public:
  RoomTracker(std::string bot_user_id, std::vector<std::string> allowed_servers);

  SyncPlan apply(const SyncResponse& sync, bool answer_timeline);

  // The DM room with `user_id` the bot is in, if any (the most recently recorded one).
  std::optional<std::string> direct_room_for(const std::string& user_id) const;
  // Records a DM the bot created (POST /createRoom), before the person has joined.
  void add_direct_room(const std::string& user_id, const std::string& room_id);
  const DirectRooms& direct_rooms() const { return direct_; }

  // The core could not record the encrypted-room notice: it may be sent again.
  void forget_encrypted_notice(const std::string& room_id);

  bool is_direct(const std::string& room_id) const;
  bool knows(const std::string& room_id) const { return rooms_.contains(room_id); }
  // Whether `user_id` is known to be a bot (Prik itself, or someone who sent an m.notice).
  bool is_bot(const std::string& user_id) const;

 private:
  struct Member {
    std::string membership;
    std::string display_name;
  };
  struct Room {
    std::map<std::string, Member> members;
    RoomSummary summary;
    bool encrypted = false;
    bool encrypted_notice_sent = false;
    bool left = false;  // the bot asked to leave
  };

  void apply_state(Room& room, const RoomEvent& event);
  // The other person when `room` is a DM.
  std::optional<std::string> direct_partner(const Room& room) const;
  bool remember_direct(const std::string& user_id, const std::string& room_id);
  void handle_invite(const InvitedRoom& invite, SyncPlan& plan);
  void handle_joined(const JoinedRoom& joined, bool answer_timeline, SyncPlan& plan);
  void handle_message(const std::string& room_id, const Room& room, const RoomEvent& event,
                      SyncPlan& plan) const;

  std::string bot_;
  std::vector<std::string> allowed_servers_;
  std::map<std::string, Room> rooms_;
  DirectRooms direct_;
  std::set<std::string> bots_;  // other users seen sending m.notice
};

}  // namespace prik::adapters::matrix
