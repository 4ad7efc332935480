#include "adapters/matrix/events.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

#include "tests/matrix/fixtures.hpp"

namespace prik::adapters::matrix {
namespace {

using json = nlohmann::json;
using tests::matrix_fixture;
using tests::matrix_fixture_json;

TEST(MatrixSyncParsing, InitialSyncFixtureGivesRoomsInvitesAndDirectMap) {
  auto sync = parse_sync(matrix_fixture("sync_initial.json"));
  ASSERT_TRUE(sync) << sync.error().to_string();
  EXPECT_EQ(sync->next_batch, "s72595_4483_1934");

  ASSERT_EQ(sync->joined.size(), 1u);
  const JoinedRoom& room = sync->joined[0];
  EXPECT_EQ(room.room_id, "!726s6s6q:example.com");
  EXPECT_TRUE(room.limited);
  EXPECT_EQ(room.prev_batch, "t34-23535_0_0");
  EXPECT_EQ(room.summary.joined_member_count, 2);
  EXPECT_EQ(room.summary.invited_member_count, 0);
  ASSERT_EQ(room.state.size(), 1u);
  EXPECT_EQ(room.state[0].type, "m.room.create");
  ASSERT_EQ(room.timeline.size(), 3u);
  EXPECT_EQ(room.timeline[0].kind, RoomEvent::Kind::member);
  EXPECT_EQ(room.timeline[0].display_name, "Alice Margatroid");
  EXPECT_EQ(room.timeline[0].membership, "join");
  EXPECT_EQ(room.timeline[2].kind, RoomEvent::Kind::message);
  EXPECT_EQ(room.timeline[2].msgtype, "m.text");
  EXPECT_EQ(room.timeline[2].body, "This is an example text message");
  EXPECT_EQ(room.timeline[2].formatted_body, "<b>This is an example text message</b>");
  EXPECT_EQ(room.timeline[2].event_id, "$143273582445PhrSn:example.org");

  ASSERT_EQ(sync->invited.size(), 1u);
  const InvitedRoom& invite = sync->invited[0];
  EXPECT_EQ(invite.room_id, "!696r7674:example.com");
  ASSERT_EQ(invite.invite_state.size(), 5u);
  EXPECT_EQ(invite.invite_state[2].kind, RoomEvent::Kind::encryption);
  const RoomEvent& bot_invite = invite.invite_state[4];
  EXPECT_EQ(bot_invite.state_key, "@prik:example.com");
  EXPECT_EQ(bot_invite.sender, "@bob:example.com");
  EXPECT_TRUE(bot_invite.is_direct);

  ASSERT_TRUE(sync->direct.has_value());
  EXPECT_EQ(sync->direct->at("@alice:example.com"),
            std::vector<std::string>{"!726s6s6q:example.com"});
  EXPECT_TRUE(sync->left.empty());
}

TEST(MatrixSyncParsing, IncrementalFixtureGivesMessageEchoAndLeftRoom) {
  auto sync = parse_sync(matrix_fixture("sync_incremental_message.json"));
  ASSERT_TRUE(sync) << sync.error().to_string();
  EXPECT_EQ(sync->next_batch, "s72596_4483_1935");
  ASSERT_EQ(sync->joined.size(), 1u);
  const auto& timeline = sync->joined[0].timeline;
  ASSERT_EQ(timeline.size(), 2u);
  EXPECT_EQ(timeline[0].sender, "@alice:example.com");
  EXPECT_TRUE(timeline[0].mentioned_user_ids.empty());
  EXPECT_EQ(timeline[1].msgtype, "m.notice");
  EXPECT_EQ(timeline[1].transaction_id, "35");
  EXPECT_FALSE(timeline[1].is_edit);
  EXPECT_FALSE(sync->direct.has_value());
  ASSERT_EQ(sync->left.size(), 1u);
  EXPECT_EQ(sync->left[0].room_id, "!oldroom:example.com");
  ASSERT_EQ(sync->left[0].timeline.size(), 1u);
  EXPECT_EQ(sync->left[0].timeline[0].membership, "leave");
}

TEST(MatrixSyncParsing, InviteMemberEventFixtureIsADirectInviteFromTheSender) {
  auto event = parse_event(matrix_fixture_json("member_invite_is_direct.json"));
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind, RoomEvent::Kind::member);
  EXPECT_EQ(event->membership, "invite");
  EXPECT_TRUE(event->is_direct);
  EXPECT_EQ(event->sender, "@alice:example.org");
  EXPECT_EQ(event->state_key, "@prik:example.org");
  EXPECT_EQ(event->display_name, "Alice Margatroid");
}

TEST(MatrixSyncParsing, EncryptedEventFixtureIsRecognised) {
  auto event = parse_event(matrix_fixture_json("encrypted_event.json"));
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind, RoomEvent::Kind::encrypted);
  EXPECT_EQ(event->sender, "@example:example.org");
  EXPECT_TRUE(event->body.empty());
}

