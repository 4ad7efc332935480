// Random and hostile input from random steps: the engine never crashes, never dead-ends, and its
// state always stores. PRIK_DIALOGS_FUZZ_TURNS=<n> runs a longer campaign.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>

#include "tests/dialogs/chat.hpp"

namespace prik::dialogs::testing {
namespace {

constexpr int kDefaultTurns = 10000;

const std::vector<std::string> kStates = {"start",
                                          "menu",
                                          "browse",
                                          "details",
                                          "interview.interests",
                                          "interview.hours",
                                          "interview.about",
                                          "results",
                                          "apply.partner",
                                          "apply.words",
                                          "apply.confirm",
                                          "mine",
                                          "withdraw.confirm",
                                          "human.about",
                                          "nudge.who",
                                          "nudge.role",
                                          "nudge.confirm",
                                          "data",
                                          "data.delete.confirm",
                                          "no.such.state"};

const std::vector<std::string> kEntries = {"okonomiansvarlig",
                                           "teambuilder",
                                           "organisatorisk-leder",
                                           "demokratiudvikler",
                                           "sekretariatschef",
                                           "nope",
                                           ""};

const std::vector<std::string> kPhrases = {"",
                                           " ",
                                           "1",
                                           "2",
                                           "0",
                                           "-1",
                                           "99999999999999999999",
                                           "1, 3 og 5",
                                           "1 and 3",
                                           "nr 2",
                                           "2.",
                                           "ja",
                                           "nej",
                                           "yes",
                                           "no",
                                           "start forfra",
                                           "menu",
                                           "english",
                                           "dansk",
                                           "hjælp",
                                           "help",
                                           "økonomi",
                                           "OEKONOMI",
                                           "økonomiansvarlig",
                                           "fortæl om teambuilder",
                                           "spring over",
                                           "se alle roller",
                                           "mine ansøgninger",
                                           "{title}",
                                           "{{",
                                           "}",
                                           "😀🎉",
                                           "🇩🇰",
                                           "Привет мир",
                                           "مرحبا بالعالم",
                                           "你好世界",
                                           "e\xCC\x81",
                                           "\t\n\r",
                                           "<@U2>",
                                           "%s%s%n",
                                           "'; DROP TABLE x;--",
                                           "prik",
                                           "prik @bo",
                                           "nudge <@U2> teambuilder",
                                           "tap @",
                                           "prik @@@",
                                           "fortæl mere",
                                           "skriv aldrig igen",
                                           "jeg er med",
                                           "mine data",
                                           "slet mine data",
                                           "delete my data"};

const std::vector<std::string> kChoiceIds = {"menu.find",
                                             "menu.browse",
                                             "menu.nudge",
                                             "menu.mine",
                                             "menu.human",
                                             "nav.menu",
                                             "nav.browse",
                                             "apply.alone",
                                             "apply.pair",
                                             "apply.cancel",
                                             "confirm.yes",
                                             "confirm.no",
                                             "interview.done",
                                             "interview.skip",
                                             "human.skip",
                                             "hours.2",
                                             "hours.20",
                                             "hours.unsure",
                                             "hours.",
                                             "hours.x",
                                             "role.",
                                             "role.okonomiansvarlig",
                                             "role.sekretariatschef",
                                             "apply.role.",
                                             "apply.role.nope",
                                             "apply.role.teambuilder",
                                             "apply.role.demokratiudvikler",
                                             "withdraw.",
                                             "withdraw.teambuilder",
                                             "interest.",
                                             "interest.economy",
                                             "interest.nope",
                                             ".",
                                             "nudge.role.",
                                             "nudge.role.teambuilder",
                                             "nudge.role.nope",
                                             "nudge.general",
                                             "nudge.send.named",
                                             "nudge.send.anonymous",
                                             "nudge.cancel",
                                             "nudge.more",
                                             "nudge.no",
                                             "nudge.never",
                                             "partner.confirm",
                                             "partner.decline",
                                             "data.delete",
                                             "data.delete.yes",
                                             "data.delete.no",
                                             "\xFF\xFE"};

std::string random_bytes(std::mt19937& random, std::size_t size) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::string text(size, '\0');
  for (auto& c : text) c = static_cast<char>(byte(random));
  return text;
}

template <typename T>
const T& pick(std::mt19937& random, const std::vector<T>& items) {
  return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(random)];
}

