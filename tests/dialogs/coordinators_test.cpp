// Coordinators' notices and daily digest: who hears about what, in which language, and what they
// are told.
#include "dialogs/coordinators.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/dialogs/chat.hpp"

namespace prik::dialogs::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr std::chrono::days kDay{1};

struct Coordinated : ::testing::Test {
  Coordinated() : world(coordinated_catalog(), shipped_texts(), test_now()) {}

  CoordinatorContext context(Language default_language = Language::da,
                             std::string campaign_id = kCampaign) const {
    return {world.catalog, world.texts, world.view, std::move(campaign_id), default_language};
  }

  ApplicationDetails application(std::string id, std::string entry_id, UserRef user,
                                 std::string name, std::string words) {
    ApplicationDetails details;
    details.id = std::move(id);
    details.entry_id = std::move(entry_id);
    details.user = std::move(user);
    details.display_name = std::move(name);
    details.words = std::move(words);
    details.submitted = world.now - kDay;
    return details;
  }

  World world;
};

// "to|conversation" of each message, for comparing where messages went.
std::vector<std::string> addresses(const std::vector<Outgoing>& messages) {
  std::vector<std::string> found;
  for (const auto& message : messages) found.push_back(message.to + "|" + message.conversation);
  return found;
}

const Outgoing& to(const std::vector<Outgoing>& messages, const std::string& who) {
  const auto found = std::find_if(messages.begin(), messages.end(),
                                  [&](const Outgoing& message) { return message.to == who; });
  if (found == messages.end()) {
    ADD_FAILURE() << "no message to " << who;
    static const Outgoing none;
    return none;
  }
  return *found;
}

std::vector<std::string> choice_ids(const Outgoing& message) {
  std::vector<std::string> ids;
  for (const auto& choice : message.choices) ids.push_back(choice.id);
  return ids;
}

TEST_F(Coordinated, ANewApplicationGoesToTheLeadTheRoleWorksUnderInDmsAndTheirChannel) {
  const auto messages =
      notify(ApplicationSubmitted{application("A-00017", "okonomiansvarlig", "slack:T1:UANNA",
                                              "Anna", "Jeg har styr på regnskaber.")},
             context());
  EXPECT_THAT(addresses(messages),
              UnorderedElementsAre("slack:T1:UKIM|", "console:kim|", "slack:CORG|CORG"));
  for (const auto& message : messages) {
    expect_rendered(message);
    EXPECT_THAT(message.text, HasSubstr("A-00017"));
    EXPECT_THAT(message.text, HasSubstr("Økonomiansvarlig"));
    EXPECT_THAT(message.text, HasSubstr("Anna (<@UANNA>)"));
    EXPECT_THAT(message.text, HasSubstr("Jeg har styr på regnskaber."));
    EXPECT_THAT(message.text, HasSubstr("godkend A-00017"));
    EXPECT_THAT(choice_ids(message),
                UnorderedElementsAre("coord.approve.A-00017", "coord.decline.A-00017"));
  }
}

TEST_F(Coordinated, ALeadWithNobodyPassesTheNoticeUpItsChain) {
  // The team builder works under the head of education, who has nobody and works under the
  // organisational lead.
  const auto messages =
      notify(ApplicationSubmitted{application("A-00002", "teambuilder", "console:bo", "", "Hej")},
             context());
  EXPECT_THAT(addresses(messages),
              UnorderedElementsAre("slack:T1:UKIM|", "console:kim|", "slack:CORG|CORG"));
  EXPECT_THAT(messages.front().text, HasSubstr("bo"));
}

TEST_F(Coordinated, TheTopOfTheChainIsTheCampaignsFallback) {
  const auto direct = notify(
      ApplicationSubmitted{application("A-00003", "faellesskaber", "console:bo", "Bo", "Fest!")},
      context());
  EXPECT_THAT(addresses(direct),
              UnorderedElementsAre("console:group|", "slack:T1:UKIM|",
                                   "matrix:!coord:example.org|!coord:example.org"));

  world.catalog.campaigns.at(0).coordinators.erase("organisatorisk-leder");
  const auto passed_up =
      notify(ApplicationSubmitted{application("A-00004", "teambuilder", "console:bo", "Bo", "Hej")},
             context());
  EXPECT_THAT(addresses(passed_up),
              UnorderedElementsAre("console:group|", "slack:T1:UKIM|",
                                   "matrix:!coord:example.org|!coord:example.org"));
}

TEST_F(Coordinated, NobodyConfiguredMeansNoMessages) {
  World plain;
  const CoordinatorContext bare{plain.catalog, plain.texts, plain.view, kCampaign, Language::da};
  EXPECT_TRUE(notify(ApplicationSubmitted{application("A-00001", "okonomiansvarlig", "console:bo",
                                                      "Bo", "Hej")},
                     bare)
                  .empty());
  EXPECT_TRUE(daily_digest(bare, {}, plain.now).empty());
}

