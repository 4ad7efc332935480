// The steps that end in a command: applying (alone or as a pair), withdrawing, asking for a human.
#include <algorithm>
#include <optional>

#include "dialogs/flow.hpp"

namespace prik::dialogs {
namespace {

constexpr std::size_t kMaxPartnerBytes = 300;

bool chose(const Answer& answer, std::string_view id) {
  return !answer.chosen.empty() && answer.chosen.front() == id;
}

// Yes or no; neither when the answer says both ("no, don't send it") or something else.
std::optional<bool> yes_or_no(const Answer& answer) {
  const auto has = [&](std::string_view id) {
    return std::find(answer.chosen.begin(), answer.chosen.end(), id) != answer.chosen.end();
  };
  const bool yes = has("confirm.yes");
  const bool no = has("confirm.no") || has("apply.cancel");
  if (yes == no) return std::nullopt;
  return yes;
}

// Free text that answers a step asking for words, as opposed to a choice.
bool wrote(const Answer& answer) {
  return !answer.button && !answer.text.empty() && answer.chosen.empty();
}

// A partner Prik can write to and ask to confirm: a UserRef on the applicant's own platform (a
// mention), not a name typed in the terminal.
bool reachable_partner(const Turn& turn, const std::string& partner) {
  const std::string platform = platform_of(partner);
  return !platform.empty() && platform == platform_of(turn.incoming.user) &&
         partner != turn.incoming.user;
}

// The message asking the partner to confirm, in their language.
Outgoing partner_request(const Turn& turn, const UserRef& partner, const std::string& entry_id,
                         const std::string& words) {
  const Language language = language_for(turn, partner);
  const Texts& texts = turn.context.texts;
  const Entry* entry = turn.context.catalog.find_entry(entry_id);
  const Campaign* campaign = turn.context.catalog.campaign_of(entry_id);
  std::string name = turn.display_name();
  if (name.empty()) name = shown_name(turn.incoming.user);
  Outgoing request{
      partner,
      "",
      texts.render(language, "partner.request",
                   {{"name", name},
                    {"campaign", campaign ? campaign->name.in(language) : turn.context.campaign_id},
                    {"title", entry ? entry->title.in(language) : entry_id},
                    {"words", words}}),
      {}};
  for (const std::string id : {"partner.confirm", "partner.decline"}) {
    request.choices.push_back({id, texts.render(language, "choice." + id)});
  }
  return request;
}

std::optional<bool> partner_answer_in(const Turn& turn, const std::vector<std::string>& typed,
                                      bool at_rest) {
  const std::string& choice = turn.incoming.choice_id;
  if (!choice.empty()) {
    if (choice == "partner.confirm") return true;
    if (choice == "partner.decline") return false;
    return std::nullopt;
  }
  if (!at_rest) return std::nullopt;
  if (says(typed, phrases_of(turn, "input.partner.confirm"))) return true;
  if (says(typed, phrases_of(turn, "input.partner.decline"))) return false;
  return std::nullopt;
}

void cancel_apply(Turn& turn) {
  turn.say(turn.text("apply.cancelled", {{"title", title_of(turn, turn.conversation.entry_id)}}));
  turn.conversation.words.clear();
  turn.conversation.partner.reset();
  turn.conversation.partner_label.clear();
  go(turn, "details");
}

void refuse_second_application(Turn& turn, const std::string& entry_id) {
  const std::string title = title_of(turn, entry_id);
  turn.conversation.state = "details";
  turn.ask(turn.text("apply.already", {{"title", title}}),
           {{"withdraw." + entry_id, turn.text("choice.withdraw", {{"title", title}})},
            turn.choice("menu.mine"),
            turn.choice("nav.menu")});
}

}  // namespace

std::string status_text(const Turn& turn, ApplicationStatus status) {
  switch (status) {
    case ApplicationStatus::pending:
      return turn.text("application.pending");
    case ApplicationStatus::approved:
      return turn.text("application.approved");
    case ApplicationStatus::declined:
      return turn.text("application.declined");
    case ApplicationStatus::withdrawn:
      break;
  }
  return turn.text("application.withdrawn");
}

void begin_apply(Turn& turn, const std::string& entry_id, bool pair) {
  const Entry* entry = turn.context.catalog.find_entry(entry_id);
  if (!entry) {
    turn.say(turn.text("not_understood.button"));
    go_menu(turn);
    return;
  }
  turn.conversation.entry_id = entry_id;
  const std::string title = entry->title.in(turn.language);
  if (entry->kind == EntryKind::position) {
    const PositionDetails details = entry->position.value_or(PositionDetails{});
    turn.say(turn.text("apply.position", {{"title", title},
                                          {"how_to_apply", details.how_to_apply.in(turn.language)},
                                          {"email", details.contact_email}}));
    go(turn, "details");
    return;
  }
  if (entry->kind == EntryKind::lead) {
    turn.say(turn.text("apply.lead", {{"title", title}}));
    go(turn, "details");
    return;
  }
  if (has_active_application(turn, entry_id)) {
    refuse_second_application(turn, entry_id);
    return;
  }
  turn.conversation.words.clear();
  turn.conversation.partner.reset();
  turn.conversation.partner_label.clear();
  go(turn, pair ? "apply.partner" : "apply.words");
}

void prompt_partner(Turn& turn) {
  turn.ask(turn.text("apply.partner", {{"title", title_of(turn, turn.conversation.entry_id)}}),
           {turn.choice("apply.cancel"), turn.choice("nav.menu")});
}

bool answer_partner(Turn& turn, const Answer& answer) {
  if (chose(answer, "apply.cancel")) {
    cancel_apply(turn);
    return true;
  }
  if (!wrote(answer) && turn.incoming.mentions.empty()) return false;
  if (!turn.incoming.mentions.empty()) {
    turn.conversation.partner = clean_text(turn.incoming.mentions.front(), kMaxPartnerBytes);
  } else {
    turn.conversation.partner = clean_text(answer.text, kMaxPartnerBytes);
  }
  const std::string label = clean_text(answer.text, kMaxPartnerBytes);
  turn.conversation.partner_label = label.empty() ? *turn.conversation.partner : label;
  go(turn, "apply.words");
  return true;
}

void prompt_words(Turn& turn) {
  const std::string title = title_of(turn, turn.conversation.entry_id);
  const std::string message =
      turn.conversation.partner
          ? turn.text("apply.words.pair",
                      {{"title", title}, {"partner", turn.conversation.partner_label}})
          : turn.text("apply.words", {{"title", title}});
  turn.ask(message, {turn.choice("apply.cancel"), turn.choice("nav.menu")});
}

bool answer_words(Turn& turn, const Answer& answer) {
  if (chose(answer, "apply.cancel")) {
    cancel_apply(turn);
    return true;
  }
  if (!wrote(answer)) return false;
  turn.conversation.words = answer.text;
  go(turn, "apply.confirm");
  return true;
}

void prompt_confirm(Turn& turn) {
  if (turn.conversation.words.empty()) {  // nothing to send yet
    go(turn, "apply.words");
    return;
  }
  const Params params = {{"title", title_of(turn, turn.conversation.entry_id)},
                         {"partner", turn.conversation.partner_label},
                         {"words", turn.conversation.words}};
  turn.ask(turn.text(turn.conversation.partner ? "apply.summary.pair" : "apply.summary", params),
           {turn.choice("confirm.yes"), turn.choice("confirm.no")});
}

bool answer_confirm(Turn& turn, const Answer& answer) {
  const auto decision = yes_or_no(answer);
  if (!decision) return false;
  if (!*decision) {
    cancel_apply(turn);
    return true;
  }
  const std::string entry_id = turn.conversation.entry_id;
  if (has_active_application(turn, entry_id)) {
    refuse_second_application(turn, entry_id);
    return true;
  }
  SubmitApplication submit{turn.incoming.user,      turn.display_name(),       entry_id,
                           turn.conversation.words, turn.conversation.partner, std::nullopt};
  const bool ask_partner = submit.partner && reachable_partner(turn, *submit.partner);
  if (ask_partner) {
    submit.partner_request = partner_request(turn, *submit.partner, entry_id, submit.words);
  }
  turn.commands.push_back(std::move(submit));
  const Params params = {{"title", title_of(turn, entry_id)},
                         {"partner", turn.conversation.partner_label},
                         {"campaign", turn.campaign_name()}};
  const char* key = ask_partner                 ? "apply.sent.pair.asked"
                    : turn.conversation.partner ? "apply.sent.pair"
                                                : "apply.sent";
  turn.say(turn.text(key, params));
  go_menu(turn);
  return true;
}

void prompt_mine(Turn& turn) {
  const auto applications = turn.context.view.applications_of(turn.incoming.user);
  if (applications.empty()) {
    turn.ask(turn.text("mine.none"),
             {turn.choice("menu.find"), turn.choice("menu.browse"), turn.choice("nav.menu")});
    return;
  }
  std::vector<std::string> lines;
  std::vector<Choice> choices;
  for (const auto& application : applications) {
    const std::string title = title_of(turn, application.entry_id);
    const Params params = {{"title", title},
                           {"status", status_text(turn, application.status)},
                           {"partner", application.partner.value_or(std::string{})}};
    lines.push_back(turn.text(application.partner ? "mine.line.pair" : "mine.line", params));
    const bool active = application.status == ApplicationStatus::pending ||
                        application.status == ApplicationStatus::approved;
    const std::string id = "withdraw." + application.entry_id;
    const bool listed = std::any_of(choices.begin(), choices.end(),
                                    [&](const Choice& choice) { return choice.id == id; });
    if (active && !listed) {
      choices.push_back({id, turn.text("choice.withdraw", {{"title", title}})});
    }
  }
  choices.push_back(turn.choice("nav.menu"));
  turn.ask(turn.text("mine.intro") + "\n\n" + join(lines, "\n"), std::move(choices));
}

void begin_withdraw(Turn& turn, const std::string& entry_id) {
  if (!has_active_application(turn, entry_id)) {
    turn.say(turn.text("withdraw.nothing", {{"title", title_of(turn, entry_id)}}));
    go(turn, "mine");
    return;
  }
  turn.conversation.entry_id = entry_id;
  go(turn, "withdraw.confirm");
}

void prompt_withdraw(Turn& turn) {
  turn.ask(turn.text("withdraw.confirm", {{"title", title_of(turn, turn.conversation.entry_id)}}),
           {turn.choice("confirm.yes"), turn.choice("confirm.no")});
}

bool answer_withdraw(Turn& turn, const Answer& answer) {
  const std::string entry_id = turn.conversation.entry_id;
  const Params params = {{"title", title_of(turn, entry_id)}};
  const auto decision = yes_or_no(answer);
  if (!decision) return false;
  if (!*decision) {
    turn.say(turn.text("withdraw.kept", params));
    go(turn, "mine");
    return true;
  }
  if (has_active_application(turn, entry_id)) {
    turn.commands.push_back(WithdrawApplication{turn.incoming.user, entry_id});
    turn.say(turn.text("withdraw.done", params));
  } else {
    turn.say(turn.text("withdraw.nothing", params));
  }
  go_menu(turn);
  return true;
}

void prompt_human(Turn& turn) {
  turn.ask(turn.text("human.ask"), {turn.choice("human.skip"), turn.choice("nav.menu")});
}

bool answer_human(Turn& turn, const Answer& answer) {
  const bool skip = chose(answer, "human.skip");
  if (!skip && !wrote(answer)) return false;
  turn.commands.push_back(RequestHuman{turn.incoming.user, turn.display_name(),
                                       turn.incoming.conversation,
                                       skip ? std::string{} : answer.text});
  turn.say(turn.text("human.requested"));
  go_menu(turn);
  return true;
}

bool answer_partner_request(Turn& turn, const std::vector<std::string>& typed, bool at_rest) {
  const auto accepted = partner_answer_in(turn, typed, at_rest);
  if (!accepted) return false;
  const auto requests = turn.context.view.partner_requests_for(turn.incoming.user);
  if (requests.empty()) return false;
  const auto newest =
      std::max_element(requests.begin(), requests.end(),
                       [](const auto& a, const auto& b) { return a.submitted < b.submitted; });
  turn.commands.push_back(ConfirmPartner{turn.incoming.user, newest->id, *accepted});

  std::string partner_name = turn.display_name();
  if (partner_name.empty()) partner_name = shown_name(turn.incoming.user);
  const Language applicant_language = language_for(turn, newest->user);
  const Entry* entry = turn.context.catalog.find_entry(newest->entry_id);
  const std::string applicant_title =
      entry ? entry->title.in(applicant_language) : newest->entry_id;
  turn.replies.push_back(
      {newest->user,
       "",
       turn.context.texts.render(
           applicant_language,
           *accepted ? "partner.confirmed.applicant" : "partner.declined.applicant",
           {{"partner", partner_name}, {"title", applicant_title}}),
       {}});

  const std::string applicant_name =
      newest->display_name.empty() ? shown_name(newest->user) : newest->display_name;
  turn.say(turn.text(*accepted ? "partner.confirmed" : "partner.declined",
                     {{"name", applicant_name}, {"title", title_of(turn, newest->entry_id)}}));
  prompt(turn);  // where the partner was, or the menu
  return true;
}

}  // namespace prik::dialogs