TEST(MatrixSyncParsing, BodiesThatAreNotSyncResponsesAreErrors) {
  EXPECT_FALSE(parse_sync(""));
  EXPECT_FALSE(parse_sync("not json"));
  EXPECT_FALSE(parse_sync("[1, 2]"));
  EXPECT_FALSE(parse_sync("{\"rooms\": {}}"));
  EXPECT_FALSE(parse_sync("{\"next_batch\": 12}"));
  EXPECT_FALSE(parse_sync("{\"next_batch\": \"s1\""));
}

TEST(MatrixSyncParsing, OddlyShapedFieldsAreSkippedWithoutFailing) {
  const json odd = {
      {"next_batch", "s9"},
      {"account_data", {{"events", {{{"type", "m.direct"}, {"content", {{"@a:b", "!r:b"}}}}}}}},
      {"rooms",
       {{"join",
         {{"!bad:x", "not an object"},
          {"!good:x",
           {{"summary", {{"m.joined_member_count", "two"}, {"m.invited_member_count", -3}}},
            {"state", {{"events", "nope"}}},
            {"timeline",
             {{"limited", "yes"},
              {"events",
               {42,
                {{"type", 7}},
                {{"type", "m.room.message"}, {"content", "text"}, {"sender", 5}},
                {{"type", "m.room.member"},
                 {"content", {{"membership", 3}, {"is_direct", "true"}}}},
                {{"type", "m.room.message"},
                 {"event_id", "$ok"},
                 {"sender", "@a:b"},
                 {"content", {{"msgtype", "m.text"}, {"body", "hej"}, {"m.mentions", 1}}}}}}}}}}}},
        {"invite", {{"!i:x", {{"invite_state", {{"events", {nullptr, {{"type", "x"}}}}}}}}}},
        {"leave", json::array()}}}};
  auto sync = parse_sync(odd.dump());
  ASSERT_TRUE(sync) << sync.error().to_string();
  ASSERT_TRUE(sync->direct.has_value());
  EXPECT_FALSE(sync->direct->contains("@a:b"));
  ASSERT_EQ(sync->joined.size(), 1u);
  const JoinedRoom& room = sync->joined[0];
  EXPECT_EQ(room.room_id, "!good:x");
  EXPECT_FALSE(room.summary.joined_member_count.has_value());
  EXPECT_FALSE(room.summary.invited_member_count.has_value());
  EXPECT_FALSE(room.limited);
  EXPECT_TRUE(room.state.empty());
  ASSERT_EQ(room.timeline.size(), 3u);
  EXPECT_TRUE(room.timeline[0].sender.empty());
  EXPECT_TRUE(room.timeline[1].membership.empty());
  EXPECT_FALSE(room.timeline[1].is_direct);
  EXPECT_EQ(room.timeline[2].body, "hej");
  ASSERT_EQ(sync->invited.size(), 1u);
  EXPECT_EQ(sync->invited[0].invite_state.size(), 1u);
  EXPECT_TRUE(sync->left.empty());
}