TEST_F(Coordinated, APersonListedTwiceInARouteGetsOneMessage) {
  auto& route = world.catalog.campaigns.at(0).coordinators["organisatorisk-leder"];
  route.users.push_back(kOrganiserConsole);
  const auto messages = notify(
      ApplicationWithdrawn{application("A-00005", "okonomiansvarlig", "console:bo", "Bo", "x")},
      context());
  EXPECT_EQ(std::count_if(messages.begin(), messages.end(),
                          [](const Outgoing& message) { return message.to == kOrganiserConsole; }),
            1);
}

TEST_F(Coordinated, EachCoordinatorIsWrittenToInTheirOwnLanguageChannelsInTheDefault) {
  world.view.set_language(kOrganiserSlack, Language::en);
  const ApplicationDetails details =
      application("A-00006", "okonomiansvarlig", "console:bo", "Bo", "Tal er sjove");
  const auto messages = notify(ApplicationSubmitted{details}, context());
  EXPECT_THAT(to(messages, kOrganiserSlack).text, HasSubstr("New application A-00006"));
  EXPECT_THAT(to(messages, kOrganiserSlack).text, HasSubstr("Treasurer"));
  EXPECT_EQ(to(messages, kOrganiserSlack).choices.front().label, "Approve");
  EXPECT_THAT(to(messages, kOrganiserConsole).text, HasSubstr("Ny ansøgning A-00006"));
  EXPECT_THAT(to(messages, kOrganiserChannel).text, HasSubstr("Ny ansøgning A-00006"));

  const auto english = notify(ApplicationSubmitted{details}, context(Language::en));
  EXPECT_THAT(to(english, kOrganiserConsole).text, HasSubstr("New application A-00006"));
  EXPECT_THAT(to(english, kOrganiserChannel).text, HasSubstr("New application A-00006"));
}

TEST_F(Coordinated, APairApplicationShowsThePartnerAndTheirAnswer) {
  ApplicationDetails details =
      application("A-00007", "teambuilder", "slack:T1:UANNA", "Anna", "Vi er et godt hold");
  details.partner = "slack:T1:UBO";
  details.partner_status = PartnerStatus::waiting;
  const auto submitted = notify(ApplicationSubmitted{details}, context());
  EXPECT_THAT(to(submitted, kOrganiserConsole).text,
              HasSubstr("sammen med <@UBO> (har ikke bekræftet endnu)"));

  details.partner_status = PartnerStatus::confirmed;
  const auto confirmed = notify(PartnerConfirmed{details}, context());
  const Outgoing& message = to(confirmed, kOrganiserConsole);
  expect_rendered(message);
  EXPECT_THAT(message.text, HasSubstr("<@UBO> (har bekræftet)"));
  EXPECT_THAT(message.text, HasSubstr("Teambuilder(e)"));
  EXPECT_THAT(choice_ids(message),
              UnorderedElementsAre("coord.approve.A-00007", "coord.decline.A-00007"));

  details.partner = "min søster Eva";
  details.partner_status = PartnerStatus::none;
  EXPECT_THAT(to(notify(ApplicationSubmitted{details}, context()), kOrganiserConsole).text,
              HasSubstr("sammen med min søster Eva:"));
}

TEST_F(Coordinated, AWithdrawalIsToldWithoutButtons) {
  ApplicationDetails details =
      application("A-00008", "okonomiansvarlig", "console:bo", "Bo", "Tal er sjove");
  details.status = ApplicationStatus::withdrawn;
  const auto messages = notify(ApplicationWithdrawn{details}, context());
  ASSERT_EQ(messages.size(), 3u);
  for (const auto& message : messages) {
    expect_rendered(message);
    EXPECT_THAT(message.text, HasSubstr("Bo (bo) har trukket ansøgningen A-00008"));
    EXPECT_TRUE(message.choices.empty());
  }
}

TEST_F(Coordinated, ANudgedFriendWhoWantsMoreIsToldWithoutTheNudger) {
  NudgeSummary nudge;
  nudge.id = "N-00004";
  nudge.from = "console:secret-sender";
  nudge.from_name = "Hemmelig Afsender";
  nudge.to = "slack:T1:UFRIEND";
  nudge.entry_id = "kommunikationsansvarlig";
  nudge.named = true;
  const auto messages = notify(NudgeInterest{nudge, "Frida"}, context());
  ASSERT_EQ(messages.size(), 3u);
  for (const auto& message : messages) {
    expect_rendered(message);
    EXPECT_THAT(message.text, HasSubstr("Frida (<@UFRIEND>)"));
    EXPECT_THAT(message.text, HasSubstr("Kommunikationsansvarlig"));
    EXPECT_THAT(message.text, Not(HasSubstr("Hemmelig")));
    EXPECT_THAT(message.text, Not(HasSubstr("secret-sender")));
  }

  nudge.entry_id.clear();  // about the campaign in general: the fallback hears of it
  const auto general = notify(NudgeInterest{nudge, ""}, context());
  EXPECT_THAT(addresses(general),
              UnorderedElementsAre("console:group|", "slack:T1:UKIM|",
                                   "matrix:!coord:example.org|!coord:example.org"));
  EXPECT_THAT(general.front().text, HasSubstr("<@UFRIEND>"));
}