Incoming random_incoming(std::mt19937& random, const Conversation& conversation, int turn) {
  Incoming incoming;
  incoming.user =
      turn % 7 == 0 ? random_bytes(random, 12) : "slack:T1:U" + std::to_string(turn % 5);
  incoming.conversation = turn % 11 == 0 ? random_bytes(random, 8) : "D1";
  incoming.event_id = "e" + std::to_string(turn);
  incoming.display_name = turn % 3 == 0 ? random_bytes(random, 20) : "Bo";
  incoming.locale = pick(random, std::vector<std::string>{"", "da-DK", "en", "x", "\xC3"});
  if (turn % 13 == 0) incoming.mentions = {random_bytes(random, 10)};
  switch (std::uniform_int_distribution<int>(0, 9)(random)) {
    case 0:
      incoming.text =
          random_bytes(random, std::uniform_int_distribution<std::size_t>(0, 300)(random));
      break;
    case 1:
      incoming.text = turn % 500 == 1 ? std::string(1 << 20, 'a') : random_bytes(random, 3000);
      break;
    case 2:
      incoming.choice_id = pick(random, kChoiceIds);
      break;
    case 3:
      if (!conversation.offered.empty()) incoming.choice_id = pick(random, conversation.offered);
      break;
    case 4:
      incoming.choice_id = random_bytes(random, 16);
      break;
    case 5:
      incoming.text = pick(random, kPhrases) + " " + pick(random, kPhrases);
      break;
    default:
      incoming.text = pick(random, kPhrases);
      break;
  }
  return incoming;
}

int turns() {
  const char* configured = std::getenv("PRIK_DIALOGS_FUZZ_TURNS");
  return configured ? std::max(1, std::atoi(configured)) : kDefaultTurns;
}

TEST(Robustness, RandomAndHostileInputFromRandomStepsAlwaysGetsAWayOn) {
  World world;
  world.view.add("slack:T1:U1", {{}, "teambuilder", ApplicationStatus::pending, {}, {}});
  world.view.add("slack:T1:U2", {{}, "okonomiansvarlig", ApplicationStatus::approved, "Bo", {}});
  std::mt19937 random(20171121);
  Conversation conversation;
  const int total = turns();
  for (int turn = 0; turn < total; ++turn) {
    if (turn % 17 == 0) {  // jump to a random step with random working data
      conversation.state = pick(random, kStates);
      conversation.entry_id = pick(random, kEntries);
      conversation.offered = {pick(random, kChoiceIds), pick(random, kChoiceIds)};
      if (turn % 34 == 0) conversation.partner = "Bo";
      // Someone who never writes: a friend's "no thanks" rightly ends without choices.
      if (turn % 51 == 0) conversation.nudge_friend = "slack:T1:U9";
    }
    const Incoming incoming = random_incoming(random, conversation, turn);
    const TurnResult result = handle_turn(conversation, incoming, world.context());
    ASSERT_FALSE(result.replies.empty()) << "turn " << turn << " state " << conversation.state;
    const bool has_choices =
        std::any_of(result.replies.begin(), result.replies.end(),
                    [](const Outgoing& reply) { return !reply.choices.empty(); });
    ASSERT_TRUE(has_choices) << "turn " << turn << " state " << conversation.state;
    for (const auto& reply : result.replies) {
      ASSERT_EQ(reply.to, incoming.user);
      ASSERT_FALSE(reply.text.empty());
    }
    // The state always stores, even after invalid UTF-8 came in.
    const std::string stored = result.conversation.to_json().dump();
    conversation = Conversation::from_json(nlohmann::json::parse(stored));
    ASSERT_EQ(conversation.state, result.conversation.state);
    world.view.apply(result.commands);
  }
}

}  // namespace
}  // namespace prik::dialogs::testing