// The /sync reading as a walk over the parsed document with parse_event: what parse_sync's
// streaming reader must agree with.
std::optional<SyncResponse> sync_through_the_document(const std::string& body) {
  const json document = json::parse(body, nullptr, false);
  if (!document.is_object() || !document.contains("next_batch") ||
      !document["next_batch"].is_string() || document["next_batch"].get<std::string>().empty()) {
    return std::nullopt;
  }
  const auto object = [](const json& value, const char* key) {
    return value.is_object() && value.contains(key) && value[key].is_object() ? value[key]
                                                                              : json::object();
  };
  const auto events = [&](const json& holder) {
    std::vector<RoomEvent> parsed;
    const json list = holder.contains("events") ? holder["events"] : json::array();
    if (!list.is_array()) return parsed;
    for (const json& event : list) {
      if (auto one = parse_event(event)) parsed.push_back(std::move(*one));
    }
    return parsed;
  };
  const auto count = [](const json& summary, const char* key) -> std::optional<int> {
    if (!summary.contains(key) || !summary[key].is_number_integer()) return std::nullopt;
    const auto value = summary[key].get<std::int64_t>();
    if (value < 0 || value > 1'000'000'000) return std::nullopt;
    return static_cast<int>(value);
  };
  SyncResponse sync;
  sync.next_batch = document["next_batch"];
  const json account = object(document, "account_data");
  if (account.contains("events") && account["events"].is_array()) {
    for (const json& event : account["events"]) {
      if (event.is_object() && event.value("type", json()) == "m.direct") {
        sync.direct = parse_direct(object(event, "content"));
      }
    }
  }
  const json rooms = object(document, "rooms");
  const json joined_rooms = object(rooms, "join");
  for (const auto& [room_id, room] : joined_rooms.items()) {
    if (!room.is_object()) continue;
    JoinedRoom joined;
    joined.room_id = room_id;
    joined.summary.joined_member_count = count(object(room, "summary"), "m.joined_member_count");
    joined.summary.invited_member_count = count(object(room, "summary"), "m.invited_member_count");
    joined.state = events(object(room, "state"));
    const json timeline = object(room, "timeline");
    joined.timeline = events(timeline);
    joined.limited = timeline.contains("limited") && timeline["limited"].is_boolean() &&
                     timeline["limited"].get<bool>();
    joined.prev_batch = timeline.contains("prev_batch") && timeline["prev_batch"].is_string()
                            ? timeline["prev_batch"].get<std::string>()
                            : "";
    sync.joined.push_back(std::move(joined));
  }
  const json invited_rooms = object(rooms, "invite");
  for (const auto& [room_id, room] : invited_rooms.items()) {
    if (room.is_object()) sync.invited.push_back({room_id, events(object(room, "invite_state"))});
  }
  const json left_rooms = object(rooms, "leave");
  for (const auto& [room_id, room] : left_rooms.items()) {
    if (room.is_object()) sync.left.push_back({room_id, events(object(room, "timeline"))});
  }
  return sync;
}

void expect_same_events(const std::vector<RoomEvent>& actual,
                        const std::vector<RoomEvent>& expected, const std::string& where) {
  ASSERT_EQ(actual.size(), expected.size()) << where;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const RoomEvent& a = actual[i];
    const RoomEvent& e = expected[i];
    const std::string at = where + " event " + std::to_string(i);
    EXPECT_EQ(a.kind, e.kind) << at;
    EXPECT_EQ(a.type, e.type) << at;
    EXPECT_EQ(a.event_id, e.event_id) << at;
    EXPECT_EQ(a.sender, e.sender) << at;
    EXPECT_EQ(a.msgtype, e.msgtype) << at;
    EXPECT_EQ(a.body, e.body) << at;
    EXPECT_EQ(a.formatted_body, e.formatted_body) << at;
    EXPECT_EQ(a.is_edit, e.is_edit) << at;
    EXPECT_EQ(a.mentioned_user_ids, e.mentioned_user_ids) << at;
    EXPECT_EQ(a.transaction_id, e.transaction_id) << at;
    EXPECT_EQ(a.state_key, e.state_key) << at;
    EXPECT_EQ(a.membership, e.membership) << at;
    EXPECT_EQ(a.display_name, e.display_name) << at;
    EXPECT_EQ(a.is_direct, e.is_direct) << at;
  }
}

