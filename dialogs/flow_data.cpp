// A person's data rights: "mine data" / "my data" shows everything Prik keeps about them in one
// message; "slet mine data" / "delete my data" erases it after a confirmation (ForgetPerson). Only
// the opt-out outlives it, as a one-way fingerprint, so "never write to me again" still holds.
#include "dialogs/flow.hpp"

namespace prik::dialogs {
namespace {

std::string section(const Turn& turn, std::string_view heading_key,
                    const std::vector<std::string>& lines) {
  return turn.text(heading_key) + "\n" + join(lines, "\n");
}

// The role a nudge was about, or the campaign in general.
std::string nudge_subject(const Turn& turn, const std::string& entry_id) {
  if (entry_id.empty())
    return turn.text("data.nudge.general", {{"campaign", turn.campaign_name()}});
  return title_of(turn, entry_id);
}

std::string answer_text(const Turn& turn, NudgeAnswer answer) {
  switch (answer) {
    case NudgeAnswer::more:
      return turn.text("data.answer.more");
    case NudgeAnswer::no:
      return turn.text("data.answer.no");
    case NudgeAnswer::never:
      return turn.text("data.answer.never");
    case NudgeAnswer::none:
      break;
  }
  return turn.text("data.answer.none");
}

std::string partner_text(const Turn& turn, const ApplicationDetails& application) {
  const std::string partner = shown_name(application.partner.value_or(std::string{}));
  switch (application.partner_status) {
    case PartnerStatus::waiting:
      return turn.text("data.partner.waiting", {{"partner", partner}});
    case PartnerStatus::confirmed:
      return turn.text("data.partner.confirmed", {{"partner", partner}});
    case PartnerStatus::declined:
      return turn.text("data.partner.declined", {{"partner", partner}});
    case PartnerStatus::none:
      break;
  }
  return partner;
}

// What the conversation itself holds: the interview's answers and an application being written.
std::vector<std::string> conversation_lines(const Turn& turn) {
  const Conversation& conversation = turn.conversation;
  std::vector<std::string> lines;
  if (!conversation.interests.empty()) {
    std::vector<std::string> labels;
    for (const auto& id : conversation.interests) {
      const Interest* interest = turn.find_interest(id);
      labels.push_back(interest ? interest->label.in(turn.language) : id);
    }
    lines.push_back(turn.text("data.interests", {{"interests", join(labels, ", ")}}));
  }
  if (conversation.hours_per_week) {
    lines.push_back(
        turn.text("data.hours", {{"hours", std::to_string(*conversation.hours_per_week)}}));
  }
  if (!conversation.about.empty()) {
    lines.push_back(turn.text("data.about", {{"about", conversation.about}}));
  }
  if (!conversation.words.empty()) {
    lines.push_back(turn.text("data.draft", {{"title", title_of(turn, conversation.entry_id)},
                                             {"words", conversation.words}}));
  }
  return lines;
}

std::vector<std::string> application_lines(const Turn& turn, const PersonalData& data) {
  std::vector<std::string> lines;
  for (const auto& application : data.applications) {
    const std::string title = title_of(turn, application.entry_id);
    const std::string status = status_text(turn, application.status);
    if (application.user != turn.incoming.user) {  // someone named them as partner
      const std::string name = application.display_name.empty() ? shown_name(application.user)
                                                                : application.display_name;
      lines.push_back(turn.text("data.application.partner_of",
                                {{"title", title}, {"name", name}, {"status", status}}));
      continue;
    }
    const Params params = {{"title", title},
                           {"status", status},
                           {"words", application.words},
                           {"partner", partner_text(turn, application)},
                           {"date", date_of(application.submitted)}};
    lines.push_back(
        turn.text(application.partner ? "data.application.pair" : "data.application", params));
  }
  return lines;
}

std::vector<std::string> nudge_lines(const Turn& turn, const PersonalData& data) {
  std::vector<std::string> lines;
  for (const auto& nudge : data.nudges_sent) {
    // The nudger learns of an answer only that the friend wants to hear more.
    const Params params = {{"friend", shown_name(nudge.to)},
                           {"title", nudge_subject(turn, nudge.entry_id)},
                           {"date", date_of(nudge.sent)}};
    lines.push_back(turn.text(
        nudge.answer == NudgeAnswer::more ? "data.nudge_sent.more" : "data.nudge_sent", params));
  }
  return lines;
}

std::vector<std::string> received_lines(const Turn& turn, const PersonalData& data) {
  std::vector<std::string> lines;
  for (const auto& nudge : data.nudges_received) {
    Params params = {{"title", nudge_subject(turn, nudge.entry_id)},
                     {"date", date_of(nudge.sent)},
                     {"answer", answer_text(turn, nudge.answer)}};
    if (nudge.named) {
      params.emplace_back("name", nudge.from_name);
      lines.push_back(turn.text("data.nudge_received.named", params));
    } else {
      lines.push_back(turn.text("data.nudge_received.anonymous", params));
    }
  }
  return lines;
}

std::vector<std::string> handoff_lines(const Turn& turn, const PersonalData& data) {
  std::vector<std::string> lines;
  for (const auto& handoff : data.handoffs) {
    const std::string date = date_of(handoff.requested);
    lines.push_back(handoff.words.empty()
                        ? turn.text("data.handoff.no_words", {{"date", date}})
                        : turn.text("data.handoff", {{"date", date}, {"words", handoff.words}}));
  }
  return lines;
}

}  // namespace

bool data_command(Turn& turn, const std::vector<std::string>& typed) {
  if (says(typed, phrases_of(turn, "input.data.show"))) {
    go(turn, "data");
    return true;
  }
  if (says(typed, phrases_of(turn, "input.data.delete"))) {
    go(turn, "data.delete.confirm");
    return true;
  }
  return false;
}

void prompt_data(Turn& turn) {
  const PersonalData data = turn.context.view.personal_data(turn.incoming.user);
  std::vector<std::string> sections = {
      turn.text("data.intro"),
      turn.text("data.language",
                {{"language", turn.text(turn.language == Language::da ? "data.language.da"
                                                                      : "data.language.en")}})};
  const auto add = [&](std::string_view heading_key, const std::vector<std::string>& lines) {
    if (!lines.empty()) sections.push_back(section(turn, heading_key, lines));
  };
  const auto working = conversation_lines(turn);
  if (working.empty()) {
    sections.push_back(turn.text("data.conversation.none"));
  } else {
    add("data.conversation", working);
  }
  add("data.applications", application_lines(turn, data));
  add("data.nudges_sent", nudge_lines(turn, data));
  add("data.nudges_received", received_lines(turn, data));
  add("data.handoffs", handoff_lines(turn, data));
  if (data.opted_out || turn.context.view.opted_out(turn.incoming.user)) {
    sections.push_back(turn.text("data.opted_out"));
  }
  sections.push_back(turn.text("data.footer"));
  turn.ask(join(sections, "\n\n"), {turn.choice("data.delete"), turn.choice("nav.menu")});
}

void prompt_data_delete(Turn& turn) {
  turn.ask(turn.text("data.delete.confirm"),
           {turn.choice("data.delete.yes"), turn.choice("data.delete.no")});
}

bool answer_data_delete(Turn& turn, const Answer& answer) {
  if (answer.chosen.empty()) return false;
  const std::string& choice = answer.chosen.front();
  if (choice == "data.delete.no") {
    turn.say(turn.text("data.delete.kept"));
    go_menu(turn);
    return true;
  }
  if (choice != "data.delete.yes") return false;
  const bool opted_out = turn.context.view.opted_out(turn.incoming.user);
  turn.commands.push_back(ForgetPerson{turn.incoming.user});
  // Not stored after ForgetPerson; a new message starts afresh.
  turn.conversation = Conversation{};
  turn.ask(turn.text(opted_out ? "data.deleted.opted_out" : "data.deleted"),
           {turn.choice("nav.menu")});
  return true;
}

}  // namespace prik::dialogs