TEST_F(Coordinated, ARequestForAHumanGoesToTheFallbackWithAWayToReachThePerson) {
  HumanRequested request{{"H-00003", "Kan jeg hjælpe med plakater?", world.now, "open"},
                         "slack:T1:UANNA",
                         "Anna",
                         "D0DM"};
  const auto messages = notify(request, context());
  EXPECT_THAT(addresses(messages),
              UnorderedElementsAre("console:group|", "slack:T1:UKIM|",
                                   "matrix:!coord:example.org|!coord:example.org"));
  const Outgoing& message = to(messages, kGroupConsole);
  expect_rendered(message);
  EXPECT_THAT(message.text, HasSubstr("Anna (<@UANNA>)"));
  EXPECT_THAT(message.text, HasSubstr("H-00003"));
  EXPECT_THAT(message.text, HasSubstr("Kan jeg hjælpe med plakater?"));
  EXPECT_THAT(message.text, HasSubstr("Skriv direkte til <@UANNA>."));

  request.conversation = "C0PUBLIC";
  request.handoff.words.clear();
  const auto in_channel = notify(request, context());
  EXPECT_THAT(to(in_channel, kGroupConsole).text, HasSubstr("<#C0PUBLIC>"));
  expect_rendered(to(in_channel, kGroupConsole));

  request.user = "matrix:@anna:example.org";
  request.conversation = "!room:example.org";
  EXPECT_THAT(to(notify(request, context()), kGroupConsole).text,
              HasSubstr("Skriv direkte til @anna:example.org, eller svar i !room:example.org."));
}

TEST_F(Coordinated, KnowsItsCoordinatorsAndTheirChannels) {
  const Catalog& catalog = world.catalog;
  EXPECT_TRUE(is_coordinator(catalog, kOrganiserSlack, "D0DM"));
  EXPECT_TRUE(is_coordinator(catalog, kOrganiserConsole, "console"));
  EXPECT_TRUE(is_coordinator(catalog, kGroupConsole, ""));
  EXPECT_TRUE(is_coordinator(catalog, kSecretariatConsole, ""));
  EXPECT_TRUE(is_coordinator(catalog, "slack:T1:UANYONE", "CORG"));
  EXPECT_TRUE(is_coordinator(catalog, "matrix:@someone:example.org", "!coord:example.org"));
  EXPECT_FALSE(is_coordinator(catalog, "console:anna", ""));
  EXPECT_FALSE(is_coordinator(catalog, "slack:T1:UANYONE", "D0DM"));
  EXPECT_FALSE(is_coordinator(catalog, "console:CORG", "CORG"));  // another platform's channel
  EXPECT_FALSE(is_coordinator(catalog, "", ""));
  EXPECT_FALSE(is_coordinator(test_catalog(), kOrganiserSlack, "CORG"));
}

class Digest : public Coordinated {
 protected:
  void SetUp() override {
    // Vacant long enough: the treasurer (organisational lead) and the community builder
    // (fallback); not long enough: the communication coordinator.
    world.view.set_vacant_since("okonomiansvarlig", world.now - 20 * kDay);
    world.view.set_vacant_since("faellesskaber", world.now - 30 * kDay);
    world.view.set_vacant_since("kommunikationsansvarlig", world.now - 10 * kDay);
    ApplicationDetails waiting =
        application("A-00011", "teambuilder", "console:bo", "Bo", "Jeg elsker events");
    waiting.submitted = world.now - 5 * kDay;
    world.view.add(waiting);
    ApplicationDetails fresh =
        application("A-00012", "okonomiansvarlig", "console:eva", "Eva", "Jeg kan regne");
    fresh.submitted = world.now - 2 * kDay;
    world.view.add(fresh);
    ApplicationDetails answered =
        application("A-00013", "kommunikationsansvarlig", "console:ida", "Ida", "Presse");
    answered.submitted = world.now - 9 * kDay;
    answered.status = ApplicationStatus::approved;
    world.view.add(answered);
    ApplicationDetails forgotten = application("A-00014", "faellesskaber", "", "", "");
    forgotten.submitted = world.now - 6 * kDay;
    world.view.add(forgotten);
  }
};