void expect_read_like_the_document(const std::string& body) {
  SCOPED_TRACE(body);
  const auto expected = sync_through_the_document(body);
  const auto actual = parse_sync(body);
  ASSERT_EQ(static_cast<bool>(actual), expected.has_value());
  if (!expected) return;
  EXPECT_EQ(actual->next_batch, expected->next_batch);
  EXPECT_EQ(actual->direct, expected->direct);
  ASSERT_EQ(actual->joined.size(), expected->joined.size());
  for (std::size_t r = 0; r < expected->joined.size(); ++r) {
    const JoinedRoom& a = actual->joined[r];
    const JoinedRoom& e = expected->joined[r];
    EXPECT_EQ(a.room_id, e.room_id);
    EXPECT_EQ(a.summary.joined_member_count, e.summary.joined_member_count) << e.room_id;
    EXPECT_EQ(a.summary.invited_member_count, e.summary.invited_member_count) << e.room_id;
    EXPECT_EQ(a.limited, e.limited) << e.room_id;
    EXPECT_EQ(a.prev_batch, e.prev_batch) << e.room_id;
    expect_same_events(a.state, e.state, e.room_id + " state");
    expect_same_events(a.timeline, e.timeline, e.room_id + " timeline");
  }
  ASSERT_EQ(actual->invited.size(), expected->invited.size());
  for (std::size_t r = 0; r < expected->invited.size(); ++r) {
    EXPECT_EQ(actual->invited[r].room_id, expected->invited[r].room_id);
    expect_same_events(actual->invited[r].invite_state, expected->invited[r].invite_state,
                       expected->invited[r].room_id);
  }
  ASSERT_EQ(actual->left.size(), expected->left.size());
  for (std::size_t r = 0; r < expected->left.size(); ++r) {
    EXPECT_EQ(actual->left[r].room_id, expected->left[r].room_id);
    expect_same_events(actual->left[r].timeline, expected->left[r].timeline,
                       expected->left[r].room_id);
  }
}

TEST(MatrixSyncParsing, StreamingReadAgreesWithTheDocumentOnFixturesAndOddShapes) {
  expect_read_like_the_document(matrix_fixture("sync_initial.json"));
  expect_read_like_the_document(matrix_fixture("sync_incremental_message.json"));
  const std::string message =
      R"({"type":"m.room.message","event_id":"$m","sender":"@a:b","content":{"msgtype":"m.text",)"
      R"("body":"> <@b:c> før\n\nsvar @c:d","format":"org.matrix.custom.html",)"
      R"("formatted_body":"<a href=\"https://matrix.to/#/@e:f\">E</a>",)"
      R"("m.relates_to":{"m.in_reply_to":{"event_id":"$x"}},)"
      R"("m.mentions":{"user_ids":["@g:h",5,"@g:h",["@i:j"]]}},"unsigned":{"transaction_id":"7"}})";
  for (const std::string& body : {
           // Rooms out of order, duplicate room ids and keys: the last one counts.
           std::string(R"({"next_batch":"s1","rooms":{"join":{"!b:x":{"timeline":{"events":[)") +
               message +
               R"(],"limited":true,"prev_batch":"p"}},"!a:x":{"timeline":{"events":[]}},)"
               R"("!b:x":{"state":{"events":[)" +
               message + R"(]}}},"leave":{"!l:x":{"timeline":{"events":[)" + message +
               R"(]}}},"invite":{"!i:x":{"invite_state":{"events":[)" + message +
               R"(,{"type":"m.room.member","state_key":"@p:x","content":{"membership":"invite",)"
               R"("is_direct":true,"displayname":"P"}}]}}}}})",
           // Duplicate keys inside events and content; fields of the wrong type.
           std::string(
               R"({"next_batch":"s2","rooms":{"join":{"!r:x":{"timeline":{"events":[)"
               R"({"type":"m.room.message","content":{"body":"a","msgtype":"m.text",)"
               R"("body":7},"content":{"body":"b","msgtype":"m.text","m.new_content":null},)"
               R"("sender":"@a:b","sender":"@c:d","event_id":{"x":1}},)"
               R"({"type":"m.room.message","content":{"m.relates_to":{"rel_type":)"
               R"("m.replace"},"m.relates_to":5,"body":"c"}},)"
               R"({"content":{"membership":"join"},"type":"m.room.member","type":["x"]},)"
               R"({"type":"m.room.member","content":{"membership":"ban","is_direct":1}},)"
               R"("text",null,[{"type":"m.room.message"}]],"events":[)"
               R"({"type":"m.room.encrypted","sender":"@e:f","content":{"body":"no"}}],)"
               R"("limited":"yes","prev_batch":3},"summary":{"m.joined_member_count":2,)"
               R"("m.invited_member_count":-1,"m.joined_member_count":3}}}}})"),
           // Account data: the last m.direct counts; other types and shapes are passed over.
           std::string(R"({"account_data":{"events":[{"type":"m.direct","content":{"@a:b":)"
                       R"(["!1:b","!2:b",3]}},{"type":"m.other","content":{}},7,)"
                       R"({"content":{"@c:d":["!3:d"]},"type":"m.direct"}]},"next_batch":"s3"})"),
           std::string(R"({"next_batch":"s4","rooms":{"join":[],"invite":{"!x:y":5},)"
                       R"("leave":{"!z:y":{"timeline":"none"}}},"rooms":{"leave":{"!w:y":{}}}})"),
           std::string(R"({"next_batch":"s5","next_batch":7})"),
           std::string(R"({"next_batch":"s6","extra":{"rooms":{"join":{"!q:x":{}}}}})"),
       }) {
    expect_read_like_the_document(body);
  }
}

