#include "dialogs/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace prik::dialogs {
namespace {

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Appends ASCII text lower-cased, collapsing the spellings of æ/ø/å typed without them: "oe" and
// "o", "ae" and "a", "aa" and "a" give the same key. Letters following a collapsed vowel are
// compared against the last letter written, so runs ("søen" = "soeen" = "soen") fold alike.
// Whitespace runs become one space; leading and trailing whitespace is dropped.
class KeyWriter {
 public:
  explicit KeyWriter(std::string& out) : out_(out) {}

  void put_ascii(char c) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      pending_space_ = true;
      return;
    }
    if (pending_space_) {
      if (!out_.empty()) out_ += ' ';
      pending_space_ = false;
    }
    const char last = out_.empty() ? '\0' : out_.back();
    if ((last == 'o' && c == 'e') || (last == 'a' && (c == 'e' || c == 'a'))) return;
    out_ += c;
  }

  void put_other(UChar32 c) {
    if (u_isUWhiteSpace(c)) {
      pending_space_ = true;
      return;
    }
    if (pending_space_) {
      if (!out_.empty()) out_ += ' ';
      pending_space_ = false;
    }
    char buffer[U8_MAX_LENGTH];
    std::int32_t length = 0;
    UBool error = false;
    U8_APPEND(buffer, length, U8_MAX_LENGTH, c, error);
    if (!error) out_.append(buffer, static_cast<std::size_t>(length));
  }

 private:
  std::string& out_;
  bool pending_space_ = false;
};

// The Danish letters (and their neighbours) that have no canonical decomposition.
char ascii_for_letter(UChar32 c) {
  switch (c) {
    case 0x00E6:  // æ
      return 'a';
    case 0x00F8:  // ø
    case 0x0153:  // œ
      return 'o';
    case 0x00F0:  // ð
    case 0x0111:  // đ
      return 'd';
    case 0x0142:  // ł
      return 'l';
    default:
      return '\0';
  }
}

std::string fold_unicode(std::string_view text) {
  // Decode, dropping invalid bytes.
  icu::UnicodeString decoded;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  for (std::int32_t i = 0; i < length;) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c >= 0) decoded.append(c);
  }

  // NFKC with full case folding (also removes default-ignorable characters such as soft hyphens),
  // then canonical decomposition so the accents can be dropped.
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  const icu::Normalizer2* decompose = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) return {};
  icu::UnicodeString folded = casefold->normalize(decoded, status);
  icu::UnicodeString decomposed = decompose->normalize(folded, status);
  if (U_FAILURE(status)) return {};

  std::string out;
  out.reserve(text.size());
  KeyWriter writer(out);
  for (std::int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK) continue;
    if (c < 0x80) {
      writer.put_ascii(static_cast<char>(c));
    } else if (const char ascii = ascii_for_letter(c); ascii != '\0') {
      writer.put_ascii(ascii);
    } else {
      writer.put_other(c);
    }
  }
  return out;
}

bool is_word_character(UChar32 c) {
  if (c < 0) return false;
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');  // folded: no upper case
  return u_isUAlphabetic(c) || u_isdigit(c);
}

// Damerau-Levenshtein in its "optimal string alignment" form, over any sequence of characters.
// Keeps three rows of the table; short keys (the usual case) need no allocation.
template <typename Sequence>
std::size_t osa_distance(const Sequence& a, const Sequence& b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  if (n == 0) return m;
  if (m == 0) return n;
  constexpr std::size_t inline_row = 64;
  std::array<std::size_t, 3 * inline_row> inline_rows;
  std::vector<std::size_t> heap_rows;
  std::size_t* rows = inline_rows.data();
  if (m + 1 > inline_row) {
    heap_rows.resize(3 * (m + 1));
    rows = heap_rows.data();
  }
  std::size_t* before_previous = rows;
  std::size_t* previous = rows + (m + 1);
  std::size_t* current = rows + 2 * (m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t best = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, before_previous[j - 2] + 1);
      }
      current[j] = best;
    }
    std::swap(before_previous, previous);
    std::swap(previous, current);
  }
  return previous[m];
}

std::u32string decode(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  for (std::int32_t i = 0; i < length;) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c >= 0) out += static_cast<char32_t>(c);
  }
  return out;
}

}  // namespace

std::string fold(std::string_view text) {
  if (!is_ascii(text)) return fold_unicode(text);
  std::string out;
  out.reserve(text.size());
  KeyWriter writer(out);
  for (const char c : text) writer.put_ascii(c);
  return out;
}

std::vector<std::string> words(std::string_view text) {
  const std::string folded = fold(text);
  std::vector<std::string> out;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(folded.data());
  const auto length = static_cast<std::int32_t>(folded.size());
  std::int32_t start = -1;
  for (std::int32_t i = 0; i < length;) {
    const std::int32_t at = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    const bool inside = is_word_character(c);
    if (inside && start < 0) start = at;
    if (!inside && start >= 0) {
      out.emplace_back(folded, static_cast<std::size_t>(start),
                       static_cast<std::size_t>(at - start));
      start = -1;
    }
  }
  if (start >= 0) out.emplace_back(folded, static_cast<std::size_t>(start));
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  if (is_ascii(a) && is_ascii(b)) return osa_distance(a, b);
  return osa_distance(decode(a), decode(b));
}

}  // namespace prik::dialogs
