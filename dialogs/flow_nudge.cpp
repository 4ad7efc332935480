// A tap on a friend's shoulder ("prik på skulderen"). The nudger names a friend and, if they like,
// a role, then confirms and says whether the friend may learn who sent it; the friend gets one
// message with three choices. The nudge rules are checked here against the view, and every
// refusal gets the same words, so nobody learns that a friend opted out or was asked already.
#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <utility>

#include "dialogs/flow.hpp"

namespace prik::dialogs {
namespace {

constexpr std::size_t kMaxFriendBytes = 200;
constexpr std::size_t kMaxConsoleNameBytes = 64;
constexpr std::string_view kRoleChoice = "nudge.role.";
// Trimmed from the end of a token naming the friend: "@bo," -> "@bo".
constexpr std::string_view kTrailingPunctuation = ",.;:!?)";

constexpr std::array<std::pair<std::string_view, NudgeAnswer>, 3> kAnswers = {{
    {"nudge.more", NudgeAnswer::more},
    {"nudge.no", NudgeAnswer::no},
    {"nudge.never", NudgeAnswer::never},
}};

bool chose(const Answer& answer, std::string_view id) {
  return !answer.chosen.empty() && answer.chosen.front() == id;
}

// The message split at white space, as typed (not folded).
std::vector<std::string> raw_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  std::string current;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\t') {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

std::string trim_token(std::string token) {
  while (!token.empty() && kTrailingPunctuation.find(token.back()) != std::string_view::npos) {
    token.pop_back();
  }
  return token;
}

// A terminal user's name as typed, made fit for a UserRef: "@Kim," -> "kim". Letters beyond
// ASCII are kept as they are; empty when nothing usable is left.
std::string console_name(std::string_view token) {
  while (!token.empty() && token.front() == '@') token.remove_prefix(1);
  std::string name;
  for (const char c : token) {
    const auto byte = static_cast<unsigned char>(c);
    if (c >= 'A' && c <= 'Z') {
      name += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-' || byte >= 0x80) {
      name += c;
    }
  }
  while (!name.empty() && (name.back() == '.' || name.back() == '-')) name.pop_back();
  return clean_text(name, kMaxConsoleNameBytes);
}

// The first token that holds a mention ("<@U2>", "@bo:example.org", "@kim").
std::vector<std::string>::iterator find_mention_token(std::vector<std::string>& tokens) {
  return std::find_if(tokens.begin(), tokens.end(), [](const std::string& token) {
    return token.find('@') != std::string::npos;
  });
}

// A role of the campaign named in the words, by title or keyword.
std::optional<std::string> role_named_in(const Turn& turn, const std::vector<std::string>& typed) {
  std::vector<Option> options;
  for (const auto& entry : turn.entries()) {
    if (entry.kind != EntryKind::role) continue;
    options.push_back({entry.id, {entry.title.da, entry.title.en}, entry.keywords});
  }
  const Selection selection = select(typed, options, Matching::fuzzy);
  if (selection.ids.empty() || selection.numbers_only) return std::nullopt;
  return selection.ids.front();
}

void refuse(Turn& turn) {
  turn.say(turn.text("nudge.refused"));
  go_menu(turn);
}

// Takes the friend into the conversation. False when they cannot be nudged at all (someone on
// another platform, oneself, a bot); the person has then been answered.
bool take_friend(Turn& turn, const UserRef& friend_user, const std::string& label) {
  const UserRef cleaned = clean_text(friend_user, kMaxFriendBytes);
  const std::string platform = platform_of(cleaned);
  if (platform.empty() || platform != platform_of(turn.incoming.user)) {
    turn.say(turn.text("nudge.who.unknown"));
    go(turn, "nudge.who");
    return false;
  }
  const auto& bots = turn.incoming.mentioned_bots;
  if (cleaned == turn.incoming.user || std::find(bots.begin(), bots.end(), cleaned) != bots.end()) {
    refuse(turn);
    return false;
  }
  turn.conversation.nudge_friend = cleaned;
  const std::string shown = clean_text(label, kMaxFriendBytes);
  turn.conversation.nudge_friend_label = shown.empty() ? shown_name(cleaned) : shown;
  return true;
}

void start_nudge(Turn& turn, const std::optional<UserRef>& friend_user, const std::string& label,
                 const std::optional<std::string>& entry_id) {
  turn.conversation.nudge_friend.clear();
  turn.conversation.nudge_friend_label.clear();
  turn.conversation.entry_id = entry_id.value_or(std::string{});
  if (!friend_user) {
    go(turn, "nudge.who");
    return;
  }
  if (!take_friend(turn, *friend_user, label)) return;
  go(turn, entry_id ? "nudge.confirm" : "nudge.role");
}

void cancel_nudge(Turn& turn) {
  turn.say(turn.text("nudge.cancelled"));
  go_menu(turn);
}

// The nudge rules: at most so many nudges a day, a friend at most once in so many days, never to
// oneself, to someone who opted out or to someone who already applied.
bool nudge_allowed(const Turn& turn, const UserRef& friend_user) {
  using namespace std::chrono;
  const StoreView& view = turn.context.view;
  const NudgeRules& rules = turn.context.nudge_rules;
  const sys_seconds now = turn.context.now;
  if (friend_user == turn.incoming.user || view.opted_out(friend_user)) return false;
  if (const auto last = view.last_nudged(friend_user);
      last && now - *last < days{rules.same_friend_days}) {
    return false;
  }
  if (view.nudges_sent_since(turn.incoming.user, now - hours{24}) >= rules.per_volunteer_per_day) {
    return false;
  }
  const auto applications = view.applications_of(friend_user);
  return std::none_of(applications.begin(), applications.end(), [](const auto& application) {
    return application.status == ApplicationStatus::pending ||
           application.status == ApplicationStatus::approved;
  });
}

// The one message to the friend, in their language, with its three choices.
Outgoing friend_message(const Turn& turn, const UserRef& friend_user, const std::string& entry_id,
                        bool named, const std::string& from_name) {
  const Language language = language_for(turn, friend_user);
  const Texts& texts = turn.context.texts;
  const Campaign* campaign = turn.campaign();
  Params params = {{"campaign", campaign ? campaign->name.in(language) : turn.context.campaign_id}};
  std::string key = named ? "nudge.message.named" : "nudge.message.anonymous";
  if (named) params.emplace_back("name", from_name);
  const Entry* entry = entry_id.empty() ? nullptr : turn.context.catalog.find_entry(entry_id);
  if (entry) {
    params.emplace_back("title", entry->title.in(language));
    params.emplace_back("purpose", entry->purpose.in(language));
  } else {
    key += ".general";
  }
  Outgoing message{friend_user, "", texts.render(language, key, params), {}};
  for (const auto& [id, answer] : kAnswers) {
    message.choices.push_back(
        {std::string(id), texts.render(language, "choice." + std::string(id))});
  }
  return message;
}

void send_nudge(Turn& turn, bool named) {
  const UserRef friend_user = turn.conversation.nudge_friend;
  const std::string entry_id = turn.conversation.entry_id;
  const std::string label = turn.conversation.nudge_friend_label;
  if (!nudge_allowed(turn, friend_user)) {
    refuse(turn);
    return;
  }
  std::string from_name = turn.display_name();
  if (from_name.empty()) from_name = shown_name(turn.incoming.user);
  turn.commands.push_back(SendNudge{turn.incoming.user, from_name, friend_user, entry_id, named,
                                    friend_message(turn, friend_user, entry_id, named, from_name)});
  turn.say(turn.text("nudge.sent", {{"friend", label}}));
  go_menu(turn);
}

std::optional<NudgeAnswer> nudge_answer_in(const Turn& turn, const std::vector<std::string>& typed,
                                           bool at_rest) {
  const std::string& choice = turn.incoming.choice_id;
  for (const auto& [id, answer] : kAnswers) {
    if (choice.empty() ? at_rest && says(typed, phrases_of(turn, "input." + std::string(id)))
                       : choice == id) {
      return answer;
    }
  }
  return std::nullopt;
}

}  // namespace

Language language_for(const Turn& turn, const UserRef& user) {
  return turn.context.view.language_of(user).value_or(turn.context.default_language);
}

std::string shown_name(const UserRef& user) {
  const std::string platform = platform_of(user);
  if (platform.empty()) return user;
  std::string rest = user.substr(platform.size() + 1);
  if (platform == "slack") {  // "slack:T0123:U0456": the user is the last part
    const auto colon = rest.rfind(':');
    if (colon != std::string::npos) rest = rest.substr(colon + 1);
  }
  return rest;
}

std::string date_of(std::chrono::sys_seconds time) {
  const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(time)};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return buffer;
}

