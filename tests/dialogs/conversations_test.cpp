// Whole conversations through the engine, in Danish and English.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <variant>

#include "tests/dialogs/chat.hpp"

namespace prik::dialogs::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string render(const World& world, Language language, std::string_view key,
                   const Params& params = {}) {
  return world.texts.render(language, key, params);
}

// Opens a role from a fresh conversation, applies alone and writes the words; the summary waits
// for a yes.
void write_application(Chat& chat, const std::string& entry_id, const std::string& words) {
  chat.say("hej");
  chat.click("role." + entry_id);
  chat.click("apply.alone");
  chat.say(words);
  EXPECT_EQ(chat.conversation().state, "apply.confirm");
}

TEST(Conversations, FirstContactWelcomesByNameAndShowsTheMenuInDanish) {
  World world;
  Chat chat(world);
  const auto result = chat.say("hej");
  EXPECT_THAT(all_text(result), HasSubstr("Anna"));
  EXPECT_THAT(all_text(result), HasSubstr("Alternativet KV17 København"));
  EXPECT_EQ(last_choices(result),
            (std::vector<std::string>{"menu.find", "menu.browse", "menu.nudge", "menu.mine",
                                      "menu.human"}));
  EXPECT_EQ(chat.conversation().language, Language::da);
}

TEST(Conversations, FirstContactTakesTheLanguageFromTheLocale) {
  World world;
  Chat chat(world, "slack:T1:U1", "en-US");
  const auto result = chat.say("hello");
  EXPECT_THAT(all_text(result), HasSubstr("The Alternative KV17 Copenhagen"));
  EXPECT_EQ(chat.conversation().language, Language::en);
}

TEST(Conversations, FirstContactFallsBackToTheDefaultLanguage) {
  World world;
  Incoming incoming{"console:bo", "console", true, "hi", "", "e1", "", "fr-FR", {}};
  const auto result = handle_turn({}, incoming, world.context(Language::en));
  EXPECT_EQ(result.conversation.language, Language::en);
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::en, "menu.prompt")));
}

TEST(Conversations, TheWelcomeSaysHowToSwitchLanguage) {
  World world;
  Chat danish(world);
  EXPECT_THAT(all_text(danish.say("hej")), HasSubstr("\"english\""));
  Chat english(world, "slack:T1:U1", "en-US");
  EXPECT_THAT(all_text(english.say("hello")), HasSubstr("\"dansk\""));
}

TEST(Conversations, AVolunteersOwnWordsAtTheMenuStartTheSearchForARole) {
  World world;
  for (const std::string words :
       {"jeg vil gerne hjælpe", "Jeg vil gerne være frivillig!", "hvad kan jeg lave?",
        "I want to volunteer", "hi, I'd like to help out", "What can I do?"}) {
    Chat chat(world);
    chat.say("hej");
    const auto result = chat.say(words);
    EXPECT_EQ(chat.conversation().state, "interview.interests") << words;
    EXPECT_THAT(all_text(result), Not(HasSubstr(render(world, Language::da, "not_understood"))))
        << words;
  }
}

TEST(Conversations, FindARoleThenApplyAndConfirmInDanish) {
  World world;
  Chat chat(world);
  chat.say("hej");
  auto result = chat.say("1");
  EXPECT_EQ(chat.conversation().state, "interview.interests");
  EXPECT_TRUE(offers(result, "interest.economy"));
  result = chat.say("okonomi");
  EXPECT_EQ(chat.conversation().interests, std::vector<std::string>{"economy"});
  EXPECT_TRUE(offers(result, "hours.5"));
  result = chat.say("nr 2");
  EXPECT_EQ(chat.conversation().hours_per_week, 5);
  EXPECT_TRUE(offers(result, "interview.skip"));
  result = chat.say("Jeg er revisor og elsker budgetter og regnskab");
  EXPECT_EQ(chat.conversation().state, "results");
  EXPECT_THAT(all_text(result), HasSubstr("Økonomiansvarlig"));
  ASSERT_TRUE(offers(result, "apply.role.okonomiansvarlig"));
  result = chat.click("apply.role.okonomiansvarlig");
  EXPECT_EQ(chat.conversation().state, "apply.words");
  result = chat.say("Jeg har styr på tal og vil gerne hjælpe kampagnen.");
  EXPECT_THAT(all_text(result), HasSubstr("Jeg har styr på tal"));
  EXPECT_TRUE(offers(result, "confirm.yes"));
  result = chat.say("Ja");
  const auto submitted = commands_of<SubmitApplication>(result);
  ASSERT_EQ(submitted.size(), 1u);
  EXPECT_EQ(submitted[0].user, chat.user());
  EXPECT_EQ(submitted[0].display_name, "Anna");
  EXPECT_EQ(submitted[0].entry_id, "okonomiansvarlig");
  EXPECT_EQ(submitted[0].words, "Jeg har styr på tal og vil gerne hjælpe kampagnen.");
  EXPECT_FALSE(submitted[0].partner);
  EXPECT_THAT(all_text(result), HasSubstr("koordinator"));
  EXPECT_EQ(chat.conversation().state, "menu");
}