TEST_F(Digest, EachLeadHearsOfItsOwnRolesAndTheFallbackOfEverything) {
  const auto messages = daily_digest(context(), {}, world.now);
  // The Slack user in both the lead's route and the fallback gets one message.
  EXPECT_THAT(
      addresses(messages),
      UnorderedElementsAre("slack:T1:UKIM|", "console:kim|", "slack:CORG|CORG", "console:group|",
                           "matrix:!coord:example.org|!coord:example.org"));
  for (const auto& message : messages) {
    expect_rendered(message);
    EXPECT_TRUE(message.choices.empty());
  }

  const std::string lead = to(messages, kOrganiserConsole).text;
  EXPECT_THAT(lead, HasSubstr("Alternativet KV17 København"));
  EXPECT_THAT(lead, HasSubstr("• Økonomiansvarlig: ledig i 20 dage (0 af 1 pladser besat)"));
  EXPECT_THAT(lead, HasSubstr("• A-00011: Bo (bo) til Teambuilder(e), har ventet i 5 dage"));
  EXPECT_THAT(lead, Not(HasSubstr("Kommunikationsansvarlig")));  // 10 days: not yet
  EXPECT_THAT(lead, Not(HasSubstr("A-00012")));                  // 2 days: not yet
  EXPECT_THAT(lead, Not(HasSubstr("A-00013")));                  // answered
  EXPECT_THAT(lead, Not(HasSubstr("Fællesskaber(e)")));          // the fallback's
  EXPECT_THAT(lead, Not(HasSubstr("A-00014")));
  EXPECT_EQ(to(messages, kOrganiserChannel).text, lead);

  for (const char* everything : {kGroupConsole, kOrganiserSlack, kGroupRoom}) {
    const std::string text = to(messages, everything).text;
    EXPECT_THAT(text, HasSubstr("Økonomiansvarlig: ledig i 20 dage"));
    EXPECT_THAT(text, HasSubstr("Fællesskaber(e): ledig i 30 dage"));
    EXPECT_THAT(text, HasSubstr("A-00011"));
    EXPECT_THAT(text, HasSubstr("A-00014: en person, der har slettet sine data"));
    EXPECT_THAT(text, Not(HasSubstr("A-00012")));
  }
}

TEST_F(Digest, ThresholdsComeFromTheRules) {
  const auto messages = daily_digest(context(), {.vacant_days = 5, .waiting_days = 1}, world.now);
  const std::string lead = to(messages, kOrganiserConsole).text;
  EXPECT_THAT(lead, HasSubstr("Kommunikationsansvarlig: ledig i 10 dage"));
  EXPECT_THAT(lead, HasSubstr("A-00012: Eva (eva) til Økonomiansvarlig, har ventet i 2 dage"));

  const auto quiet = daily_digest(context(), {.vacant_days = 60, .waiting_days = 60}, world.now);
  EXPECT_TRUE(quiet.empty());  // nothing to report: no message at all
}

TEST_F(Digest, WrittenInEachCoordinatorsLanguage) {
  world.view.set_language(kOrganiserConsole, Language::en);
  const auto messages = daily_digest(context(), {}, world.now);
  const std::string english = to(messages, kOrganiserConsole).text;
  EXPECT_THAT(english, HasSubstr("The Alternative KV17 Copenhagen"));
  EXPECT_THAT(english, HasSubstr("• Treasurer: vacant for 20 days (0 of 1 places filled)"));
  EXPECT_THAT(english, HasSubstr("A-00011: Bo (bo) for Team builder(s), waiting for 5 days"));
  EXPECT_THAT(to(messages, kGroupConsole).text, HasSubstr("Økonomiansvarlig"));
}

TEST_F(Digest, PositionsWithADeadlineWithinAWeekGoToTheFallback) {
  using namespace std::chrono;
  const auto far = daily_digest(context(Language::da, "landssekretariatet"), {}, world.now);
  EXPECT_TRUE(far.empty());  // 5 January is more than a week away from 23 November

  const sys_seconds new_year = sys_days{year{2027} / January / 1} + hours{8};
  const auto near = daily_digest(context(Language::da, "landssekretariatet"), {}, new_year);
  ASSERT_EQ(near.size(), 1u);
  EXPECT_EQ(near.front().to, kSecretariatConsole);
  expect_rendered(near.front());
  EXPECT_THAT(near.front().text, HasSubstr("• Demokratiudvikler: frist 2027-01-05"));
  EXPECT_THAT(near.front().text, Not(HasSubstr("Sekretariatschef")));  // long closed

  const sys_seconds after = sys_days{year{2027} / January / 6};
  EXPECT_TRUE(daily_digest(context(Language::da, "landssekretariatet"), {}, after).empty());
}

}  // namespace
}  // namespace prik::dialogs::testing