void begin_nudge(Turn& turn) { start_nudge(turn, std::nullopt, {}, std::nullopt); }

bool begin_nudge_from_words(Turn& turn, const std::string& text,
                            const std::vector<std::string>& typed, bool free_text_step) {
  if (typed.empty()) return false;
  std::vector<std::string> tokens = raw_tokens(text);
  const auto command = std::find_if(tokens.begin(), tokens.end(), [](const std::string& token) {
    return !typed_words(token).empty();
  });
  if (command == tokens.end() ||
      !says(typed_words(*command), phrases_of(turn, "input.nudge.start"))) {
    return false;
  }
  std::vector<std::string> rest(command + 1, tokens.end());
  std::optional<UserRef> friend_user;
  std::string label;
  const auto mention = find_mention_token(rest);
  if (!turn.incoming.mentions.empty()) {
    friend_user = turn.incoming.mentions.front();
    if (mention != rest.end()) {
      label = trim_token(*mention);
      rest.erase(mention);
    }
  } else if (platform_of(turn.incoming.user) == "console" && !rest.empty() &&
             (mention == rest.begin() || !free_text_step)) {
    const std::string name = console_name(trim_token(rest.front()));
    if (!name.empty()) {
      friend_user = "console:" + name;
      label = name;
      rest.erase(rest.begin());
    }
  }
  // Free text that happens to start with "tap" is no command unless it names someone.
  if (free_text_step && !friend_user) return false;
  const auto role_words = typed_words(join(rest, " "));
  start_nudge(turn, friend_user, label,
              role_words.empty() ? std::nullopt : role_named_in(turn, role_words));
  return true;
}