TEST(Conversations, FindARoleThenApplyAndConfirmInEnglish) {
  World world;
  Chat chat(world, "matrix:@bo:example.org", "en-GB");
  chat.say("hello");
  auto result = chat.say("find a role that suits me");
  EXPECT_THAT(all_text(result), HasSubstr("What would you like to work with?"));
  result = chat.say("communication");
  EXPECT_EQ(chat.conversation().interests, std::vector<std::string>{"communication"});
  result = chat.say("3-5 hours a week");
  EXPECT_EQ(chat.conversation().hours_per_week, 5);
  result = chat.say("skip");
  EXPECT_THAT(all_text(result), HasSubstr("Communication coordinator"));
  ASSERT_TRUE(offers(result, "role.kommunikationsansvarlig"));
  result = chat.click("role.kommunikationsansvarlig");
  EXPECT_THAT(all_text(result), HasSubstr("Plan internal communication"));
  result = chat.say("apply");
  EXPECT_EQ(chat.conversation().state, "apply.words");
  result = chat.say("I write a lot and love it.");
  result = chat.say("yes");
  const auto submitted = commands_of<SubmitApplication>(result);
  ASSERT_EQ(submitted.size(), 1u);
  EXPECT_EQ(submitted[0].entry_id, "kommunikationsansvarlig");
  EXPECT_THAT(all_text(result), HasSubstr("will get in touch"));
}

TEST(Conversations, BrowseThenDetailsThenApplyAsAPairWithAMention) {
  World world;
  Chat chat(world, "slack:T1:U1");
  chat.say("hej");
  auto result = chat.say("se alle roller");
  EXPECT_EQ(chat.conversation().state, "browse");
  EXPECT_THAT(all_text(result), HasSubstr("Økonomiansvarlig"));
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "status.vacant")));
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "browse.positions")));
  EXPECT_THAT(all_text(result), HasSubstr("Demokratiudvikler"));
  result = chat.say("økonomiansvarlig");
  EXPECT_EQ(chat.conversation().state, "details");
  EXPECT_THAT(all_text(result), HasSubstr("Sikrer at budgettet bliver overholdt."));
  EXPECT_THAT(all_text(result), HasSubstr("Oprettelse af konto"));
  EXPECT_THAT(all_text(result), HasSubstr("Fast opfølgning på budgettet"));
  EXPECT_THAT(all_text(result), HasSubstr("Organisatorisk leder"));
  EXPECT_THAT(all_text(result), HasSubstr("2-5"));
  EXPECT_TRUE(offers(result, "apply.pair"));
  result = chat.click("apply.pair");
  EXPECT_EQ(chat.conversation().state, "apply.partner");
  Incoming mention;
  mention.text = "<@U2>";
  mention.mentions = {"slack:T1:U2"};
  result = chat.send(mention);
  EXPECT_EQ(chat.conversation().state, "apply.words");
  result = chat.say("Vi har lavet regnskab for en forening sammen.");
  EXPECT_THAT(all_text(result), HasSubstr("<@U2>"));
  result = chat.click("confirm.yes");
  const auto submitted = commands_of<SubmitApplication>(result);
  ASSERT_EQ(submitted.size(), 1u);
  EXPECT_EQ(submitted[0].partner, "slack:T1:U2");
  EXPECT_EQ(submitted[0].entry_id, "okonomiansvarlig");
}

TEST(Conversations, ApplyAsAPairWithATypedName) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("role.teambuilder");
  chat.click("apply.pair");
  chat.say("Bo Jensen");
  chat.say("Vi elsker at lave events.");
  const auto result = chat.say("ja tak");
  const auto submitted = commands_of<SubmitApplication>(result);
  ASSERT_EQ(submitted.size(), 1u);
  EXPECT_EQ(submitted[0].partner, "Bo Jensen");
  EXPECT_THAT(all_text(result), HasSubstr("Bo Jensen"));
}

