#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/slack/blocks.hpp"
#include "adapters/slack/events.hpp"
#include "adapters/slack/verify.hpp"

namespace prik::adapters::slack {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string fixture_text(const std::string& name) {
  std::ifstream in(std::string(PRIK_SOURCE_DIR) + "/tests/slack/fixtures/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

json fixture(const std::string& name) { return json::parse(fixture_text(name)); }

// The tests edit their bodies as JSON values; parse_events_api reads the text Slack sends.
Parsed events_api(const json& body, const BotIdentity& self) {
  return parse_events_api(body.dump(), self);
}

// Slack's documented signature vector.
constexpr const char* kSecret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr const char* kTimestamp = "1531420618";
constexpr const char* kSignature =
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
constexpr const char* kBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
    "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";

std::chrono::system_clock::time_point at(std::int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

TEST(SlackSignature, DocumentedVectorIsGenuine) {
  EXPECT_EQ(std::string(kBody).size(), 362u);
  EXPECT_EQ(verify_signature(kSecret, kTimestamp, kSignature, kBody, at(1531420618 + 10)),
            Verdict::genuine);
  EXPECT_EQ(sign(kSecret, kTimestamp, kBody), kSignature);
}

TEST(SlackSignature, AlteredBodyIsRejected) {
  EXPECT_EQ(verify_signature(kSecret, kTimestamp, kSignature, std::string(kBody) + "------",
                             at(1531420618)),
            Verdict::bad_signature);
}

TEST(SlackSignature, RightSignatureWithTheRealClockIsStale) {
  EXPECT_EQ(
      verify_signature(kSecret, kTimestamp, kSignature, kBody, std::chrono::system_clock::now()),
      Verdict::stale_timestamp);
  EXPECT_EQ(verify_signature(kSecret, kTimestamp, kSignature, kBody, at(1531420618 - 301)),
            Verdict::stale_timestamp);
}

TEST(SlackSignature, MissingHeadersAreRejected) {
  EXPECT_EQ(verify_signature(kSecret, "", kSignature, kBody, at(1531420618)),
            Verdict::missing_header);
  EXPECT_EQ(verify_signature(kSecret, kTimestamp, "", kBody, at(1531420618)),
            Verdict::missing_header);
}

TEST(SlackSignature, MalformedTimestampAndTruncatedSignatureAreRejected) {
  EXPECT_EQ(verify_signature(kSecret, "15314x0618", kSignature, kBody, at(1531420618)),
            Verdict::malformed_timestamp);
  EXPECT_EQ(verify_signature(kSecret, kTimestamp, std::string(kSignature).substr(0, 20), kBody,
                             at(1531420618)),
            Verdict::bad_signature);
}

TEST(SlackSignature, TimestampsAtTheEndsOfTheirRangeAreStale) {
  for (const char* timestamp : {"-9223372036854775808", "9223372036854775807"}) {
    EXPECT_EQ(verify_signature(kSecret, timestamp, kSignature, kBody, at(1531420618)),
              Verdict::stale_timestamp);
  }
  EXPECT_EQ(verify_signature(kSecret, "9223372036854775808", kSignature, kBody, at(1531420618)),
            Verdict::malformed_timestamp);
}

TEST(SlackSignature, OneKeyVerifiesFromManyThreadsAtOnce) {
  const SigningKey key(kSecret);
  std::atomic<int> genuine = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (key.verify(kTimestamp, kSignature, kBody, at(1531420618)) == Verdict::genuine) {
          ++genuine;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(genuine, 800);
  EXPECT_EQ(key.verify(kTimestamp, kSignature, std::string(kBody) + " ", at(1531420618)),
            Verdict::bad_signature);
}

TEST(SlackSignature, AnEmptySecretIsAKeyLikeAnyOther) {
  const std::string signature = sign("", kTimestamp, kBody);
  EXPECT_EQ(signature.size(), 67u);
  EXPECT_NE(signature, kSignature);
  EXPECT_EQ(verify_signature("", kTimestamp, signature, kBody, at(1531420618)), Verdict::genuine);
}

TEST(SlackEvents, UrlVerificationYieldsTheChallenge) {
  auto parsed = events_api(fixture("url_verification.json"), {});
  ASSERT_TRUE(std::holds_alternative<UrlVerification>(parsed));
  EXPECT_EQ(std::get<UrlVerification>(parsed).challenge,
            "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
}

TEST(SlackEvents, DirectMessageBecomesAnIncomingFromTheUser) {
  auto parsed = events_api(fixture("event_message_im.json"), {"T123ABC456", "UBOT", "B1"});
  ASSERT_TRUE(std::holds_alternative<Received>(parsed));
  const auto& incoming = std::get<Received>(parsed).incoming;
  EXPECT_EQ(incoming.user, "slack:T123ABC456:U2147483697");
  EXPECT_EQ(incoming.conversation, "D024BE91L");
  EXPECT_TRUE(incoming.direct);
  EXPECT_EQ(incoming.text, "Hello hello can you hear me?");
  EXPECT_EQ(incoming.event_id, "Ev0PV52K21");
  EXPECT_TRUE(incoming.choice_id.empty());
}

TEST(SlackEvents, AppMentionDropsTheBotsOwnMentionFromTheText) {
  auto parsed = events_api(fixture("event_app_mention.json"), {"T123ABC456", "U0LAN0Z89", ""});
  ASSERT_TRUE(std::holds_alternative<Received>(parsed));
  const auto& incoming = std::get<Received>(parsed).incoming;
  EXPECT_EQ(incoming.user, "slack:T123ABC456:U061F7AUR");
  EXPECT_EQ(incoming.conversation, "C123ABC456");
  EXPECT_FALSE(incoming.direct);
  EXPECT_EQ(incoming.text, "is it everything a river should be?");
  EXPECT_TRUE(incoming.mentions.empty());
  EXPECT_EQ(incoming.event_id, "Ev123ABC456");
}

TEST(SlackEvents, OtherPeoplesMentionsBecomeUserRefs) {
  auto body = fixture("event_message_im.json");
  body["event"]["text"] = "ask <@U111> and <@U222|bo> &amp; <@U111> &lt;3";
  auto parsed = events_api(body, {});
  ASSERT_TRUE(std::holds_alternative<Received>(parsed));
  const auto& incoming = std::get<Received>(parsed).incoming;
  EXPECT_EQ(incoming.mentions,
            (std::vector<std::string>{"slack:T123ABC456:U111", "slack:T123ABC456:U222"}));
  EXPECT_EQ(incoming.text, "ask <@U111> and <@U222|bo> & <@U111> <3");
}

TEST(SlackEvents, BotMessagesAreIgnored) {
  EXPECT_TRUE(std::holds_alternative<Ignored>(
      events_api(fixture("event_message_from_bot.json"), {"T111", "UB111", "B999"})));
  auto im = fixture("event_message_im.json");
  im["event"]["bot_id"] = "B42";
  EXPECT_TRUE(std::holds_alternative<Ignored>(events_api(im, {})));
}

TEST(SlackEvents, TheBotsOwnUserIsIgnoredEvenWithoutBotId) {
  auto im = fixture("event_message_im.json");
  EXPECT_TRUE(std::holds_alternative<Ignored>(events_api(im, {"T123ABC456", "U2147483697", "B1"})));
}

TEST(SlackEvents, EditsDeletionsAndEverySubtypeAreIgnored) {
  for (const char* subtype : {"message_changed", "message_deleted", "channel_join", "file_share",
                              "thread_broadcast", "bot_message"}) {
    auto im = fixture("event_message_im.json");
    im["event"]["subtype"] = subtype;
    EXPECT_TRUE(std::holds_alternative<Ignored>(events_api(im, {}))) << subtype;
  }
  auto hidden = fixture("event_message_im.json");
  hidden["event"]["hidden"] = true;
  EXPECT_TRUE(std::holds_alternative<Ignored>(events_api(hidden, {})));
}

TEST(SlackEvents, ChannelMessagesWithoutAMentionAreIgnored) {
  auto message = fixture("event_message_im.json");
  message["event"]["channel_type"] = "channel";
  EXPECT_TRUE(std::holds_alternative<Ignored>(events_api(message, {})));
}

TEST(SlackEvents, MissingEventIdOrWrongShapesAreMalformed) {
  auto im = fixture("event_message_im.json");
  im.erase("event_id");
  EXPECT_TRUE(std::holds_alternative<Malformed>(events_api(im, {})));
  EXPECT_TRUE(std::holds_alternative<Malformed>(events_api(json::array(), {})));
  EXPECT_TRUE(std::holds_alternative<Malformed>(events_api(json{{"type", 3}}, {})));
  EXPECT_TRUE(std::holds_alternative<Malformed>(
      events_api(json{{"type", "event_callback"}, {"event", "x"}}, {})));
}

TEST(SlackEvents, TextThatIsNotOneJsonObjectIsMalformed) {
  const std::string im = fixture_text("event_message_im.json");
  for (const std::string& text : {std::string("{"), std::string(""), im + " {}", im + "x",
                                  std::string(R"({"type":"event_callback",})"),
                                  std::string("\"event_callback\""), std::string("[1, 2]")}) {
    EXPECT_TRUE(std::holds_alternative<Malformed>(parse_events_api(text, {}))) << text;
  }
  EXPECT_TRUE(std::holds_alternative<Received>(parse_events_api(im + " \n", {})));
}

TEST(SlackEvents, DeepBlocksAreReadAndBottomlessNestingIsMalformed) {
  const auto with_blocks_nested = [](std::size_t depth) {
    std::string body = fixture("event_message_im.json").dump();
    const std::string event = R"("event":{)";
    const auto start = body.find(event);
    EXPECT_NE(start, std::string::npos);
    body.insert(start + event.size(),
                R"("blocks":)" + std::string(depth, '[') + std::string(depth, ']') + ",");
    return body;
  };
  EXPECT_TRUE(std::holds_alternative<Received>(parse_events_api(with_blocks_nested(100), {})));
  const Parsed bottomless = parse_events_api(with_blocks_nested(100'000), {});
  ASSERT_TRUE(std::holds_alternative<Malformed>(bottomless));
  EXPECT_NE(std::get<Malformed>(bottomless).reason.find("invalid JSON"), std::string::npos);
}

TEST(SlackEvents, SlackWithholdingEventsIsIgnoredWithAWarning) {
  const auto parsed = events_api(json::parse(R"({"token":"x","type":"app_rate_limited",
      "team_id":"T123456","minute_rate_limited":1518467820,"api_app_id":"A123456"})"),
                                 {});
  ASSERT_TRUE(std::holds_alternative<Ignored>(parsed));
  const auto& ignored = std::get<Ignored>(parsed);
  EXPECT_TRUE(ignored.worth_a_warning);
  EXPECT_NE(ignored.reason.find("T123456"), std::string::npos) << ignored.reason;
  EXPECT_NE(ignored.reason.find("from 2018-02-12 20:37 UTC"), std::string::npos) << ignored.reason;
  const auto other = events_api(json::parse(R"({"type":"something_new"})"), {});
  ASSERT_TRUE(std::holds_alternative<Ignored>(other));
  EXPECT_FALSE(std::get<Ignored>(other).worth_a_warning);
}

TEST(SlackEvents, SocketModeEnvelopePayloadParsesLikeAnHttpBody) {
  auto envelope = fixture("socket_mode_envelope_events_api.json");
  auto parsed = events_api(envelope["payload"], {"T111", "U111", ""});
  ASSERT_TRUE(std::holds_alternative<Received>(parsed));
  EXPECT_EQ(std::get<Received>(parsed).incoming.user, "slack:T111:U222");
  EXPECT_EQ(std::get<Received>(parsed).incoming.text, "");
}

TEST(SlackInteractions, ButtonClickBecomesTheChoiceId) {
  auto parsed = parse_interaction(fixture("block_actions.json"));
  ASSERT_TRUE(std::holds_alternative<Received>(parsed));
  const auto& incoming = std::get<Received>(parsed).incoming;
  EXPECT_EQ(incoming.choice_id, "click_me_123");
  EXPECT_EQ(incoming.user, "slack:T111:W111");
  EXPECT_EQ(incoming.conversation, "C111");
  EXPECT_FALSE(incoming.direct);
  EXPECT_EQ(incoming.event_id, "slack-action:111.222.valid");
  EXPECT_TRUE(incoming.text.empty());
}

TEST(SlackInteractions, FormEncodedPayloadIsDecodedWithTheUrlLibrary) {
  const std::string payload = fixture("block_actions.json").dump();
  std::string encoded;
  for (unsigned char c : payload) {
    if (std::isalnum(c)) {
      encoded.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      encoded.push_back('+');
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      encoded += hex;
    }
  }
  auto parsed = parse_http_body("application/x-www-form-urlencoded", "payload=" + encoded, {});
  ASSERT_TRUE(std::holds_alternative<Received>(parsed));
  EXPECT_EQ(std::get<Received>(parsed).incoming.choice_id, "click_me_123");
}

TEST(SlackInteractions, OnlyAFormWithSslCheckOneAndNothingToActOnIsAnSslCheck) {
  constexpr std::string_view form = "application/x-www-form-urlencoded";
  EXPECT_TRUE(is_ssl_check(form, "ssl_check=1&token=abc"));
  EXPECT_TRUE(is_ssl_check("application/x-www-form-urlencoded; charset=utf-8", "ssl_check=1"));
  EXPECT_FALSE(is_ssl_check(form, "ssl_check=0&token=abc"));
  EXPECT_FALSE(is_ssl_check(form, "token=abc"));
  EXPECT_FALSE(is_ssl_check(form, "ssl_check=1&payload=%7B%7D"));
  EXPECT_FALSE(is_ssl_check(form, "ssl_check=1&command=%2Fprik"));
  EXPECT_FALSE(is_ssl_check("application/json", "ssl_check=1"));
}

TEST(SlackInteractions, ActionWithoutValueFallsBackToActionId) {
  auto payload = fixture("block_actions.json");
  payload["actions"][0].erase("value");
  auto parsed = parse_interaction(payload);
  ASSERT_TRUE(std::holds_alternative<Received>(parsed));
  EXPECT_EQ(std::get<Received>(parsed).incoming.choice_id, "a");
}

TEST(SlackInteractions, ClickOnAMessageCarriesTheMessageToMarkTheChoiceIn) {
  auto parsed = parse_interaction(fixture("block_actions_message.json"));
  ASSERT_TRUE(std::holds_alternative<Received>(parsed));
  const auto& received = std::get<Received>(parsed);
  EXPECT_EQ(received.incoming.choice_id, "menu.find");
  EXPECT_TRUE(received.incoming.direct);
  ASSERT_TRUE(received.clicked);
  EXPECT_EQ(received.clicked->channel, "D222");
  EXPECT_EQ(received.clicked->ts, "1700000001.000100");
  EXPECT_EQ(received.clicked->text, "Hvad vil du gerne?");
  EXPECT_EQ(received.clicked->label, "Find en rolle");
  EXPECT_EQ(received.clicked->blocks.size(), 2u);
}

TEST(SlackInteractions, ClickOnAnEphemeralMessageOrWithoutTheMessageHasNothingToMark) {
  auto ephemeral = parse_interaction(fixture("block_actions.json"));
  ASSERT_TRUE(std::holds_alternative<Received>(ephemeral));
  EXPECT_FALSE(std::get<Received>(ephemeral).clicked);

  auto payload = fixture("block_actions_message.json");
  payload.erase("message");
  auto without_message = parse_interaction(payload);
  ASSERT_TRUE(std::holds_alternative<Received>(without_message));
  EXPECT_FALSE(std::get<Received>(without_message).clicked);
}

TEST(SlackInteractions, OtherInteractionTypesAreIgnored) {
  auto payload = fixture("block_actions.json");
  payload["type"] = "view_submission";
  EXPECT_TRUE(std::holds_alternative<Ignored>(parse_interaction(payload)));
}

TEST(SlackSlashCommand, DocumentedBodyBecomesAnIncoming) {
  auto parsed = parse_http_body("application/x-www-form-urlencoded", kBody, {});
  ASSERT_TRUE(std::holds_alternative<Received>(parsed));
  const auto& incoming = std::get<Received>(parsed).incoming;
  EXPECT_EQ(incoming.user, "slack:T1DC2JH3J:U2CERLKJA");
  EXPECT_EQ(incoming.conversation, "G8PSS9T3V");
  EXPECT_EQ(incoming.text, "");
  EXPECT_EQ(incoming.event_id,
            "slack-command:398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");
}

TEST(SlackSlashCommand, TextWithPlusAndPercentEncodingIsDecoded) {
  auto parsed = parse_http_body(
      "application/x-www-form-urlencoded; charset=utf-8",
      "command=%2Fprik&text=hj%C3%A6lp+mig&user_id=U1&team_id=T1&channel_id=D1&trigger_id=t.1", {});
  ASSERT_TRUE(std::holds_alternative<Received>(parsed));
  EXPECT_EQ(std::get<Received>(parsed).incoming.text, "hjælp mig");
  EXPECT_TRUE(std::get<Received>(parsed).incoming.direct);
}

TEST(SlackHttpBody, UnknownContentTypesAndBrokenBodiesAreMalformed) {
  EXPECT_TRUE(std::holds_alternative<Malformed>(parse_http_body("text/plain", "hi", {})));
  EXPECT_TRUE(std::holds_alternative<Malformed>(parse_http_body("application/json", "{", {})));
  EXPECT_TRUE(std::holds_alternative<Malformed>(
      parse_http_body("application/x-www-form-urlencoded", "payload=%7B", {})));
  EXPECT_TRUE(std::holds_alternative<Malformed>(
      parse_http_body("application/x-www-form-urlencoded", "a=%zz", {})));
}

TEST(SlackUserRef, RoundTripsAndRejectsOtherPlatforms) {
  EXPECT_EQ(user_ref("T1", "U2"), "slack:T1:U2");
  EXPECT_EQ(split_user_ref("slack:T1:U2"), (std::pair<std::string, std::string>{"T1", "U2"}));
  EXPECT_FALSE(split_user_ref("matrix:@bo:example.org"));
  EXPECT_FALSE(split_user_ref("slack:T1"));
  EXPECT_FALSE(split_user_ref("slack::U2"));
}

TEST(SlackBlocks, TextAndChoicesBecomeASectionAndButtons) {
  auto body =
      render_message("Vil du hjælpe?", {{"menu.find", "Find en rolle"}, {"menu.stop", "Stop"}});
  EXPECT_EQ(body["text"], "Vil du hjælpe?");
  ASSERT_EQ(body["blocks"].size(), 2u);
  EXPECT_EQ(body["blocks"][0]["type"], "section");
  EXPECT_EQ(body["blocks"][0]["text"]["text"], "Vil du hjælpe?");
  const auto& buttons = body["blocks"][1]["elements"];
  ASSERT_EQ(buttons.size(), 2u);
  EXPECT_EQ(buttons[0]["action_id"], "menu.find");
  EXPECT_EQ(buttons[0]["value"], "menu.find");
  EXPECT_EQ(buttons[0]["text"]["text"], "Find en rolle");
}

TEST(SlackBlocks, LongTextIsSplitIntoSectionsOfAtMost3000Characters) {
  std::string text;
  while (text.size() < 9000) text += "Ærø og Åbenrå ";  // about 7400 characters
  auto body = render_message(text, {});
  ASSERT_GE(body["blocks"].size(), 3u);
  std::string joined;
  for (const auto& block : body["blocks"]) {
    const std::string piece = block["text"]["text"];
    EXPECT_EQ(shorten(piece, 3000, false), piece);
    joined += piece;
  }
  EXPECT_EQ(joined, text);
}

TEST(SlackBlocks, ManyChoicesAreSpreadOverActionsBlocksOf25) {
  std::vector<dialogs::Choice> choices;
  for (int i = 0; i < 60; ++i) choices.push_back({"role." + std::to_string(i), "Rolle"});
  auto body = render_message("Vælg", choices);
  ASSERT_EQ(body["blocks"].size(), 4u);
  EXPECT_EQ(body["blocks"][1]["elements"].size(), 25u);
  EXPECT_EQ(body["blocks"][2]["elements"].size(), 25u);
  EXPECT_EQ(body["blocks"][3]["elements"].size(), 10u);
}

TEST(SlackBlocks, LongLabelsAreShortenedTo75CharactersWithAnEllipsis) {
  const std::string label(100, 'x');
  auto body = render_message("?", {{"a", label}});
  const std::string shown = body["blocks"][1]["elements"][0]["text"]["text"];
  EXPECT_EQ(shown, std::string(74, 'x') + "\u2026");
}

TEST(SlackBlocks, MarkingAChoiceReplacesTheButtonsByTheChosenLabel) {
  const auto clicked = fixture("block_actions_message.json")["message"]["blocks"];
  auto blocks = clicked;
  blocks.push_back(clicked[1]);  // a second row of buttons
  const auto marked = mark_choice(blocks, "Find en rolle");
  ASSERT_EQ(marked.size(), 2u);
  EXPECT_EQ(marked[0]["type"], "section");
  EXPECT_EQ(marked[0]["text"], clicked[0]["text"]);
  EXPECT_FALSE(marked[0].contains("block_id"));
  EXPECT_EQ(marked[1]["type"], "context");
  ASSERT_EQ(marked[1]["elements"].size(), 1u);
  EXPECT_EQ(marked[1]["elements"][0]["type"], "plain_text");
  EXPECT_EQ(marked[1]["elements"][0]["text"], "\u2714 Find en rolle");
  EXPECT_EQ(mark_choice(json::object(), "x"), json::array());
}

TEST(SlackBlocks, MessageNeverExceeds50Blocks) {
  auto body = render_message(std::string(200'000, 'a'), {});
  EXPECT_EQ(body["blocks"].size(), 50u);
  EXPECT_EQ(shorten(body["text"].get<std::string>(), 4000, false), body["text"]);
}

}  // namespace
}  // namespace prik::adapters::slack