void prompt_nudge_who(Turn& turn) {
  turn.ask(
      turn.text(platform_of(turn.incoming.user) == "console" ? "nudge.who.console" : "nudge.who"),
      {turn.choice("nudge.cancel"), turn.choice("nav.menu")});
}

bool answer_nudge_who(Turn& turn, const Answer& answer) {
  if (chose(answer, "nudge.cancel")) {
    cancel_nudge(turn);
    return true;
  }
  if (answer.button || !answer.chosen.empty() || answer.text.empty()) return false;
  std::vector<std::string> tokens = raw_tokens(answer.text);
  bool taken = false;
  if (!turn.incoming.mentions.empty()) {
    const auto mention = find_mention_token(tokens);
    taken = take_friend(turn, turn.incoming.mentions.front(),
                        mention == tokens.end() ? std::string{} : trim_token(*mention));
  } else if (platform_of(turn.incoming.user) == "console" && !tokens.empty() &&
             !console_name(trim_token(tokens.front())).empty()) {
    const std::string name = console_name(trim_token(tokens.front()));
    taken = take_friend(turn, "console:" + name, name);
  } else {
    turn.say(turn.text("nudge.who.unknown"));
    prompt(turn);
    return true;
  }
  if (taken) go(turn, turn.conversation.entry_id.empty() ? "nudge.role" : "nudge.confirm");
  return true;
}