TEST(Conversations, BrowseShowsApplicantsAndFilledRoles) {
  World world;
  world.view.add("console:x", {{}, "okonomiansvarlig", ApplicationStatus::pending, {}, {}});
  world.view.add("console:y", {{}, "kommunikationsansvarlig", ApplicationStatus::approved, {}, {}});
  Chat chat(world);
  chat.say("hej");
  const auto text = all_text(chat.click("menu.browse"));
  EXPECT_THAT(text, HasSubstr(render(world, Language::da, "status.applicants", {{"count", "1"}})));
  EXPECT_THAT(text, HasSubstr(render(world, Language::da, "status.filled")));
}

// The adapters number the choices; a numbered list in the text would show every role twice.
bool has_numbered_line(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t digits = start;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits > start && text.compare(digits, 2, ". ") == 0) return true;
    const auto end = text.find('\n', start);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

TEST(Conversations, BrowseAndResultsLeaveTheNumberingToTheChoices) {
  World world;
  Chat chat(world);
  chat.say("hej");
  auto result = chat.click("menu.browse");
  EXPECT_FALSE(has_numbered_line(all_text(result))) << all_text(result);
  EXPECT_TRUE(offers(result, "role.okonomiansvarlig"));
  chat.click("nav.menu");
  chat.click("menu.find");
  chat.click("interest.economy");
  chat.click("interview.done");
  chat.click("hours.5");
  result = chat.say("Jeg er revisor og elsker budgetter og regnskab");
  ASSERT_EQ(chat.conversation().state, "results");
  EXPECT_FALSE(has_numbered_line(all_text(result))) << all_text(result);
  EXPECT_THAT(all_text(result), HasSubstr("Økonomiansvarlig"));
  EXPECT_TRUE(offers(result, "role.okonomiansvarlig"));
}

TEST(Conversations, ARoleWithoutALeadWorksWithEveryone) {
  World world;
  Chat chat(world);
  chat.say("hej");
  const auto result = chat.click("role.faellesskaber");
  EXPECT_THAT(all_text(result), HasSubstr("lidt rundt om, nedenunder"));
}

TEST(Conversations, WithdrawAnApplicationAfterConfirming) {
  World world;
  world.view.add("console:anna", {{}, "teambuilder", ApplicationStatus::pending, {}, {}});
  Chat chat(world);
  chat.say("hej");
  auto result = chat.say("mine ansøgninger");
  EXPECT_THAT(all_text(result), HasSubstr("Teambuilder(e)"));
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "application.pending")));
  ASSERT_TRUE(offers(result, "withdraw.teambuilder"));
  result = chat.say("1");
  EXPECT_EQ(chat.conversation().state, "withdraw.confirm");
  result = chat.say("ja");
  const auto withdrawn = commands_of<WithdrawApplication>(result);
  ASSERT_EQ(withdrawn.size(), 1u);
  EXPECT_EQ(withdrawn[0].entry_id, "teambuilder");
  EXPECT_EQ(world.view.applications_of("console:anna")[0].status, ApplicationStatus::withdrawn);
}

TEST(Conversations, DecliningTheWithdrawalKeepsTheApplication) {
  World world;
  world.view.add("console:anna", {{}, "teambuilder", ApplicationStatus::pending, {}, {}});
  Chat chat(world);
  chat.say("hej");
  chat.click("withdraw.teambuilder");
  const auto result = chat.say("nej");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_THAT(all_text(result), HasSubstr("står ved magt"));
}

TEST(Conversations, LanguageSwitchMidInterviewKeepsTheStep) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("menu.find");
  chat.click("interest.economy");
  auto result = chat.say("English");
  EXPECT_EQ(chat.conversation().language, Language::en);
  EXPECT_EQ(chat.conversation().state, "interview.interests");
  EXPECT_EQ(chat.conversation().interests, std::vector<std::string>{"economy"});
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::en, "language.switched")));
  EXPECT_THAT(all_text(result), HasSubstr("Economy"));
  result = chat.say("dansk");
  EXPECT_EQ(chat.conversation().language, Language::da);
  EXPECT_THAT(all_text(result), HasSubstr("Økonomi"));
}

