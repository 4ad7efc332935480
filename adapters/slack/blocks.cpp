#include "adapters/slack/blocks.hpp"

namespace prik::adapters::slack {

namespace {

using nlohmann::json;

bool is_continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

// Byte length of the first `max_characters` code points of `text`.
std::size_t prefix_bytes(std::string_view text, std::size_t max_characters) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_continuation(text[i])) continue;
    if (characters == max_characters) return i;
    ++characters;
  }
  return text.size();
}

bool is_id_character(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// The length of a user mention ("<@U0456>", "<@W0456>") or channel link ("<#C0789>") at the
// start of `text`; 0 when there is none.
std::size_t mention_at(std::string_view text) {
  if (text.size() < 4 || text[0] != '<') return 0;
  const bool user = text[1] == '@' && (text[2] == 'U' || text[2] == 'W');
  const bool channel = text[1] == '#' && (text[2] == 'C' || text[2] == 'G' || text[2] == 'D');
  if (!user && !channel) return 0;
  std::size_t end = 3;
  while (end < text.size() && is_id_character(text[end])) ++end;
  return end < text.size() && text[end] == '>' ? end + 1 : 0;
}

// Splits text into pieces of at most `max_characters`, preferring line breaks, then spaces, and
// never cutting an escape ("&amp;") or a mention in two.
std::vector<std::string> split_text(std::string_view text, std::size_t max_characters) {
  std::vector<std::string> pieces;
  while (!text.empty()) {
    std::size_t cut = prefix_bytes(text, max_characters);
    if (cut < text.size()) {
      const auto head = text.substr(0, cut);
      auto at = head.rfind('\n');
      if (at == std::string_view::npos || at < cut / 2) at = head.rfind(' ');
      if (at != std::string_view::npos && at >= cut / 2) {
        cut = at + 1;
      } else if (const auto open = head.find_last_of("&<");
                 open != std::string_view::npos && open > 0 &&
                 head.find_first_of(";>", open) == std::string_view::npos) {
        cut = open;
      }
    }
    pieces.emplace_back(text.substr(0, cut));
    text.remove_prefix(cut);
  }
  return pieces;
}

}  // namespace

std::string escape_text(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (const std::size_t mention = mention_at(text.substr(i))) {
      escaped.append(text.substr(i, mention));
      i += mention - 1;
      continue;
    }
    switch (text[i]) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      default:
        escaped += text[i];
    }
  }
  return escaped;
}

std::string shorten(std::string_view text, std::size_t max_characters, bool ellipsis) {
  const std::size_t whole = prefix_bytes(text, max_characters);
  if (whole == text.size()) return std::string(text);
  if (!ellipsis || max_characters == 0) return std::string(text.substr(0, whole));
  return std::string(text.substr(0, prefix_bytes(text, max_characters - 1))) + "\u2026";
}

json render_message(const std::string& text, const std::vector<dialogs::Choice>& choices) {
  using Limits = BlockKitLimits;
  const std::size_t actions_blocks =
      (choices.size() + Limits::buttons_per_actions_block - 1) / Limits::buttons_per_actions_block;
  const std::size_t max_sections = actions_blocks >= Limits::blocks_per_message
                                       ? 0
                                       : Limits::blocks_per_message - actions_blocks;

  json blocks = json::array();
  for (auto& piece : split_text(escape_text(text), Limits::section_text)) {
    if (blocks.size() == max_sections) break;
    if (piece.find_first_not_of(" \n") == std::string::npos) continue;
    blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", piece}}}});
  }
  json buttons = json::array();
  for (const auto& choice : choices) {
    if (blocks.size() == Limits::blocks_per_message) break;
    const std::string id = shorten(choice.id, Limits::action_id, false);
    buttons.push_back({{"type", "button"},
                       {"action_id", id},
                       {"value", shorten(choice.id, Limits::button_value, false)},
                       {"text",
                        {{"type", "plain_text"},
                         {"text", shorten(choice.label.empty() ? choice.id : choice.label,
                                          Limits::button_label, true)},
                         {"emoji", true}}}});
    if (buttons.size() == Limits::buttons_per_actions_block) {
      blocks.push_back({{"type", "actions"}, {"elements", std::move(buttons)}});
      buttons = json::array();
    }
  }
  if (!buttons.empty() && blocks.size() < Limits::blocks_per_message) {
    blocks.push_back({{"type", "actions"}, {"elements", std::move(buttons)}});
  }
  return {{"text", escape_text(shorten(text, Limits::fallback_text, true))},
          {"blocks", std::move(blocks)}};
}

json mark_choice(const json& blocks, std::string_view label) {
  json marked = json::array();
  if (!blocks.is_array()) return marked;
  bool marked_once = false;
  for (const auto& block : blocks) {
    if (!block.is_object()) continue;
    const auto type = block.find("type");
    if (type != block.end() && *type == "actions") {
      if (marked_once) continue;
      marked_once = true;
      // A check mark, not a word: the adapter has no texts of its own.
      marked.push_back({{"type", "context"},
                        {"elements",
                         {{{"type", "plain_text"},
                           {"text", "\u2714 " + shorten(label, BlockKitLimits::button_label, true)},
                           {"emoji", true}}}}});
      continue;
    }
    json kept = block;
    kept.erase("block_id");
    marked.push_back(std::move(kept));
  }
  return marked;
}

}  // namespace prik::adapters::slack
