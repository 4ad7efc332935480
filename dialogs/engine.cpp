#include "dialogs/engine.hpp"

#include <algorithm>
#include <array>

#include "dialogs/coordinators.hpp"
#include "dialogs/flow.hpp"

namespace prik::dialogs {
namespace {

constexpr std::size_t kMaxChoiceIdBytes = 300;
constexpr std::size_t kMaxNameBytes = 200;
// What the Matrix adapter delivers, once per room, for a room whose messages it cannot read.
constexpr std::string_view kEncryptedRoomChoice = "matrix.encrypted";

constexpr std::array<std::string_view, 5> kMenuChoices = {"menu.find", "menu.browse", "menu.nudge",
                                                          "menu.mine", "menu.human"};

struct Step {
  std::string_view state;
  void (*prompt)(Turn&);
  bool (*answer)(Turn&, const Answer&);  // nullptr: the step only has choices that work anywhere
  Matching matching;
};

void prompt_menu(Turn& turn);

constexpr std::array<Step, 18> kSteps = {{
    {"menu", prompt_menu, nullptr, Matching::fuzzy},
    {"browse", prompt_browse, nullptr, Matching::fuzzy},
    {"details", prompt_details, answer_details, Matching::fuzzy},
    {"interview.interests", prompt_interests, answer_interests, Matching::fuzzy},
    {"interview.hours", prompt_hours, answer_hours, Matching::fuzzy},
    {"interview.about", prompt_about, answer_about, Matching::whole},
    {"results", prompt_results, nullptr, Matching::fuzzy},
    {"apply.partner", prompt_partner, answer_partner, Matching::whole},
    {"apply.words", prompt_words, answer_words, Matching::whole},
    {"apply.confirm", prompt_confirm, answer_confirm, Matching::fuzzy},
    {"mine", prompt_mine, nullptr, Matching::fuzzy},
    {"withdraw.confirm", prompt_withdraw, answer_withdraw, Matching::fuzzy},
    {"human.about", prompt_human, answer_human, Matching::whole},
    {"nudge.who", prompt_nudge_who, answer_nudge_who, Matching::whole},
    {"nudge.role", prompt_nudge_role, answer_nudge_role, Matching::fuzzy},
    {"nudge.confirm", prompt_nudge_confirm, answer_nudge_confirm, Matching::fuzzy},
    {"data", prompt_data, nullptr, Matching::fuzzy},
    {"data.delete.confirm", prompt_data_delete, answer_data_delete, Matching::fuzzy},
}};

const Step* find_step(std::string_view state) {
  for (const auto& step : kSteps) {
    if (step.state == state) return &step;
  }
  return nullptr;
}

std::optional<Language> language_of_locale(std::string_view locale) {
  if (locale.size() < 2) return std::nullopt;
  const auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  const std::string code{lower(locale[0]), lower(locale[1])};
  return parse_language(code);
}

std::vector<std::string> both_languages(const Turn& turn, std::string_view key,
                                        const Params& params = {}) {
  return {turn.context.texts.render(Language::da, key, params),
          turn.context.texts.render(Language::en, key, params)};
}

// How a choice shown earlier can be referred to in words.
Option option_for(const Turn& turn, const std::string& id) {
  Option option{id, {}, {}};
  const auto dot = id.find('.');
  const std::string_view kind = std::string_view(id).substr(0, dot);
  const std::string rest = dot == std::string::npos ? std::string{} : id.substr(dot + 1);
  if (kind == "role") {
    if (const Entry* entry = turn.context.catalog.find_entry(rest)) {
      option.labels = {entry->title.da, entry->title.en};
      option.keywords = entry->keywords;
    }
  } else if (id.starts_with("nudge.role.")) {
    if (const Entry* entry = turn.context.catalog.find_entry(id.substr(11))) {
      option.labels = {entry->title.da, entry->title.en};
      option.keywords = entry->keywords;
    }
  } else if (kind == "interest") {
    if (const Interest* interest = turn.find_interest(rest)) {
      option.labels = {interest->label.da, interest->label.en};
      option.keywords = interest->synonyms;
    }
  } else if (id.starts_with("apply.role.") || kind == "withdraw") {
    const std::string entry_id = kind == "withdraw" ? rest : id.substr(11);
    if (const Entry* entry = turn.context.catalog.find_entry(entry_id)) {
      const std::string key = kind == "withdraw" ? "choice.withdraw" : "choice.results.apply";
      option.labels = both_languages(turn, key, {{"title", entry->title.in(turn.language)}});
    }
  } else {
    option.labels = both_languages(turn, "choice." + id);
    option.keywords = phrases_of(turn, "input." + id);
  }
  return option;
}

Answer understand(const Turn& turn, const Step& step, const std::string& text,
                  const std::vector<std::string>& typed) {
  Answer answer;
  if (!turn.incoming.choice_id.empty()) {
    answer.button = true;
    answer.chosen.push_back(clean_text(turn.incoming.choice_id, kMaxChoiceIdBytes));
    return answer;
  }
  answer.text = text;
  std::vector<Option> options;
  options.reserve(turn.conversation.offered.size());
  for (const auto& id : turn.conversation.offered) options.push_back(option_for(turn, id));
  Selection selection = select(typed, options, step.matching);
  answer.chosen = std::move(selection.ids);
  answer.numbers_only = selection.numbers_only;
  answer.by_keyword_only = selection.by_keyword_only;
  answer.unknown_numbers = std::move(selection.unknown_numbers);
  return answer;
}

// The campaign's entries and every position, for a role named anywhere in a message.
std::optional<std::string> mentioned_entry(const Turn& turn,
                                           const std::vector<std::string>& typed) {
  std::vector<Option> options;
  for (const auto& campaign : turn.context.catalog.campaigns) {
    const bool own = campaign.id == turn.context.campaign_id;
    for (const auto& entry : campaign.entries) {
      if (!own && entry.kind != EntryKind::position) continue;
      options.push_back({"role." + entry.id, {entry.title.da, entry.title.en}, {}});
    }
  }
  const Selection selection = select(typed, options, Matching::fuzzy);
  if (selection.ids.empty()) return std::nullopt;
  return selection.ids.front().substr(5);
}

bool global_command(Turn& turn, const Step& step, const std::string& text,
                    const std::vector<std::string>& typed) {
  if (data_command(turn, typed)) return true;
  if (begin_nudge_from_words(turn, text, typed, step.matching == Matching::whole)) return true;
  for (const Language language : {Language::da, Language::en}) {
    const std::string key = language == Language::da ? "input.language.da" : "input.language.en";
    if (!says(typed, phrases_of(turn, key))) continue;
    turn.language = language;
    turn.conversation.language = language;
    turn.say(turn.text("language.switched"));
    prompt(turn);
    return true;
  }
  if (says(typed, phrases_of(turn, "input.start_over"))) {
    go_menu(turn);
    return true;
  }
  if (says(typed, phrases_of(turn, "input.help"))) {
    turn.say(turn.text("help", {{"campaign", turn.campaign_name()}}));
    prompt(turn);
    return true;
  }
  // Someone coming back says hello before anything else: greet them and show where they are.
  // A thank-you gets a kind word back the same way, not "I didn't understand".
  for (const std::string_view kind : {"greeting", "thanks"}) {
    if (says(typed, phrases_of(turn, "input." + std::string(kind)))) {
      turn.say(turn.text(kind));
      prompt(turn);
      return true;
    }
  }
  return false;
}

void not_understood(Turn& turn, const Answer& answer) {
  if (!answer.unknown_numbers.empty()) {
    turn.say(turn.text("not_understood.number",
                       {{"number", std::to_string(answer.unknown_numbers.front())},
                        {"count", std::to_string(turn.conversation.offered.size())}}));
  } else if (answer.button) {
    turn.say(turn.text("not_understood.button"));
  } else {
    turn.say(turn.text("not_understood"));
  }
}

void prompt_menu(Turn& turn) {
  std::vector<Choice> choices;
  for (const auto id : kMenuChoices) choices.push_back(turn.choice(std::string(id)));
  turn.ask(turn.text("menu.prompt"), std::move(choices));
}

void welcome(Turn& turn) {
  const std::string name = turn.display_name();
  if (name.empty()) {
    turn.say(turn.text("welcome.anonymous", {{"campaign", turn.campaign_name()}}));
  } else {
    turn.say(turn.text("welcome.named", {{"name", name}, {"campaign", turn.campaign_name()}}));
  }
}

}  // namespace

Turn::Turn(const Conversation& conversation_before, const Incoming& incoming_message,
           const Context& turn_context)
    : context(turn_context),
      incoming(incoming_message),
      conversation(conversation_before),
      language(conversation_before.language.value_or(
          language_of_locale(incoming_message.locale).value_or(turn_context.default_language))) {
  conversation.language = language;
}

std::string Turn::text(std::string_view key, const Params& params) const {
  return context.texts.render(language, key, params);
}

Choice Turn::choice(const std::string& id, const Params& params) const {
  return {id, text("choice." + id, params)};
}

void Turn::say(std::string message) {
  replies.push_back({incoming.user, incoming.conversation, std::move(message), {}});
}

void Turn::ask(std::string message, std::vector<Choice> choices) {
  conversation.offered.clear();
  for (const auto& choice : choices) conversation.offered.push_back(choice.id);
  replies.push_back({incoming.user, incoming.conversation, std::move(message), std::move(choices)});
}

const Campaign* Turn::campaign() const {
  return context.catalog.find_campaign(context.campaign_id);
}

const std::vector<Interest>& Turn::interests() const {
  static const std::vector<Interest> none;
  const Campaign* found = campaign();
  return found ? found->interests : none;
}

const std::vector<Entry>& Turn::entries() const {
  static const std::vector<Entry> none;
  const Campaign* found = campaign();
  return found ? found->entries : none;
}

const Interest* Turn::find_interest(std::string_view interest_id) const {
  for (const auto& interest : interests()) {
    if (interest.id == interest_id) return &interest;
  }
  return nullptr;
}

std::string Turn::campaign_name() const {
  const Campaign* found = campaign();
  return found ? found->name.in(language) : context.campaign_id;
}

std::string Turn::display_name() const { return clean_text(incoming.display_name, kMaxNameBytes); }

void prompt(Turn& turn) {
  const Step* step = find_step(turn.conversation.state);
  if (!step) {
    go_menu(turn);
    return;
  }
  step->prompt(turn);
}

void go(Turn& turn, std::string state) {
  turn.conversation.state = std::move(state);
  prompt(turn);
}

void go_menu(Turn& turn) {
  Conversation fresh;
  fresh.language = turn.language;
  turn.conversation = std::move(fresh);
  go(turn, "menu");
}

bool open(Turn& turn, const std::string& id) {
  if (id == "menu.find") {
    start_interview(turn);
  } else if (id == "menu.browse" || id == "nav.browse") {
    go(turn, "browse");
  } else if (id == "menu.nudge") {
    begin_nudge(turn);
  } else if (id == "menu.mine") {
    go(turn, "mine");
  } else if (id == "menu.human") {
    go(turn, "human.about");
  } else if (id == "data.delete") {
    go(turn, "data.delete.confirm");
  } else if (id == "nav.menu") {
    go_menu(turn);
  } else if (id.starts_with("role.")) {
    return show_details(turn, id.substr(5));
  } else if (id.starts_with("apply.role.")) {
    begin_apply(turn, id.substr(11), false);
  } else if (id.starts_with("withdraw.")) {
    begin_withdraw(turn, id.substr(9));
  } else {
    return false;
  }
  return true;
}

bool has_active_application(const Turn& turn, const std::string& entry_id) {
  const auto applications = turn.context.view.applications_of(turn.incoming.user);
  return std::any_of(applications.begin(), applications.end(), [&](const auto& application) {
    return application.entry_id == entry_id && (application.status == ApplicationStatus::pending ||
                                                application.status == ApplicationStatus::approved);
  });
}

const std::vector<std::string>& phrases_of(const Turn& turn, std::string_view key) {
  return turn.context.texts.phrases(key);
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string joined;
  for (const auto& item : items) {
    if (!joined.empty()) joined += separator;
    joined += item;
  }
  return joined;
}

// Coordinator commands and buttons (flow_coordinators.cpp): true when the message was one, carried
// out for a coordinator or refused for anyone else.
bool coordinator_command(Turn& turn, const std::string& text);

TurnResult handle_turn(const Conversation& conversation, const Incoming& incoming,
                       const Context& context) {
  Turn turn(conversation, incoming, context);
  if (incoming.choice_id == kEncryptedRoomChoice) {
    turn.say(turn.text("matrix.encrypted"));
    return {conversation, std::move(turn.replies), {}};
  }
  const std::string text = clean_text(incoming.text, kMaxStoredTextBytes);
  if (coordinator_command(turn, text)) {
    // A coordinator's command leaves their own conversation where it was; a refusal showed the
    // person's current step again.
    const bool carried_out = is_coordinator(context.catalog, incoming.user, incoming.conversation);
    return {carried_out ? conversation : std::move(turn.conversation), std::move(turn.replies),
            std::move(turn.commands)};
  }
  const std::vector<std::string> typed = typed_words(text);
  const Step* step = find_step(turn.conversation.state);

  const bool at_rest = !step || step->state == "menu";
  if (answer_open_nudge(turn, typed, at_rest) || answer_partner_request(turn, typed, at_rest)) {
    // a friend's or a pair partner's answer to what someone else started
  } else if (!step) {  // first contact, or a step this version no longer has
    if (incoming.choice_id.empty()) {
      for (const Language language : {Language::da, Language::en}) {
        const std::string key =
            language == Language::da ? "input.language.da" : "input.language.en";
        if (says(typed, phrases_of(turn, key))) turn.language = language;
      }
    }
    welcome(turn);
    const bool command = incoming.choice_id.empty() &&
                         (data_command(turn, typed) ||
                          begin_nudge_from_words(turn, text, typed, /*free_text_step=*/false));
    if (!command) go_menu(turn);
  } else if (incoming.choice_id.empty() && text.empty()) {
    prompt(turn);  // what a chat sends when it restarts: show the step the person is at
  } else if (!(incoming.choice_id.empty() && global_command(turn, *step, text, typed))) {
    const Answer answer = understand(turn, *step, text, typed);
    const bool free_words =
        step->matching == Matching::fuzzy && !answer.text.empty() && !answer.numbers_only;
    const auto open_mentioned = [&] {
      const auto entry_id = mentioned_entry(turn, typed);
      return entry_id && show_details(turn, *entry_id);
    };
    // A role named by its title outweighs a choice only hinted at by a keyword: "campaign
    // coordinator" is a role, not a wish to talk to a coordinator.
    bool handled = free_words && answer.by_keyword_only && open_mentioned();
    if (!handled && step->answer) handled = step->answer(turn, answer);
    if (!handled && !answer.chosen.empty()) handled = open(turn, answer.chosen.front());
    if (!handled && free_words && !answer.by_keyword_only) handled = open_mentioned();
    if (!handled) {
      not_understood(turn, answer);
      prompt(turn);
    }
  }
  return {std::move(turn.conversation), std::move(turn.replies), std::move(turn.commands)};
}

}  // namespace prik::dialogs