TEST(MatrixMessages, EditsAreMarkedByRelationOrNewContent) {
  auto replace =
      parse_event({{"type", "m.room.message"},
                   {"content",
                    {{"msgtype", "m.text"},
                     {"body", "* fixed"},
                     {"m.relates_to", {{"rel_type", "m.replace"}, {"event_id", "$x"}}}}}});
  auto new_content = parse_event(
      {{"type", "m.room.message"},
       {"content",
        {{"msgtype", "m.text"}, {"body", "* fixed"}, {"m.new_content", json::object()}}}});
  ASSERT_TRUE(replace && new_content);
  EXPECT_TRUE(replace->is_edit);
  EXPECT_TRUE(new_content->is_edit);
}

TEST(MatrixMessages, ReplyFallbackIsRemovedFromTheBody) {
  auto reply = parse_event(
      {{"type", "m.room.message"},
       {"content",
        {{"msgtype", "m.text"},
         {"body", "> <@prik:example.com> Which role?\n> 1. Kasserer\n\nKasserer please"},
         {"m.relates_to", {{"m.in_reply_to", {{"event_id", "$q"}}}}}}}});
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "Kasserer please");
}

TEST(MatrixMessages, MentionsComeFromMentionsFieldLinksAndPlainUserIds) {
  auto message = parse_event(
      {{"type", "m.room.message"},
       {"content",
        {{"msgtype", "m.text"},
         {"body",
          "Ask @carol:example.org. or @dave:matrix.example.net:8448 (mail eve@example.org)"},
         {"format", "org.matrix.custom.html"},
         {"formatted_body",
          "<a href=\"https://matrix.to/#/%40bob%3Aexample.org\">Bob</a> and "
          "<a href=\"https://matrix.to/#/@carol:example.org?via=example.org\">Carol</a> in "
          "<a href=\"https://matrix.to/#/!room:example.org\">a room</a>"},
         {"m.mentions", {{"user_ids", {"@alice:example.org", 12}}}}}}});
  ASSERT_TRUE(message);
  EXPECT_EQ(mentioned_users(*message),
            (std::vector<std::string>{"@alice:example.org", "@bob:example.org",
                                      "@carol:example.org", "@dave:matrix.example.net:8448"}));
}

TEST(MatrixErrors, RateLimitFixtureCarriesTheWait) {
  const ErrorBody error = parse_error_body(matrix_fixture("error_limit_exceeded.json"));
  EXPECT_EQ(error.errcode, "M_LIMIT_EXCEEDED");
  EXPECT_EQ(error.retry_after, std::chrono::milliseconds(2000));
}

