// Coordinator commands in chat: coverage, pending applications, approve and decline by text and by
// button, the volunteer's message, and a polite refusal for everyone else.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <variant>

#include "dialogs/coordinators.hpp"
#include "tests/dialogs/chat.hpp"

namespace prik::dialogs::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::chrono::days kDay{1};

class CoordinatorCommands : public ::testing::Test {
 protected:
  CoordinatorCommands() : world(coordinated_catalog(), shipped_texts(), test_now()) {
    add("A-00001", "okonomiansvarlig", "console:anna", "Anna",
        "Jeg elsker presse, at skrive og sociale medier", 4);
    ApplicationDetails pair =
        details("A-00002", "teambuilder", "console:bo", "Bo", "Vi laver gerne events", 1);
    pair.partner = "console:eva";
    pair.partner_status = PartnerStatus::confirmed;
    world.view.add(pair);
    add("A-00003", "faellesskaber", "", "", "", 6);  // the person deleted their data
    ApplicationDetails approved =
        details("A-00004", "kommunikationsansvarlig", "console:ida", "Ida", "Presse", 9);
    approved.status = ApplicationStatus::approved;
    world.view.add(approved);
    world.view.set_vacant_since("okonomiansvarlig", world.now - 20 * kDay);
    world.view.set_vacant_since("teambuilder", world.now - 3 * kDay);
    world.view.set_vacant_since("faellesskaber", world.now - 3 * kDay);
    // The coordinator is in the middle of something of their own.
    busy.state = "details";
    busy.entry_id = "teambuilder";
    busy.offered = {"apply.alone", "apply.pair", "nav.browse", "nav.menu"};
  }

  ApplicationDetails details(std::string id, std::string entry_id, UserRef user, std::string name,
                             std::string words, int days_ago) {
    ApplicationDetails application;
    application.id = std::move(id);
    application.entry_id = std::move(entry_id);
    application.user = std::move(user);
    application.display_name = std::move(name);
    application.words = std::move(words);
    application.submitted = world.now - days_ago * kDay;
    return application;
  }

  void add(std::string id, std::string entry_id, UserRef user, std::string name, std::string words,
           int days_ago) {
    world.view.add(details(std::move(id), std::move(entry_id), std::move(user), std::move(name),
                           std::move(words), days_ago));
  }

  TurnResult send(const UserRef& user, Incoming incoming, const Conversation& conversation,
                  const std::string& where = {}) {
    incoming.user = user;
    incoming.conversation = where.empty() ? "dm-" + user : where;
    incoming.direct = where.empty();
    TurnResult result = handle_turn(conversation, incoming, world.context());
    for (const auto& reply : result.replies) expect_rendered(reply);
    return result;
  }

  TurnResult say(const std::string& text, const UserRef& user = kOrganiserConsole,
                 const std::string& where = {}) {
    Incoming incoming;
    incoming.text = text;
    return send(user, incoming, busy, where);
  }

  TurnResult click(const std::string& choice_id, const UserRef& user = kOrganiserConsole) {
    Incoming incoming;
    incoming.choice_id = choice_id;
    return send(user, incoming, busy);
  }

  // The replies to the person who wrote, and the messages to anyone else.
  static std::string own_text(const TurnResult& result, const UserRef& user = kOrganiserConsole) {
    std::string text;
    for (const auto& reply : result.replies) {
      if (reply.to == user) text += reply.text + "\n";
    }
    return text;
  }
  static std::vector<Outgoing> to_others(const TurnResult& result,
                                         const UserRef& user = kOrganiserConsole) {
    std::vector<Outgoing> others;
    for (const auto& reply : result.replies) {
      if (reply.to != user) others.push_back(reply);
    }
    return others;
  }

  void expect_unchanged(const TurnResult& result) const {
    EXPECT_EQ(result.conversation.to_json(), busy.to_json());
  }

  World world;
  Conversation busy;
};

