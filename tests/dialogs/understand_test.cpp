// Input understanding on its own: numbers, labels, synonyms, typos, several choices at once.
#include "dialogs/understand.hpp"

#include <gtest/gtest.h>

namespace prik::dialogs {
namespace {

using Ids = std::vector<std::string>;

const std::vector<Option>& interests() {
  static const std::vector<Option> options = {
      {"interest.economy", {"Økonomi", "Economy"}, {"penge", "budget", "money"}},
      {"interest.communication", {"Kommunikation", "Communication"}, {"presse", "writing"}},
      {"interest.education", {"Uddannelse", "Education"}, {"undervisning"}},
      {"interest.community", {"Fællesskab", "Community"}, {"fest", "hygge"}},
      {"interest.purchasing", {"Indkøb", "Purchasing"}, {"buying"}},
  };
  return options;
}

const std::vector<Option>& roles() {
  static const std::vector<Option> options = {
      {"role.okonomiansvarlig", {"Økonomiansvarlig", "Treasurer"}, {"regnskab"}},
      {"role.kommunikationsansvarlig", {"Kommunikationsansvarlig", "Head of communication"}, {}},
      {"role.teambuilder", {"Teambuilder(e)", "Team builder(s)"}, {"events"}},
      {"role.organisatorisk-leder", {"Organisatorisk leder", "Organisational lead"}, {}},
  };
  return options;
}

Ids fuzzy(std::string_view text, const std::vector<Option>& options = interests()) {
  return select(text, options, Matching::fuzzy).ids;
}

TEST(Understand, ANumberPicksTheChoiceShownAtThatPlace) {
  for (const char* text : {"2", "nr 2", "2.", "Nr. 2", "#2", " 2 ", "nummer 2", "number 2"}) {
    const auto selection = select(text, interests(), Matching::fuzzy);
    EXPECT_EQ(selection.ids, Ids{"interest.communication"}) << text;
    EXPECT_TRUE(selection.numbers_only) << text;
  }
}

TEST(Understand, SeveralNumbersPickSeveralChoices) {
  const Ids expected = {"interest.economy", "interest.education", "interest.purchasing"};
  for (const char* text : {"1, 3 og 5", "1 3 5", "1,3,5", "1 og 3 og 5", "1, 3 and 5", "1;3;5"}) {
    EXPECT_EQ(fuzzy(text), expected) << text;
  }
  EXPECT_EQ(fuzzy("1 and 3"), (Ids{"interest.economy", "interest.education"}));
  EXPECT_EQ(fuzzy("3 3 3"), Ids{"interest.education"});
}

TEST(Understand, NumbersOutsideTheChoicesAreReported) {
  const auto selection = select("0, 2 og 9", interests(), Matching::fuzzy);
  EXPECT_EQ(selection.ids, Ids{"interest.communication"});
  EXPECT_EQ(selection.unknown_numbers, (std::vector<int>{0, 9}));
  EXPECT_EQ(select("99999999999999999999", interests(), Matching::fuzzy).unknown_numbers.size(),
            1u);
}

TEST(Understand, NumbersInsideASentenceAreNotChoiceNumbers) {
  const auto selection = select("jeg har 5 timer", interests(), Matching::fuzzy);
  EXPECT_FALSE(selection.numbers_only);
  EXPECT_TRUE(selection.ids.empty());
}

TEST(Understand, LabelsMatchWithoutCaseOrDiacritics) {
  for (const char* text :
       {"økonomi", "Økonomi", "ØKONOMI", "okonomi", "oekonomi", "economy", "ECONOMY!"}) {
    EXPECT_EQ(fuzzy(text), Ids{"interest.economy"}) << text;
  }
  EXPECT_EQ(fuzzy("faellesskab"), Ids{"interest.community"});
  EXPECT_EQ(fuzzy("fællesskab"), Ids{"interest.community"});
  EXPECT_EQ(fuzzy("indkob"), Ids{"interest.purchasing"});
}

TEST(Understand, SynonymsInEitherLanguagePointToTheirChoice) {
  EXPECT_EQ(fuzzy("penge"), Ids{"interest.economy"});
  EXPECT_EQ(fuzzy("I like writing"), Ids{"interest.communication"});
  EXPECT_EQ(fuzzy("fest og hygge"), Ids{"interest.community"});
}

TEST(Understand, SeveralLabelsInOneMessagePickThemAll) {
  EXPECT_EQ(fuzzy("økonomi og kommunikation"), (Ids{"interest.economy", "interest.communication"}));
  EXPECT_EQ(fuzzy("economy and community"), (Ids{"interest.economy", "interest.community"}));
}

TEST(Understand, ALabelOutranksAKeyword) {
  const std::vector<Option> options = {{"a", {"Regnskab"}, {}}, {"b", {"Budget"}, {"regnskab"}}};
  EXPECT_EQ(fuzzy("regnskab", options), (Ids{"a", "b"}));
  EXPECT_EQ(fuzzy("jeg kan lide regnskab", options).front(), "a");
}

TEST(Understand, BetweenKeywordsTheLongerOneWins) {
  const std::vector<Option> options = {{"apply.alone", {"Apply for the role"}, {"apply"}},
                                       {"apply.pair", {"Apply together"}, {"with my friend"}}};
  EXPECT_EQ(fuzzy("I'll apply with my friend", options), (Ids{"apply.pair", "apply.alone"}));
  EXPECT_EQ(fuzzy("I'll apply", options), (Ids{"apply.alone"}));
}

TEST(Understand, ASelectionByKeywordAloneIsMarkedAsSuch) {
  EXPECT_TRUE(select("penge", interests(), Matching::fuzzy).by_keyword_only);
  EXPECT_FALSE(select("økonomi og penge", interests(), Matching::fuzzy).by_keyword_only);
  EXPECT_FALSE(select("1", interests(), Matching::fuzzy).by_keyword_only);
}

TEST(Understand, TyposInLongerWordsAreForgiven) {
  EXPECT_EQ(fuzzy("økonomiansvarlg", roles()), Ids{"role.okonomiansvarlig"});
  EXPECT_EQ(fuzzy("kommunikationsanvarlig", roles()), Ids{"role.kommunikationsansvarlig"});
  EXPECT_EQ(fuzzy("teambuidler", roles()), Ids{"role.teambuilder"});
  EXPECT_EQ(fuzzy("teambuilder", roles()), Ids{"role.teambuilder"});
  EXPECT_EQ(fuzzy("organisatorisk leder", roles()), Ids{"role.organisatorisk-leder"});
  EXPECT_EQ(fuzzy("fortæl om økonomiansvarlig", roles()), Ids{"role.okonomiansvarlig"});
  EXPECT_EQ(fuzzy("Kommunikasjon"), Ids{"interest.communication"});
}

TEST(Understand, ATypoIsTheLettersChangedNotTheLettersShared) {
  const std::vector<Option> options = {{"role.teambuilder", {"Teambuilder"}, {}}};
  EXPECT_EQ(fuzzy("taembuilder", options), Ids{"role.teambuilder"});  // two letters swapped
  EXPECT_EQ(fuzzy("teambuildr", options), Ids{"role.teambuilder"});   // one left out
  EXPECT_TRUE(fuzzy("redliubmaet", options).empty());                 // the same letters, backwards
  EXPECT_TRUE(fuzzy("teamxyzlder", options).empty());                 // three letters changed
}

TEST(Understand, LabelsAreUnderstoodAmongThousandsOfOthers) {
  std::vector<Option> many;
  for (int i = 0; i < 10'000; ++i) {
    many.push_back({"option." + std::to_string(i), {"Punkt " + std::to_string(i)}, {}});
  }
  for (const int i : {0, 9'999, 4'096, 0}) {
    const auto text = "punkt " + std::to_string(i);
    EXPECT_EQ(select(text, many, Matching::whole).ids, Ids{"option." + std::to_string(i)});
  }
}

TEST(Understand, ShortWordsMustBeExact) {
  EXPECT_EQ(typo_allowance(3), 0u);
  EXPECT_EQ(typo_allowance(4), 0u);
  EXPECT_EQ(typo_allowance(6), 1u);
  EXPECT_EQ(typo_allowance(10), 2u);
  EXPECT_EQ(typo_allowance(20), 3u);
  EXPECT_TRUE(fuzzy("test").empty());            // not "fest"
  EXPECT_TRUE(fuzzy("leder", roles()).empty());  // a part of a title is not the title
}

TEST(Understand, WholeMatchingIgnoresLabelsInsideFreeText) {
  const std::vector<Option> options = {{"interview.skip", {"Spring over", "Skip"}, {"skip"}},
                                       {"nav.menu", {"Tilbage til menuen"}, {"menu"}}};
  EXPECT_EQ(select("spring over", options, Matching::whole).ids, Ids{"interview.skip"});
  EXPECT_EQ(select("Skip!", options, Matching::whole).ids, Ids{"interview.skip"});
  EXPECT_EQ(select("1", options, Matching::whole).ids, Ids{"interview.skip"});
  EXPECT_TRUE(
      select("I design menus and never skip a deadline", options, Matching::whole).ids.empty());
}

TEST(Understand, NothingToUnderstandSelectsNothing) {
  for (const char* text : {"", "   ", "!!!", "😀", "qwzx plonk", "\xFF\xFE"}) {
    const auto selection = select(text, interests(), Matching::fuzzy);
    EXPECT_TRUE(selection.ids.empty()) << text;
    EXPECT_FALSE(selection.numbers_only) << text;
  }
  EXPECT_TRUE(fuzzy("1", {}).empty());
}

TEST(Understand, SaysMatchesWholeMessagesOnly) {
  const std::vector<std::string> phrases = {"start forfra", "start over", "menu", "forfra"};
  EXPECT_TRUE(says("Start forfra!", phrases));
  EXPECT_TRUE(says("  MENU ", phrases));
  EXPECT_TRUE(says("start foorfra", phrases));
  EXPECT_FALSE(says("jeg har designet en menu", phrases));
  EXPECT_FALSE(says("", phrases));
  EXPECT_TRUE(says("engelsk", {"english", "engelsk"}));
  EXPECT_FALSE(says("dansk", {"english", "engelsk"}));
}

TEST(Understand, SplitPhrasesTrimsAndDropsEmptyOnes) {
  EXPECT_EQ(split_phrases("ja, jo ,yes,, ok "), (Ids{"ja", "jo", "yes", "ok"}));
  EXPECT_TRUE(split_phrases("").empty());
  EXPECT_TRUE(split_phrases(" , ").empty());
}

TEST(CleanText, DropsInvalidUtf8AndControlCharacters) {
  EXPECT_EQ(clean_text("hej\xFF\xC3 med\x01 dig", 100), "hej med dig");
  EXPECT_EQ(clean_text("\xED\xA0\x80surrogate", 100), "surrogate");
  EXPECT_EQ(clean_text("\xC0\xAFoverlong", 100), "overlong");
  EXPECT_EQ(clean_text("a\tb\nc", 100), "a b\nc");
  EXPECT_EQ(clean_text("  \n økonomi 😀 \n ", 100), "økonomi 😀");
}

TEST(CleanText, CutsAtACharacterBoundary) {
  EXPECT_EQ(clean_text("æææ", 5), "ææ");
  EXPECT_EQ(clean_text("😀😀", 7), "😀");
  EXPECT_EQ(clean_text(std::string(1 << 20, 'x'), 10), std::string(10, 'x'));
}

}  // namespace
}  // namespace prik::dialogs