TEST(Conversations, StartOverForgetsTheDialogButKeepsTheLanguage) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.say("engelsk");
  chat.click("menu.find");
  chat.click("interest.community");
  for (const std::string phrase : {"start forfra", "Start over!", "menu", "FORFRA"}) {
    const auto result = chat.say(phrase);
    EXPECT_EQ(chat.conversation().state, "menu") << phrase;
    EXPECT_TRUE(chat.conversation().interests.empty()) << phrase;
    EXPECT_EQ(chat.conversation().language, Language::en) << phrase;
    EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::en, "menu.prompt")));
  }
}

TEST(Conversations, AClosedPositionSaysItIsClosedAndOffersNoApplication) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("menu.browse");
  auto result = chat.say("sekretariatschef");
  EXPECT_THAT(all_text(result), HasSubstr("lukket"));
  EXPECT_THAT(all_text(result), HasSubstr("2026-05-25 12:00"));
  EXPECT_FALSE(offers(result, "apply.alone"));
  result = chat.say("ansøg");
  EXPECT_TRUE(result.commands.empty());
}

TEST(Conversations, AnOpenPositionExplainsHowToApplyByEmail) {
  World world;
  Chat chat(world, "console:anna", "en");
  chat.say("hi");
  auto result = chat.click("role.demokratiudvikler");
  const auto text = all_text(result);
  EXPECT_THAT(text, HasSubstr("job@alternativet.dk"));
  EXPECT_THAT(text, HasSubstr("30-37 hours a week"));
  EXPECT_THAT(text, HasSubstr("Near Nørreport"));
  EXPECT_THAT(text, HasSubstr("1 March"));
  EXPECT_THAT(text, HasSubstr("2027-01-05"));
  EXPECT_FALSE(offers(result, "apply.alone"));
  result = chat.click("apply.alone");  // an old button
  EXPECT_TRUE(result.commands.empty());
  EXPECT_THAT(all_text(result), HasSubstr("don't apply for it through me"));
}

TEST(Conversations, ALeadIsDescribedButNotAppliedFor) {
  World world;
  Chat chat(world);
  chat.say("hej");
  auto result = chat.say("fortæl om organisatorisk leder");
  EXPECT_EQ(chat.conversation().entry_id, "organisatorisk-leder");
  EXPECT_TRUE(offers(result, "menu.human"));
  result = chat.click("apply.alone");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_EQ(chat.conversation().state, "details");
}

TEST(Conversations, ApplyingTwiceForTheSameRoleIsRefusedKindly) {
  World world;
  world.view.add("console:anna", {{}, "okonomiansvarlig", ApplicationStatus::approved, {}, {}});
  Chat chat(world);
  chat.say("hej");
  chat.click("role.okonomiansvarlig");
  const auto result = chat.click("apply.alone");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_THAT(all_text(result), HasSubstr("allerede"));
  EXPECT_TRUE(offers(result, "withdraw.okonomiansvarlig"));
}

TEST(Conversations, AnApplicationMadeElsewhereMeanwhileIsNotSentTwice) {
  World world;
  Chat chat(world);
  write_application(chat, "okonomiansvarlig", "Jeg kan tal.");
  world.view.add("console:anna", {{}, "okonomiansvarlig", ApplicationStatus::pending, {}, {}});
  const auto result = chat.click("confirm.yes");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_TRUE(offers(result, "withdraw.okonomiansvarlig"));
}

TEST(Conversations, AWithdrawnApplicationCanBeMadeAgain) {
  World world;
  world.view.add("console:anna", {{}, "okonomiansvarlig", ApplicationStatus::withdrawn, {}, {}});
  Chat chat(world);
  write_application(chat, "okonomiansvarlig", "Jeg prøver igen.");
  EXPECT_EQ(commands_of<SubmitApplication>(chat.click("confirm.yes")).size(), 1u);
}

TEST(Conversations, CancellingAnApplicationSendsNothing) {
  World world;
  Chat chat(world);
  write_application(chat, "okonomiansvarlig", "Nogle ord.");
  const auto result = chat.say("nej");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_EQ(chat.conversation().state, "details");
  EXPECT_THAT(all_text(result), HasSubstr("ikke sendt"));
}

TEST(Conversations, AnAmbiguousYesAndNoIsAskedAgain) {
  World world;
  Chat chat(world, "console:anna", "en");
  write_application(chat, "okonomiansvarlig", "Some words.");
  const auto result = chat.say("no, do not send it");
  EXPECT_TRUE(result.commands.empty());
  EXPECT_EQ(chat.conversation().state, "apply.confirm");
}