void prompt_nudge_role(Turn& turn) {
  if (turn.conversation.nudge_friend.empty()) {
    go(turn, "nudge.who");
    return;
  }
  std::vector<Choice> choices;
  for (const auto& entry : turn.entries()) {
    if (entry.kind != EntryKind::role) continue;
    if (turn.context.view.coverage(entry.id).filled >= std::max(entry.places, 1)) continue;
    choices.push_back({std::string(kRoleChoice) + entry.id, entry.title.in(turn.language)});
  }
  choices.push_back(turn.choice("nudge.general"));
  choices.push_back(turn.choice("nudge.cancel"));
  turn.ask(turn.text("nudge.role", {{"friend", turn.conversation.nudge_friend_label}}),
           std::move(choices));
}

bool answer_nudge_role(Turn& turn, const Answer& answer) {
  if (answer.chosen.empty()) return false;
  const std::string& choice = answer.chosen.front();
  if (choice == "nudge.cancel") {
    cancel_nudge(turn);
    return true;
  }
  if (choice == "nudge.general") {
    turn.conversation.entry_id.clear();
  } else if (choice.starts_with(kRoleChoice) &&
             turn.context.catalog.find_entry(choice.substr(kRoleChoice.size()))) {
    turn.conversation.entry_id = choice.substr(kRoleChoice.size());
  } else {
    return false;
  }
  go(turn, "nudge.confirm");
  return true;
}

void prompt_nudge_confirm(Turn& turn) {
  if (turn.conversation.nudge_friend.empty()) {
    go(turn, "nudge.who");
    return;
  }
  const std::string& entry_id = turn.conversation.entry_id;
  const Params params = {{"friend", turn.conversation.nudge_friend_label},
                         {"title", title_of(turn, entry_id)},
                         {"campaign", turn.campaign_name()}};
  turn.ask(turn.text(entry_id.empty() ? "nudge.confirm.general" : "nudge.confirm", params),
           {turn.choice("nudge.send.named"), turn.choice("nudge.send.anonymous"),
            turn.choice("nudge.cancel")});
}

bool answer_nudge_confirm(Turn& turn, const Answer& answer) {
  if (chose(answer, "nudge.cancel")) {
    cancel_nudge(turn);
  } else if (chose(answer, "nudge.send.named") || chose(answer, "nudge.send.anonymous")) {
    send_nudge(turn, chose(answer, "nudge.send.named"));
  } else {
    return false;
  }
  return true;
}

bool answer_open_nudge(Turn& turn, const std::vector<std::string>& typed, bool at_rest) {
  const auto answer = nudge_answer_in(turn, typed, at_rest);
  if (!answer) return false;
  const auto nudge = turn.context.view.open_nudge_for(turn.incoming.user);
  if (!nudge) return false;
  turn.commands.push_back(AnswerNudge{turn.incoming.user, nudge->id, *answer});
  switch (*answer) {
    case NudgeAnswer::more: {
      // The nudger learns only this: that the friend wants to hear more.
      std::string friend_name = turn.display_name();
      if (friend_name.empty()) friend_name = shown_name(turn.incoming.user);
      turn.replies.push_back(
          {nudge->from,
           "",
           turn.context.texts.render(language_for(turn, nudge->from), "nudge.interested",
                                     {{"friend", friend_name}}),
           {}});
      const bool role =
          !nudge->entry_id.empty() && turn.context.catalog.find_entry(nudge->entry_id) != nullptr;
      turn.say(turn.text(role ? "nudge.answer.more" : "nudge.answer.more.general",
                         {{"campaign", turn.campaign_name()}}));
      if (!role || !show_details(turn, nudge->entry_id)) go_menu(turn);
      break;
    }
    case NudgeAnswer::no:
      turn.say(turn.text("nudge.answer.no"));
      break;
    case NudgeAnswer::never:
    case NudgeAnswer::none:
      turn.say(turn.text("nudge.answer.never"));
      break;
  }
  return true;
}

}  // namespace prik::dialogs
