#include "dialogs/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace prik::dialogs {
namespace {

TEST(Fold, LowerCasesAndStripsAccents) {
  EXPECT_EQ(fold("Café CRÈME"), "cafe creme");
  EXPECT_EQ(fold("Straße"), "strasse");
  EXPECT_EQ(fold("ÉCOLE"), "ecole");
}

TEST(Fold, OkonomiSpellingsShareOneKey) {
  EXPECT_EQ(fold("Økonomi"), fold("okonomi"));
  EXPECT_EQ(fold("Økonomi"), fold("oekonomi"));
  EXPECT_EQ(fold("ØKONOMI"), fold("Oekonomi"));
}

TEST(Fold, KobenhavnSpellingsShareOneKey) {
  EXPECT_EQ(fold("København"), fold("kobenhavn"));
  EXPECT_EQ(fold("København"), fold("koebenhavn"));
  EXPECT_EQ(fold("KØBENHAVN"), fold("Kobenhavn"));
}

TEST(Fold, FaellesskaberSpellingsShareOneKey) {
  EXPECT_EQ(fold("Fællesskaber"), fold("faellesskaber"));
  EXPECT_EQ(fold("Fællesskaber"), fold("fallesskaber"));
  EXPECT_EQ(fold("FÆLLESSKABER"), fold("Faellesskaber"));
}

TEST(Fold, AaAndARingShareOneKey) {
  EXPECT_EQ(fold("Århus"), fold("Aarhus"));
  EXPECT_EQ(fold("Århus"), fold("arhus"));
  EXPECT_EQ(fold("på"), fold("paa"));
}

TEST(Fold, RunsAfterAFoldedVowelFoldAlike) {
  EXPECT_EQ(fold("søen"), fold("soeen"));
  EXPECT_EQ(fold("søen"), fold("soen"));
}

TEST(Fold, PrecomposedAndDecomposedLettersFoldAlike) {
  EXPECT_EQ(fold("p\u00e5"), fold("pa\u030a"));
  EXPECT_EQ(fold("\u00c5"), fold("A\u030a"));
}

TEST(Fold, CollapsesAndTrimsWhitespace) {
  EXPECT_EQ(fold("  Organisatorisk \t\n leder  "), "organisatorisk leder");
  EXPECT_EQ(fold("\u00a0ja\u00a0"), "ja");
  EXPECT_EQ(fold(""), "");
  EXPECT_EQ(fold("   "), "");
}

TEST(Fold, RemovesSoftHyphensInsideWords) { EXPECT_EQ(fold("øko\u00adnomi"), fold("økonomi")); }

TEST(Fold, DropsInvalidUtf8WithoutCrashing) {
  EXPECT_EQ(fold("bud\xffget"), "budget");
  EXPECT_EQ(fold("\xc3"), "");            // truncated sequence
  EXPECT_EQ(fold("\xed\xa0\x80x"), "x");  // encoded surrogate
  EXPECT_EQ(fold("\xc0\xafok"), "ok");    // overlong encoding
  EXPECT_EQ(fold("Øko\xf8nomi"), fold("okonomi"));
  const std::string with_nul("a\0b", 3);
  EXPECT_EQ(fold(with_nul).size(), 3u);
}

TEST(Fold, KeepsEmojiAndOtherScripts) {
  EXPECT_EQ(fold("Hej 👋"), "hej 👋");
  EXPECT_EQ(fold("ΣΟΦΙΑ"), "σοφια");
}

TEST(Words, SplitsOnEverythingButLettersAndDigits) {
  EXPECT_EQ(words("Budget, regnskab & bogføring!"),
            (std::vector<std::string>{"budget", "regnskab", "bogforing"}));
  EXPECT_EQ(words("fundraising-ansvarlig til KV17"),
            (std::vector<std::string>{"fundraising", "ansvarlig", "til", "kv17"}));
}

TEST(Words, ReturnsFoldedWords) {
  EXPECT_EQ(words("Fællesskaber i KØBENHAVN"),
            (std::vector<std::string>{"fallesskaber", "i", "kobenhavn"}));
}

TEST(Words, IgnoresEmojiAndInvalidBytes) {
  EXPECT_EQ(words("👋 hej\xff\xfe med 🎉dig🎉"), (std::vector<std::string>{"hej", "med", "dig"}));
  EXPECT_TRUE(words("🎉 ... !!! \xff").empty());
  EXPECT_TRUE(words("").empty());
}

TEST(Words, KeepsNonLatinLettersTogether) {
  EXPECT_EQ(words("привет, мир"), (std::vector<std::string>{"привет", "мир"}));
}

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("teambuider", "teambuilder"), 1u);
}

TEST(EditDistance, CountsAnAdjacentTranspositionAsOneEdit) {
  EXPECT_EQ(edit_distance("okonomi", "okonmoi"), 1u);
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);  // optimal string alignment
}

TEST(EditDistance, CountsCharactersNotBytes) {
  EXPECT_EQ(edit_distance("σοφια", "σοφία"), 1u);
  EXPECT_EQ(edit_distance("👋", "🎉"), 1u);
}

TEST(EditDistance, FindsTyposInFoldedRoleNames) {
  EXPECT_EQ(edit_distance(fold("Frivilighedskoordinator"), fold("Frivillighedskoordinator")), 1u);
  EXPECT_EQ(edit_distance(fold("Økonomiansvarlig"), fold("oekonomiansvarlig")), 0u);
}

}  // namespace
}  // namespace prik::dialogs