TEST_F(CoordinatorCommands, CoverageListsEveryRoleWithPlacesPendingAndDaysVacant) {
  for (const char* command : {"dækning", "Status", "daekning"}) {
    const auto result = say(command);
    ASSERT_EQ(result.replies.size(), 1u) << command;
    const std::string text = result.replies.front().text;
    EXPECT_THAT(text, HasSubstr("Dækning for Alternativet KV17 København"));
    EXPECT_THAT(text, HasSubstr("• Økonomiansvarlig: 0 af 1 pladser besat, 1 ansøgninger venter, "
                                "ledig i 20 dage"));
    EXPECT_THAT(text, HasSubstr("• Kommunikationsansvarlig: 1 af 1 pladser besat, 0 ansøgninger "
                                "venter\n"));
    EXPECT_THAT(text, HasSubstr("• Teambuilder(e): 0 af 1 pladser besat, 1 ansøgninger venter, "
                                "ledig i 3 dage"));
    EXPECT_THAT(text, HasSubstr("• Fællesskaber(e)"));
    EXPECT_THAT(text, Not(HasSubstr("Organisatorisk leder")));  // a lead is not applied for
    EXPECT_TRUE(result.commands.empty());
    expect_unchanged(result);
  }
}

TEST_F(CoordinatorCommands, CoverageInEnglish) {
  busy.language = Language::en;
  const std::string text = say("coverage").replies.at(0).text;
  EXPECT_THAT(text, HasSubstr("Coverage for The Alternative KV17 Copenhagen"));
  EXPECT_THAT(text, HasSubstr("• Treasurer: 0 of 1 places filled, 1 applications waiting, vacant "
                              "for 20 days"));
}

TEST_F(CoordinatorCommands, ApplicationsListThePendingOnesWithWhoWordsAndWaitingDays) {
  const auto result = say("ansøgninger");
  const std::string text = own_text(result);
  EXPECT_THAT(text, HasSubstr("• A-00001: Anna (anna) til Økonomiansvarlig, har ventet i 4 dage"));
  EXPECT_THAT(text, HasSubstr("«Jeg elsker presse, at skrive og sociale medier»"));
  EXPECT_THAT(text, HasSubstr("• A-00002: Bo (bo) sammen med eva (har bekræftet) til "
                              "Teambuilder(e), har ventet i 1 dage"));
  EXPECT_THAT(text, HasSubstr("• A-00003: en person, der har slettet sine data"));
  EXPECT_THAT(text, Not(HasSubstr("A-00004")));  // already approved
  EXPECT_THAT(text, HasSubstr("godkend <id>"));
  EXPECT_TRUE(result.commands.empty());
  expect_unchanged(result);
}

TEST_F(CoordinatorCommands, ApplicationsForOneRoleNamedLooselyInEitherLanguage) {
  for (const char* command :
       {"ansøgninger teambuilder", "applications team builder", "ansogninger teambuildr"}) {
    const std::string text = own_text(say(command));
    EXPECT_THAT(text, HasSubstr("A-00002")) << command;
    EXPECT_THAT(text, Not(HasSubstr("A-00001"))) << command;
  }
  EXPECT_THAT(own_text(say("applications treasurer")), HasSubstr("A-00001"));
  EXPECT_THAT(own_text(say("ansøgninger kommunikationsansvarlig")),
              HasSubstr("Ingen ansøgninger til Kommunikationsansvarlig venter på svar"));
  EXPECT_THAT(own_text(say("ansøgninger blomsterbinder")),
              HasSubstr("Jeg kender ikke en rolle, der hedder «blomsterbinder»"));
}

TEST_F(CoordinatorCommands, ApproveByTextFillsThePlaceAndTellsTheVolunteerWarmly) {
  const auto result = say("godkend a-1");
  ASSERT_EQ(result.commands.size(), 1u);
  const auto* approve = std::get_if<ApproveApplication>(&result.commands.front());
  ASSERT_NE(approve, nullptr);
  EXPECT_EQ(approve->by, kOrganiserConsole);
  EXPECT_EQ(approve->application_id, "A-00001");
  EXPECT_THAT(own_text(result), HasSubstr("Godkendt: Anna (anna) er nu Økonomiansvarlig"));
  EXPECT_EQ(result.replies.front().conversation, "dm-console:kim");

  const auto volunteer = to_others(result);
  ASSERT_EQ(volunteer.size(), 1u);
  EXPECT_EQ(volunteer.front().to, "console:anna");
  EXPECT_EQ(volunteer.front().conversation, "");
  EXPECT_THAT(volunteer.front().text,
              HasSubstr("godkendt som Økonomiansvarlig i Alternativet KV17 København"));
  EXPECT_THAT(volunteer.front().text, HasSubstr("En koordinator tager snart kontakt"));
  expect_unchanged(result);
}