TEST(Conversations, UnknownInputSaysSoAndShowsTheChoicesAgain) {
  World world;
  Chat chat(world);
  chat.say("hej");
  auto result = chat.say("qwzx plonk");
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "not_understood")));
  EXPECT_TRUE(offers(result, "menu.find"));
  result = chat.say("9");
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "not_understood.number",
                                                 {{"number", "9"}, {"count", "5"}})));
  EXPECT_EQ(last_choices(result).size(), 5u);
  result = chat.click("hours.20");  // a button from another step
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "not_understood.button")));
  EXPECT_EQ(chat.conversation().state, "menu");
}

TEST(Conversations, AnEmptyMessageOnARestartedChatShowsTheCurrentStepAgain) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("menu.find");
  chat.click("interest.economy");
  const auto before = chat.conversation();
  const auto result = chat.say("");
  EXPECT_THAT(all_text(result),
              ::testing::Not(HasSubstr(render(world, Language::da, "not_understood"))));
  ASSERT_EQ(result.replies.size(), 1u);
  EXPECT_TRUE(offers(result, "interest.economy"));
  EXPECT_TRUE(offers(result, "interview.done"));
  EXPECT_EQ(chat.conversation().state, "interview.interests");
  EXPECT_EQ(chat.conversation().interests, before.interests);
  EXPECT_TRUE(result.commands.empty());
}

TEST(Conversations, ARoleTitleTypedAnywhereOpensItsDetails) {
  World world;
  Chat chat(world);
  chat.say("hej");
  auto result = chat.say("fortæl om økonomiansvarlig");
  EXPECT_EQ(chat.conversation().state, "details");
  EXPECT_EQ(chat.conversation().entry_id, "okonomiansvarlig");
  chat.click("nav.menu");
  result = chat.say("kommunikationsanvarlig?");  // a typo
  EXPECT_EQ(chat.conversation().entry_id, "kommunikationsansvarlig");
}

TEST(Conversations, ARoleTitleOutweighsAMenuKeywordInIt) {
  World world;
  Chat chat(world, "console:anna", "en");
  chat.say("hi");
  chat.say("communication coordinator");  // "coordinator" alone means "talk to a human"
  EXPECT_EQ(chat.conversation().entry_id, "kommunikationsansvarlig");
  chat.click("nav.menu");
  chat.say("coordinator");  // a keyword of "talk to a human" and no role title
  EXPECT_EQ(chat.conversation().state, "human.about");
}

TEST(Conversations, InterestButtonsAddUpUntilDone) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("menu.find");
  auto result = chat.click("interest.economy");
  EXPECT_EQ(chat.conversation().state, "interview.interests");
  EXPECT_THAT(all_text(result), HasSubstr("Økonomi"));
  chat.click("interest.community");
  chat.click("interest.economy");
  result = chat.click("interview.done");
  EXPECT_EQ(chat.conversation().interests, (std::vector<std::string>{"economy", "community"}));
  EXPECT_EQ(chat.conversation().state, "interview.hours");
}

TEST(Conversations, SeveralInterestsTypedAtOnce) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("menu.find");
  chat.say("1, 3 og 5");
  EXPECT_EQ(chat.conversation().interests,
            (std::vector<std::string>{"economy", "education", "purchasing"}));
  EXPECT_EQ(chat.conversation().state, "interview.hours");
}

TEST(Conversations, FreeTextInsteadOfInterestsIsKeptForTheMatcher) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("menu.find");
  chat.say("Jeg kan godt lide at arrangere ting");
  EXPECT_TRUE(chat.conversation().interests.empty());
  EXPECT_EQ(chat.conversation().about, "Jeg kan godt lide at arrangere ting");
  EXPECT_EQ(chat.conversation().state, "interview.hours");
}

TEST(Conversations, TheMoreSpecificWordsWinWhenTwoChoicesAreHintedAt) {
  World world;
  Chat pair(world, "console:anna", "en");
  pair.say("hi");
  pair.click("role.teambuilder");
  pair.say("apply together with my friend");
  EXPECT_EQ(pair.conversation().state, "apply.partner");

  Chat human(world);
  human.say("hej");
  human.say("tal med et menneske om at være frivillig");
  EXPECT_EQ(human.conversation().state, "human.about");
}