TEST(MatrixErrors, UnknownTokenFixtureWithSoftLogoutTrueFalseAndAbsent) {
  json body = matrix_fixture_json("error_unknown_token.json");
  EXPECT_TRUE(parse_error_body(body.dump()).soft_logout);
  body["soft_logout"] = false;
  EXPECT_FALSE(parse_error_body(body.dump()).soft_logout);
  body.erase("soft_logout");
  const ErrorBody error = parse_error_body(body.dump());
  EXPECT_FALSE(error.soft_logout);
  EXPECT_EQ(error.errcode, "M_UNKNOWN_TOKEN");
  EXPECT_EQ(error.error, "Unrecognised access token.");
}

TEST(MatrixErrors, ABodyThatIsNotJsonGivesAnEmptyError) {
  const ErrorBody error = parse_error_body("<html>Bad gateway</html>");
  EXPECT_TRUE(error.errcode.empty());
  EXPECT_FALSE(error.retry_after.has_value());
}

TEST(MatrixWhoami, FixtureGivesTheUserAndGarbageIsAnError) {
  auto user = parse_whoami(matrix_fixture("whoami.json"));
  ASSERT_TRUE(user);
  EXPECT_EQ(*user, "@joe:example.org");
  EXPECT_FALSE(parse_whoami("{\"user_id\": \"joe\"}"));
  EXPECT_FALSE(parse_whoami("<html>"));
}

TEST(MatrixReplies, ChoicesBecomeANumberedListInBodyAndHtml) {
  dialogs::Outgoing reply;
  reply.text = "Hvad vil du <gerne>?\nVælg én";
  reply.choices = {{"menu.find", "Find en rolle"}, {"menu.help", "Hjælp & \"svar\""}};
  const json content = json::parse(notice_content(reply));
  EXPECT_EQ(content["msgtype"], "m.notice");
  EXPECT_EQ(content["body"],
            "Hvad vil du <gerne>?\nVælg én\n\n1. Find en rolle\n2. Hjælp & \"svar\"");
  EXPECT_EQ(content["format"], "org.matrix.custom.html");
  EXPECT_EQ(content["formatted_body"],
            "Hvad vil du &lt;gerne&gt;?<br>Vælg én<ol><li>Find en rolle</li>"
            "<li>Hjælp &amp; &quot;svar&quot;</li></ol>");
  EXPECT_EQ(content["m.mentions"], json::object());
}

TEST(MatrixReplies, TextWithoutChoicesHasNoList) {
  dialogs::Outgoing reply;
  reply.text = "Tak!";
  const json content = json::parse(notice_content(reply));
  EXPECT_EQ(content["body"], "Tak!");
  EXPECT_EQ(content["formatted_body"], "Tak!");
}

TEST(MatrixReplies, ContentIsJsonWhateverTheTextHolds) {
  dialogs::Outgoing reply;
  reply.text = std::string("Tab\there \"citat\" \\ ") + '\x01' + " æøå 👍 " + "\xff\xc3" + " slut";
  reply.choices = {{"x", "ok\r\n"}};
  const std::string text = notice_content(reply);
  ASSERT_TRUE(json::accept(text)) << text;
  const json content = json::parse(text);
  EXPECT_EQ(content["body"], std::string("Tab\there \"citat\" \\ ") + '\x01' +
                                 " æøå 👍 \xef\xbf\xbd\xef\xbf\xbd slut\n\n1. ok\r\n");
  EXPECT_EQ(content["msgtype"], "m.notice");
}

TEST(MatrixRequests, DirectRoomRequestMatchesTheFixture) {
  EXPECT_EQ(direct_room_request("@alice:example.com"),
            matrix_fixture_json("create_room_request.json"));
}