TEST_F(CoordinatorCommands, TheVolunteerIsToldInTheirOwnLanguage) {
  world.view.set_language("console:anna", Language::en);
  const auto result = say("approve A-00001");
  ASSERT_EQ(result.commands.size(), 1u);
  const auto volunteer = to_others(result);
  ASSERT_EQ(volunteer.size(), 1u);
  EXPECT_THAT(volunteer.front().text,
              HasSubstr("approved as Treasurer in The Alternative KV17 Copenhagen"));
  EXPECT_THAT(own_text(result), HasSubstr("Godkendt"));  // the coordinator's own language
}

TEST_F(CoordinatorCommands, DeclineByTextPassesTheMessageAndSuggestsOtherRoles) {
  const auto result = say("afvis A-00001 Tak! Vi har desværre fundet en anden.");
  ASSERT_EQ(result.commands.size(), 1u);
  const auto* decline = std::get_if<DeclineApplication>(&result.commands.front());
  ASSERT_NE(decline, nullptr);
  EXPECT_EQ(decline->by, kOrganiserConsole);
  EXPECT_EQ(decline->application_id, "A-00001");
  EXPECT_EQ(decline->message, "Tak! Vi har desværre fundet en anden.");
  EXPECT_THAT(own_text(result), HasSubstr("Afvist: A-00001 fra Anna (anna) til Økonomiansvarlig"));

  const auto volunteer = to_others(result);
  ASSERT_EQ(volunteer.size(), 1u);
  EXPECT_EQ(volunteer.front().to, "console:anna");
  EXPECT_EQ(volunteer.front().conversation, "");
  const std::string text = volunteer.front().text;
  EXPECT_THAT(text, HasSubstr("Tak, fordi du søgte Økonomiansvarlig"));
  EXPECT_THAT(text, HasSubstr("Koordinatoren skriver: «Tak! Vi har desværre fundet en anden.»"));
  // Her words are about the press and writing: the communication role comes first.
  EXPECT_THAT(text, HasSubstr("Måske er en af de her roller noget for dig?"));
  EXPECT_THAT(text, HasSubstr("\n• Kommunikationsansvarlig"));
  EXPECT_THAT(text, Not(HasSubstr("• Økonomiansvarlig")));
  const auto suggested = std::count(text.begin(), text.end(), '\n') -
                         std::count(text.begin(), text.begin() + text.find("Måske"), '\n');
  EXPECT_GE(suggested, 1);
  EXPECT_LE(suggested, 3);
  expect_unchanged(result);
}

TEST_F(CoordinatorCommands, ButtonsApproveAndDeclineWithoutAskingMore) {
  const auto approved = click("coord.approve.A-00001");
  ASSERT_EQ(approved.commands.size(), 1u);
  EXPECT_EQ(std::get<ApproveApplication>(approved.commands.front()).application_id, "A-00001");
  EXPECT_EQ(to_others(approved).size(), 1u);

  const auto declined = click("coord.decline.A-00002");
  ASSERT_EQ(declined.commands.size(), 1u);
  const auto& decline = std::get<DeclineApplication>(declined.commands.front());
  EXPECT_EQ(decline.application_id, "A-00002");
  EXPECT_EQ(decline.message, "");
  const auto volunteer = to_others(declined);
  ASSERT_EQ(volunteer.size(), 1u);
  EXPECT_EQ(volunteer.front().to, "console:bo");
  EXPECT_THAT(volunteer.front().text, HasSubstr("Tak, fordi du søgte Teambuilder(e)"));
  EXPECT_THAT(volunteer.front().text, Not(HasSubstr("Koordinatoren skriver")));
  for (const auto& reply : declined.replies) EXPECT_TRUE(reply.choices.empty());
  expect_unchanged(declined);
}

