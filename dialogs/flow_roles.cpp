// The steps about roles: browsing, a role's details, the interview and its suggestions.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string_view>

#include "dialogs/flow.hpp"

namespace prik::dialogs {
namespace {

constexpr std::size_t kSuggestions = 3;

// The hour buckets offered in the interview: the choice "hours.<n>" stands for about n a week.
constexpr std::array<std::string_view, 5> kHourChoices = {"hours.2", "hours.5", "hours.10",
                                                          "hours.20", "hours.unsure"};

// The hours a week someone wrote with a unit: "about 4 hours", "2-3 timer", "5t" (the largest
// such number; a range counts as its upper end). A bare number stays a choice's number.
std::optional<int> hours_written(std::string_view text) {
  constexpr std::array<std::string_view, 8> units = {"t",    "h",     "hr",   "hrs",
                                                     "time", "timer", "hour", "hours"};
  constexpr int hours_in_a_week = 7 * 24;
  std::optional<int> hours;
  for (std::size_t at = 0; at < text.size();) {
    if (!std::isdigit(static_cast<unsigned char>(text[at]))) {
      ++at;
      continue;
    }
    int number = 0;
    for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
      number = std::min(number * 10 + (text[at] - '0'), hours_in_a_week + 1);
    }
    // The word right after the number, if any: "4 hours", "8t".
    std::size_t next = at;
    while (next < text.size() && text[next] == ' ') ++next;
    std::string word;
    for (; next < text.size() && std::isalpha(static_cast<unsigned char>(text[next])); ++next) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[next])));
    }
    if (number <= hours_in_a_week && std::find(units.begin(), units.end(), word) != units.end()) {
      hours = std::max(hours.value_or(0), number);
    }
  }
  return hours;
}

// The bucket choice for a number of hours a week.
std::string_view hour_choice(int hours) {
  if (hours <= 2) return "hours.2";
  if (hours <= 5) return "hours.5";
  if (hours <= 10) return "hours.10";
  return "hours.20";
}

std::string status_of(const Turn& turn, const Entry& entry) {
  const std::string deadline{entry.position ? entry.position->deadline_local : std::string{}};
  switch (entry.kind) {
    case EntryKind::lead:
      return turn.text("status.lead");
    case EntryKind::position:
      return turn.text(entry.is_open(turn.context.now) ? "status.open" : "status.closed",
                       {{"deadline", deadline}});
    case EntryKind::role:
      break;
  }
  const RoleCoverage coverage = turn.context.view.coverage(entry.id);
  if (coverage.filled >= std::max(coverage.places, 1)) return turn.text("status.filled");
  if (coverage.pending > 0) {
    return turn.text("status.applicants", {{"count", std::to_string(coverage.pending)}});
  }
  return turn.text("status.vacant");
}

std::string hours_of(const Turn& turn, const Entry& entry) {
  if (entry.hours_max <= 0) return turn.text("details.hours.unknown");
  if (entry.hours_min == entry.hours_max || entry.hours_min <= 0) {
    return turn.text("details.hours.about", {{"hours", std::to_string(entry.hours_max)}});
  }
  return turn.text("details.hours.range", {{"min", std::to_string(entry.hours_min)},
                                           {"max", std::to_string(entry.hours_max)}});
}

std::string tasks_of(const Turn& turn, const Entry& entry) {
  std::vector<std::string> lines;
  for (const auto& task : entry.tasks) {
    lines.push_back(turn.text("details.task", {{"task", task.in(turn.language)}}));
  }
  return join(lines, "\n");
}

std::string works_under_of(const Turn& turn, const Entry& entry) {
  if (entry.works_under) {
    if (const Entry* lead = turn.context.catalog.find_entry(*entry.works_under)) {
      return turn.text("details.works_under", {{"lead", lead->title.in(turn.language)}});
    }
  }
  const std::string& note = entry.works_under_note.in(turn.language);
  if (note.empty()) return turn.text("details.works_with_everyone");
  return turn.text("details.works_with_everyone.note", {{"note", note}});
}

void prompt_role(Turn& turn, const Entry& entry) {
  const std::string places =
      entry.places == 1
          ? turn.text("details.places.one")
          : turn.text("details.places.many", {{"count", std::to_string(entry.places)}});
  turn.ask(turn.text("details.role", {{"title", entry.title.in(turn.language)},
                                      {"purpose", entry.purpose.in(turn.language)},
                                      {"tasks", tasks_of(turn, entry)},
                                      {"works_under", works_under_of(turn, entry)},
                                      {"places", places},
                                      {"hours", hours_of(turn, entry)},
                                      {"status", status_of(turn, entry)}}),
           {turn.choice("apply.alone"), turn.choice("apply.pair"), turn.choice("nav.browse"),
            turn.choice("nav.menu")});
}