TEST(Conversations, AThankYouGetsAKindWordAndTheSameStepAgain) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("menu.find");
  auto result = chat.say("Tusind tak!");
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "thanks")));
  EXPECT_THAT(all_text(result), Not(HasSubstr(render(world, Language::da, "not_understood"))));
  EXPECT_TRUE(offers(result, "interest.economy"));
  EXPECT_EQ(chat.conversation().state, "interview.interests");

  Chat english(world, "console:bo", "en");
  english.say("hi");
  result = english.say("thank you");
  EXPECT_THAT(all_text(result), HasSubstr("You're welcome!"));
  EXPECT_EQ(english.conversation().state, "menu");
}

TEST(Conversations, HoursWrittenWithAUnitPickTheirBucket) {
  World world;
  const std::vector<std::pair<std::string, std::optional<int>>> answers = {
      {"about 4 hours a week", 5},
      {"2-3 timer om ugen", 5},
      {"1 time", 2},
      {"Måske 8t, hvis det passer", 10},
      {"15 hours", 20},
      {"4", 20},  // a bare 4: choice 4
      {"24/7", std::nullopt}};
  for (const auto& [words, bucket] : answers) {
    Chat chat(world);
    chat.say("hej");
    chat.click("menu.find");
    chat.click("interest.economy");
    chat.click("interview.done");
    chat.say(words);
    if (bucket) {
      EXPECT_EQ(chat.conversation().hours_per_week, bucket) << words;
      EXPECT_EQ(chat.conversation().state, "interview.about") << words;
    } else {
      EXPECT_EQ(chat.conversation().state, "interview.hours") << words;
    }
  }
}

TEST(Conversations, TalkToAHumanHandsOverWithWhatItIsAbout) {
  World world;
  Chat chat(world);
  chat.say("hej");
  auto result = chat.click("menu.human");
  EXPECT_TRUE(offers(result, "human.skip"));
  result = chat.say("Jeg har et spørgsmål om økonomi");
  const auto requests = commands_of<RequestHuman>(result);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].words, "Jeg har et spørgsmål om økonomi");
  EXPECT_EQ(requests[0].conversation, "dm-console:anna");
  EXPECT_EQ(requests[0].display_name, "Anna");
  EXPECT_EQ(chat.conversation().state, "menu");
}

TEST(Conversations, TalkToAHumanWithoutSayingWhy) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("menu.human");
  const auto requests = commands_of<RequestHuman>(chat.click("human.skip"));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].words.empty());
}

TEST(Conversations, TheMenusNudgeAsksWhoWithAWayBack) {
  World world;
  Chat chat(world);
  chat.say("hej");
  const auto result = chat.say("3");
  EXPECT_EQ(chat.conversation().state, "nudge.who");
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "nudge.who.console")));
  EXPECT_TRUE(offers(result, "nudge.cancel"));
  EXPECT_TRUE(offers(result, "nav.menu"));
}

TEST(Conversations, HelpExplainsAndStaysOnTheStep) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("menu.find");
  const auto result = chat.say("hjælp");
  EXPECT_THAT(all_text(result), HasSubstr("start forfra"));
  EXPECT_EQ(chat.conversation().state, "interview.interests");
  EXPECT_TRUE(offers(result, "interest.economy"));
}

TEST(Conversations, AGreetingMidwayIsAnsweredAndShowsTheStepAgain) {
  World world;
  Chat chat(world);
  chat.say("hej");
  chat.click("menu.find");
  const auto result = chat.say("Hej!");
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "greeting")));
  EXPECT_THAT(all_text(result), Not(HasSubstr(render(world, Language::da, "not_understood"))));
  EXPECT_EQ(chat.conversation().state, "interview.interests");
  EXPECT_TRUE(offers(result, "interest.economy"));

  chat.say("english");
  const auto in_english = chat.say("hello");
  EXPECT_THAT(all_text(in_english), HasSubstr(render(world, Language::en, "greeting")));
  EXPECT_EQ(chat.conversation().state, "interview.interests");
}

TEST(Conversations, NoApplicationsYetOffersToFindOne) {
  World world;
  Chat chat(world);
  chat.say("hej");
  const auto result = chat.click("menu.mine");
  EXPECT_THAT(all_text(result), HasSubstr(render(world, Language::da, "mine.none")));
  EXPECT_TRUE(offers(result, "menu.find"));
}

}  // namespace
}  // namespace prik::dialogs::testing