TEST_F(CoordinatorCommands, AnApplicationNoLongerPendingOrUnknownGetsAClearAnswerAndNoCommand) {
  const auto answered = say("godkend A-00004");
  EXPECT_TRUE(answered.commands.empty());
  EXPECT_THAT(own_text(answered), HasSubstr("Ansøgning A-00004 er allerede godkendt."));
  EXPECT_TRUE(to_others(answered).empty());

  world.view.set_status("A-00002", ApplicationStatus::withdrawn);
  EXPECT_THAT(own_text(click("coord.decline.A-00002")),
              HasSubstr("Ansøgning A-00002 er trukket tilbage"));

  const auto unknown = say("afvis A-00099 nej tak");
  EXPECT_TRUE(unknown.commands.empty());
  EXPECT_THAT(own_text(unknown), HasSubstr("Jeg kan ikke finde en ansøgning med id A-00099"));
  EXPECT_THAT(own_text(click("coord.approve.bogus")),
              HasSubstr("Jeg kan ikke finde en ansøgning med id bogus"));

  const auto forgotten = say("godkend 3");
  EXPECT_TRUE(forgotten.commands.empty());
  EXPECT_THAT(own_text(forgotten), HasSubstr("ansøgning A-00003 har slettet sine data"));
  EXPECT_TRUE(to_others(forgotten).empty());

  EXPECT_THAT(own_text(say("godkend")), HasSubstr("Skriv også ansøgningens id"));
  expect_unchanged(say("godkend"));
}

TEST_F(CoordinatorCommands, WorkInTheCoordinatorsChannelForAnyoneThere) {
  const auto result = say("status", "slack:T1:UANYONE", "CORG");
  ASSERT_EQ(result.replies.size(), 1u);
  EXPECT_EQ(result.replies.front().conversation, "CORG");
  EXPECT_THAT(result.replies.front().text, HasSubstr("Dækning for"));

  const auto approved = say("godkend A-1", "slack:T1:UANYONE", "CORG");
  ASSERT_EQ(approved.commands.size(), 1u);
  EXPECT_EQ(std::get<ApproveApplication>(approved.commands.front()).by, "slack:T1:UANYONE");
}

TEST_F(CoordinatorCommands, AnyoneElseIsRefusedPolitelyAndNothingElseHappens) {
  const std::string refusal = world.texts.render(Language::da, "coord.refused");
  for (const char* command :
       {"godkend A-00001", "afvis a-2 nej", "dækning", "coverage", "ansøgninger teambuilder"}) {
    const auto result = say(command, "console:anna");
    EXPECT_TRUE(result.commands.empty()) << command;
    ASSERT_EQ(result.replies.size(), 2u) << command;
    EXPECT_EQ(result.replies.front().text, refusal);
    EXPECT_EQ(result.replies.back().to, "console:anna");
    EXPECT_EQ(last_choices(result), busy.offered) << command;  // the step they are at, again
    EXPECT_EQ(result.conversation.state, "details");
    EXPECT_EQ(result.conversation.entry_id, "teambuilder");
  }
  for (const char* button : {"coord.approve.A-00001", "coord.decline.A-00001"}) {
    const auto result = click(button, "console:anna");
    EXPECT_TRUE(result.commands.empty());
    ASSERT_EQ(result.replies.size(), 2u);
    EXPECT_EQ(result.replies.front().text, refusal);
  }
  // A coordinator's channel elsewhere does not make someone a coordinator here.
  EXPECT_TRUE(say("godkend A-00001", "console:anna", "CORG").commands.empty());
}

TEST_F(CoordinatorCommands, AVolunteersOwnWordsStillMeanWhatTheyMeantBefore) {
  // "status" and "ansøgninger" are how a volunteer asks for their own applications.
  busy = Conversation{};
  busy.state = "menu";
  busy.offered = {"menu.find", "menu.browse", "menu.nudge", "menu.mine", "menu.human"};
  for (const char* words : {"status", "ansøgninger"}) {
    const auto result = say(words, "console:anna");
    EXPECT_EQ(result.conversation.state, "mine") << words;
    EXPECT_THAT(all_text(result), Not(HasSubstr("kun kampagnens koordinatorer")));
  }
  // "Godkend" at the start of an application's words is just a word.
  busy.state = "apply.words";
  busy.offered = {"apply.cancel", "nav.menu"};
  const auto result = say("Godkend mig gerne, jeg er god til events", "console:anna");
  EXPECT_EQ(result.conversation.state, "apply.confirm");
  EXPECT_EQ(result.conversation.words, "Godkend mig gerne, jeg er god til events");
}

}  // namespace
}  // namespace prik::dialogs::testing