void prompt_lead(Turn& turn, const Entry& entry) {
  turn.ask(turn.text("details.lead", {{"title", entry.title.in(turn.language)},
                                      {"purpose", entry.purpose.in(turn.language)},
                                      {"tasks", tasks_of(turn, entry)}}),
           {turn.choice("menu.human"), turn.choice("nav.browse"), turn.choice("nav.menu")});
}

void prompt_position(Turn& turn, const Entry& entry) {
  const Campaign* campaign = turn.context.catalog.campaign_of(entry.id);
  const PositionDetails details = entry.position.value_or(PositionDetails{});
  const Params params = {{"title", entry.title.in(turn.language)},
                         {"campaign", campaign ? campaign->name.in(turn.language) : std::string{}},
                         {"purpose", entry.purpose.in(turn.language)},
                         {"tasks", tasks_of(turn, entry)},
                         {"hours", details.hours.in(turn.language)},
                         {"place", details.place.in(turn.language)},
                         {"deadline", details.deadline_local},
                         {"start", details.start.in(turn.language)},
                         {"how_to_apply", details.how_to_apply.in(turn.language)},
                         {"email", details.contact_email}};
  const bool open = entry.is_open(turn.context.now);
  turn.ask(turn.text(open ? "details.position" : "details.position.closed", params),
           {turn.choice("nav.browse"), turn.choice("nav.menu")});
}

std::string interest_labels(const Turn& turn) {
  std::vector<std::string> labels;
  for (const auto& id : turn.conversation.interests) {
    const Interest* interest = turn.find_interest(id);
    labels.push_back(interest ? interest->label.in(turn.language) : id);
  }
  return join(labels, ", ");
}

void remember_about(Turn& turn, const std::string& text) {
  std::string& about = turn.conversation.about;
  about = clean_text(about.empty() ? text : about + "\n" + text, kMaxStoredTextBytes);
}

}  // namespace

std::string title_of(const Turn& turn, const std::string& entry_id) {
  const Entry* entry = turn.context.catalog.find_entry(entry_id);
  return entry ? entry->title.in(turn.language) : entry_id;
}

void prompt_browse(Turn& turn) {
  std::vector<Choice> choices;
  std::vector<std::string> roles;
  // The roles people can apply for first, then the leads they work under.
  for (const EntryKind kind : {EntryKind::role, EntryKind::lead}) {
    for (const auto& entry : turn.entries()) {
      if (entry.kind != kind) continue;
      roles.push_back(turn.text("browse.role", {{"title", entry.title.in(turn.language)},
                                                {"purpose", entry.purpose.in(turn.language)},
                                                {"status", status_of(turn, entry)}}));
      choices.push_back({"role." + entry.id, entry.title.in(turn.language)});
    }
  }
  std::vector<std::string> positions;
  for (const auto& campaign : turn.context.catalog.campaigns) {
    for (const auto& entry : campaign.entries) {
      if (entry.kind != EntryKind::position) continue;
      positions.push_back(
          turn.text("browse.position", {{"title", entry.title.in(turn.language)},
                                        {"campaign", campaign.name.in(turn.language)},
                                        {"status", status_of(turn, entry)}}));
      choices.push_back({"role." + entry.id, entry.title.in(turn.language)});
    }
  }
  std::string message;
  if (choices.empty()) {
    message = turn.text("browse.empty", {{"campaign", turn.campaign_name()}});
  } else {
    message = turn.text("browse.roles", {{"campaign", turn.campaign_name()}}) + "\n\n" +
              join(roles, "\n");
    if (!positions.empty()) {
      message += "\n\n" + turn.text("browse.positions") + "\n\n" + join(positions, "\n");
    }
  }
  choices.push_back(turn.choice("nav.menu"));
  turn.ask(std::move(message), std::move(choices));
}

bool show_details(Turn& turn, const std::string& entry_id) {
  if (!turn.context.catalog.find_entry(entry_id)) return false;
  turn.conversation.entry_id = entry_id;
  go(turn, "details");
  return true;
}

void prompt_details(Turn& turn) {
  const Entry* entry = turn.context.catalog.find_entry(turn.conversation.entry_id);
  if (!entry) {
    go_menu(turn);
    return;
  }
  switch (entry->kind) {
    case EntryKind::role:
      prompt_role(turn, *entry);
      break;
    case EntryKind::lead:
      prompt_lead(turn, *entry);
      break;
    case EntryKind::position:
      prompt_position(turn, *entry);
      break;
  }
}

bool answer_details(Turn& turn, const Answer& answer) {
  if (answer.chosen.empty()) return false;
  const std::string& choice = answer.chosen.front();
  if (choice != "apply.alone" && choice != "apply.pair") return false;
  begin_apply(turn, turn.conversation.entry_id, choice == "apply.pair");
  return true;
}

void start_interview(Turn& turn) {
  turn.conversation.interests.clear();
  turn.conversation.about.clear();
  turn.conversation.hours_per_week.reset();
  go(turn, "interview.interests");
}

