#include "dialogs/stop_words.hpp"

#include <string>
#include <unordered_set>

#include "dialogs/text.hpp"

namespace prik::dialogs {
namespace {

// Snowball's Danish list, plus the words every volunteer writes about themselves.
constexpr std::string_view danish_stop_words =
    "ad af aldrig alle alt anden andet andre at bare begge blev blive bliver da de dem den denne "
    "der deres det dette dig din dine disse dit dog du efter eller en end ens er et for fordi fra "
    "få gerne godt gør ham han hans har have havde hende hendes her hos hun hvad hvem hver hvilke "
    "hvis hvor hvordan hvorfor i ikke ind ingen intet ja jeg jer jeres kan kom komme kommer kun "
    "kunne lidt lige man mange med meget men mere mest mig min mine mit mod måske ned nej noget "
    "nogen nogle nok nu når og også om op os over på rigtig selv sig sin sine sit skal skulle "
    "som sådan synes så thi til ud under var vil ville vi være været vores "
    // about the volunteer, not the role
    "arbejde arbejder elske elsker frivillig gang god gode hjælpe interesse interesseret kalender "
    "lyst måned "
    "måneder rolle roller tid timer time tror uge ugen ugentlig år erfaring lave ved kende kender";

// Snowball's English list (short form), plus the same volunteer words.
constexpr std::string_view english_stop_words =
    "a about above after again against all am an and any are as at be because been before being "
    "below between both but by can could did do does doing down during each few for from further "
    "had has have having he her here hers herself him himself his how i if in into is it its "
    "itself "
    "just me more most my myself no nor not now of off on once only or other our ours ourselves "
    "out over own really same she should so some such than that the their theirs them themselves "
    "then there these they this those through to too under until up very was we were what when "
    "where which while who whom why will with would you your yours yourself yourselves "
    "im ive dont love like want wish help helping good get make know lots experience interested "
    "interest "
    "month months role roles time hours hour week weeks weekly year years volunteer volunteering "
    "work working";

std::unordered_set<std::string> folded_list() {
  std::unordered_set<std::string> list;
  for (const std::string_view source : {danish_stop_words, english_stop_words}) {
    for (std::string& word : words(source)) list.insert(std::move(word));
  }
  return list;
}

}  // namespace

bool is_stop_word(std::string_view folded_word) {
  static const std::unordered_set<std::string> list = folded_list();
  return list.contains(std::string(folded_word));
}

}  // namespace prik::dialogs