TEST(MatrixRequests, FilterKeepsTheFixtureTypesExceptReactions) {
  const json filter = sync_filter("@prik:example.com");
  const json fixture = matrix_fixture_json("filter.json");
  json timeline_types = fixture["room"]["timeline"]["types"];
  timeline_types.erase(std::find(timeline_types.begin(), timeline_types.end(), "m.reaction"));
  EXPECT_EQ(filter["room"]["timeline"]["types"], timeline_types);
  EXPECT_EQ(filter["presence"], fixture["presence"]);
  EXPECT_EQ(filter["account_data"], fixture["account_data"]);
  EXPECT_EQ(filter["room"]["ephemeral"], fixture["room"]["ephemeral"]);
  EXPECT_FALSE(filter["room"]["timeline"].contains("lazy_load_members"));
  // The bot's own replies are not sent back to it.
  EXPECT_EQ(filter["room"]["timeline"]["not_senders"], json::array({"@prik:example.com"}));
}

TEST(MatrixMessagesPage, ChunkIsNewestFirstAndEndIsWhereTheNextPageStarts) {
  const json body = {{"start", "t47429"},
                     {"end", "t47409"},
                     {"chunk",
                      {{{"type", "m.room.message"},
                        {"event_id", "$2"},
                        {"sender", "@a:b.c"},
                        {"content", {{"msgtype", "m.text"}, {"body", "two"}}}},
                       42,
                       {{"type", "m.room.message"},
                        {"event_id", "$1"},
                        {"sender", "@a:b.c"},
                        {"content", {{"msgtype", "m.text"}, {"body", "one"}}}}}}};
  const auto page = parse_messages(body.dump());
  ASSERT_TRUE(page) << page.error().to_string();
  EXPECT_EQ(page->end, "t47409");
  ASSERT_EQ(page->chunk.size(), 2u);
  EXPECT_EQ(page->chunk[0].body, "two");
  EXPECT_EQ(page->chunk[1].body, "one");

  const auto last = parse_messages(R"({"start":"t1","chunk":[]})");
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->end.empty());
  EXPECT_FALSE(parse_messages(R"({"start":"t1"})"));
  EXPECT_FALSE(parse_messages("[]"));
}

RoomEvent text_event(const std::string& event_id) {
  RoomEvent event;
  event.kind = RoomEvent::Kind::message;
  event.event_id = event_id;
  event.body = event_id;
  return event;
}

TEST(MatrixGap, GapGoesBeforeTheTimelineOldestFirstWithoutRepeatedEvents) {
  JoinedRoom room;
  room.timeline = {text_event("$5"), text_event("$6")};
  // As paged back: newest first, overlapping the timeline by $5 and repeating $3.
  fill_gap(room, {text_event("$5"), text_event("$4"), text_event("$3"), text_event("$3"),
                  text_event("$2")});
  std::vector<std::string> ids;
  for (const auto& event : room.timeline) ids.push_back(event.event_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"$2", "$3", "$4", "$5", "$6"}));
}

TEST(MatrixRoomLists, JoinedRoomsAndMembers) {
  const auto joined = parse_joined_rooms(R"({"joined_rooms":["!a:b.c",7,"!d:b.c"]})");
  ASSERT_TRUE(joined);
  EXPECT_EQ(*joined, (std::vector<std::string>{"!a:b.c", "!d:b.c"}));
  EXPECT_FALSE(parse_joined_rooms("{}"));

  const json members = {
      {"chunk",
       {{{"type", "m.room.member"},
         {"state_key", "@prik:b.c"},
         {"sender", "@prik:b.c"},
         {"content", {{"membership", "join"}}}},
        {{"type", "m.room.name"}, {"state_key", ""}, {"content", {{"name", "x"}}}},
        {{"type", "m.room.member"},
         {"state_key", "@carol:b.c"},
         {"sender", "@prik:b.c"},
         {"content", {{"membership", "invite"}}}}}}};
  const auto parsed = parse_members(members.dump());
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].state_key, "@carol:b.c");
  EXPECT_EQ((*parsed)[1].membership, "invite");
  EXPECT_FALSE(parse_members("[]"));
}

TEST(MatrixUsers, ServerOfAUserId) {
  EXPECT_EQ(server_of("@alice:example.org"), "example.org");
  EXPECT_EQ(server_of("@alice:example.org:8448"), "example.org:8448");
  EXPECT_EQ(server_of("alice:example.org"), "");
  EXPECT_EQ(server_of("@alice"), "");
  EXPECT_EQ(server_of("@:example.org"), "");
}

}  // namespace
}  // namespace prik::adapters::matrix