void prompt_interests(Turn& turn) {
  std::vector<Choice> choices;
  choices.reserve(turn.interests().size() + 1);
  for (const auto& interest : turn.interests()) {
    choices.push_back({"interest." + interest.id, interest.label.in(turn.language)});
  }
  choices.push_back(turn.choice("interview.done"));
  const std::string message =
      turn.conversation.interests.empty()
          ? turn.text("interview.interests")
          : turn.text("interview.interests.more", {{"interests", interest_labels(turn)}});
  turn.ask(message, std::move(choices));
}

bool answer_interests(Turn& turn, const Answer& answer) {
  bool picked = false;
  bool done = false;
  for (const auto& id : answer.chosen) {
    if (id == "interview.done") done = true;
    if (!id.starts_with("interest.")) continue;
    const std::string interest = id.substr(9);
    if (!turn.find_interest(interest)) continue;
    auto& chosen = turn.conversation.interests;
    if (std::find(chosen.begin(), chosen.end(), interest) == chosen.end()) {
      chosen.push_back(interest);
    }
    picked = true;
  }
  if (picked && answer.button) {  // a button picks one; more may follow
    prompt_interests(turn);
    return true;
  }
  const bool free_text = !answer.button && !answer.text.empty() && !answer.numbers_only;
  if (picked) {
    if (free_text) remember_about(turn, answer.text);
    turn.say(turn.text("interview.interests.chosen", {{"interests", interest_labels(turn)}}));
  } else if (free_text && answer.chosen.empty()) {
    remember_about(turn, answer.text);
    turn.say(turn.text("interview.interests.noted"));
  } else if (!done) {
    return false;
  }
  go(turn, "interview.hours");
  return true;
}

void prompt_hours(Turn& turn) {
  std::vector<Choice> choices;
  for (const auto id : kHourChoices) choices.push_back(turn.choice(std::string(id)));
  turn.ask(turn.text("interview.hours"), std::move(choices));
}

bool answer_hours(Turn& turn, const Answer& answer) {
  std::string choice = answer.chosen.empty() ? std::string{} : answer.chosen.front();
  // Hours written out outweigh a choice only hinted at by a keyword ("maybe 8 hours").
  if (choice.empty() || answer.by_keyword_only) {
    if (const auto hours = hours_written(answer.text)) choice = hour_choice(*hours);
  }
  if (choice.empty()) return false;
  if (std::find(kHourChoices.begin(), kHourChoices.end(), choice) == kHourChoices.end()) {
    return false;
  }
  if (choice == "hours.unsure") {
    turn.conversation.hours_per_week.reset();
  } else {
    turn.conversation.hours_per_week = std::stoi(choice.substr(6));
  }
  go(turn, "interview.about");
  return true;
}

void prompt_about(Turn& turn) {
  turn.ask(turn.text("interview.about"), {turn.choice("interview.skip"), turn.choice("nav.menu")});
}

bool answer_about(Turn& turn, const Answer& answer) {
  const bool skip = !answer.chosen.empty() && answer.chosen.front() == "interview.skip";
  if (!skip && (answer.button || answer.text.empty() || !answer.chosen.empty())) return false;
  if (!skip) remember_about(turn, answer.text);
  go(turn, "results");
  return true;
}

void prompt_results(Turn& turn) {
  const MatchQuery query{turn.conversation.interests, turn.conversation.about,
                         turn.conversation.hours_per_week, turn.language};
  const auto matches = turn.context.matcher.rank(turn.context.campaign_id, query, turn.context.view,
                                                 turn.context.now);
  std::vector<std::string> lines;
  std::vector<Choice> reads;
  std::vector<Choice> applies;
  for (const auto& match : matches) {
    if (reads.size() == kSuggestions) break;
    const Entry* entry = turn.context.catalog.find_entry(match.entry_id);
    if (!entry) continue;
    const std::string title = entry->title.in(turn.language);
    std::vector<std::string> reasons;
    for (const auto& reason : match.reasons) {
      reasons.push_back(
          turn.text("results.reason", {{"reason", turn.text(reason.key, reason.params)}}));
    }
    lines.push_back(turn.text("results.role", {{"title", title},
                                               {"purpose", entry->purpose.in(turn.language)},
                                               {"reasons", join(reasons, "\n")}}));
    reads.push_back({"role." + entry->id, turn.text("choice.results.read", {{"title", title}})});
    if (entry->kind == EntryKind::role) {
      applies.push_back(
          {"apply.role." + entry->id, turn.text("choice.results.apply", {{"title", title}})});
    }
  }
  if (lines.empty()) {
    turn.say(turn.text("results.none", {{"campaign", turn.campaign_name()}}));
    go_menu(turn);
    return;
  }
  std::vector<Choice> choices = std::move(reads);
  choices.insert(choices.end(), applies.begin(), applies.end());
  choices.push_back({"menu.find", turn.text("choice.results.again")});
  choices.push_back(turn.choice("nav.menu"));
  turn.ask(turn.text("results.intro") + "\n\n" + join(lines, "\n\n"), std::move(choices));
}

}  // namespace prik::dialogs
