// Coordinator commands, typed or by button: coverage (status/dækning), pending applications
// (ansøgninger [rolle]), approve (godkend <id>) and decline (afvis <id> [besked]).
//
// They work from any step and leave the coordinator's own conversation where it was. Anyone else
// who uses them gets one polite refusal; "status" and "ansøgninger" alone are also how volunteers
// ask for their own applications, so from a volunteer those go on to the normal steps.
#include <algorithm>
#include <cctype>
#include <optional>

#include "dialogs/coordinator_text.hpp"
#include "dialogs/coordinators.hpp"
#include "dialogs/flow.hpp"

namespace prik::dialogs {
namespace {

constexpr std::size_t kMaxIdBytes = 40;
constexpr std::size_t kMaxSuggestions = 3;
constexpr std::string_view kApproveChoice = "coord.approve.";
constexpr std::string_view kDeclineChoice = "coord.decline.";

enum class Action { status, applications, approve, decline };

struct Request {
  Action action = Action::status;
  std::string argument;  // the id, or the role as typed
  std::string message;   // a decline's message for the volunteer
  bool button = false;
};

// The first word of a text and the rest, trimmed.
std::pair<std::string, std::string> first_word(std::string_view text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  const auto end = std::find_if(text.begin(), text.end(), is_space);
  const auto rest = std::find_if_not(end, text.end(), is_space);
  return {std::string(text.begin(), end), std::string(rest, text.end())};
}

// "A-00017", "a-17", "A17" and "17" all name application A-00017; nullopt for anything else.
std::optional<std::string> application_id(std::string_view typed) {
  if (!typed.empty() && (typed.front() == 'a' || typed.front() == 'A')) typed.remove_prefix(1);
  if (!typed.empty() && typed.front() == '-') typed.remove_prefix(1);
  if (typed.empty() || typed.size() > 9) return std::nullopt;
  if (!std::all_of(typed.begin(), typed.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const auto digits = typed.find_first_not_of('0');
  std::string number = digits == std::string_view::npos ? "0" : std::string(typed.substr(digits));
  if (number.size() < 5) number.insert(0, 5 - number.size(), '0');
  return "A-" + number;
}

std::optional<Request> parse(const Turn& turn, const std::string& text) {
  const std::string& choice = turn.incoming.choice_id;
  if (!choice.empty()) {
    for (const auto& [prefix, action] :
         {std::pair{kApproveChoice, Action::approve}, std::pair{kDeclineChoice, Action::decline}}) {
      if (choice.starts_with(prefix)) {
        return Request{action, clean_text(choice.substr(prefix.size()), kMaxIdBytes), {}, true};
      }
    }
    return std::nullopt;
  }
  if (says(text, phrases_of(turn, "input.coord.status"))) return Request{Action::status};
  auto [word, rest] = first_word(text);
  if (says(word, phrases_of(turn, "input.coord.applications"))) {
    return Request{Action::applications, rest};
  }
  for (const auto& [key, action] : {std::pair{"input.coord.approve", Action::approve},
                                    std::pair{"input.coord.decline", Action::decline}}) {
    if (!says(word, phrases_of(turn, key))) continue;
    auto [id, message] = first_word(rest);
    return Request{action, clean_text(id, kMaxIdBytes), std::move(message)};
  }
  return std::nullopt;
}

// The campaign role named in words, as roles are named elsewhere (titles, keywords, typos).
const Entry* named_role(const Turn& turn, const std::string& words) {
  std::vector<Option> options;
  for (const auto& entry : turn.entries()) {
    if (entry.kind == EntryKind::lead) continue;
    options.push_back({entry.id, {entry.title.da, entry.title.en}, entry.keywords});
  }
  const Selection selection = select(words, options, Matching::fuzzy);
  if (selection.ids.empty()) return nullptr;
  return turn.context.catalog.find_entry(selection.ids.front());
}

// What a volunteer could type by accident: "status" or "ansøgninger" alone ask for their own
// applications, and "godkend"/"afvis" begin ordinary sentences.
bool could_be_a_volunteers_words(const Turn& turn, const Request& request) {
  if (request.button) return false;
  switch (request.action) {
    case Action::status:
      return says(turn.incoming.text, phrases_of(turn, "input.menu.mine"));
    case Action::applications:
      return request.argument.empty() || !named_role(turn, request.argument);
    case Action::approve:
    case Action::decline:
      return !application_id(request.argument);
  }
  return true;
}

void show_status(Turn& turn) {
  std::string lines;
  for (const auto& entry : turn.entries()) {
    if (entry.kind != EntryKind::role) continue;
    const RoleCoverage coverage = turn.context.view.coverage(entry.id);
    Params params = {{"title", entry.title.in(turn.language)},
                     {"places", std::to_string(coverage.places)},
                     {"filled", std::to_string(coverage.filled)},
                     {"pending", std::to_string(coverage.pending)}};
    if (coverage.vacant_since) {
      params.emplace_back("days",
                          std::to_string(whole_days(*coverage.vacant_since, turn.context.now)));
    }
    lines += '\n';
    lines +=
        turn.text(coverage.vacant_since ? "coord.status.line" : "coord.status.line.filled", params);
  }
  const Params campaign = {{"campaign", turn.campaign_name()}};
  turn.say(lines.empty() ? turn.text("coord.status.none", campaign)
                         : turn.text("coord.status.intro", campaign) + lines);
}

void show_applications(Turn& turn, const std::string& role) {
  const Entry* only = nullptr;
  if (!role.empty()) {
    only = named_role(turn, role);
    if (!only) {
      turn.say(turn.text("coord.applications.unknown_role", {{"role", role}}));
      return;
    }
  }
  const Texts& texts = turn.context.texts;
  std::string lines;
  for (const auto& entry : turn.entries()) {
    if (only && entry.id != only->id) continue;
    for (const auto& application : turn.context.view.applications_for(entry.id)) {
      if (application.status != ApplicationStatus::pending) continue;
      const Params params = {
          {"id", application.id},
          {"title", entry.title.in(turn.language)},
          {"who", who_text(texts, turn.language, application.user, application.display_name)},
          {"words", words_text(texts, turn.language, application.words)},
          {"partner", partner_text(texts, turn.language, application)},
          {"days", std::to_string(whole_days(application.submitted, turn.context.now))}};
      lines += '\n';
      lines += turn.text(
          application.partner ? "coord.applications.line.pair" : "coord.applications.line", params);
    }
  }
  const Params title = {{"title", only ? only->title.in(turn.language) : std::string{}}};
  if (lines.empty()) {
    turn.say(turn.text(only ? "coord.applications.none.role" : "coord.applications.none", title));
    return;
  }
  turn.say(turn.text(only ? "coord.applications.intro.role" : "coord.applications.intro", title) +
           lines + "\n\n" + turn.text("coord.commands.hint"));
}

// Up to three other open roles that could suit a declined volunteer, from their own words.
std::vector<std::string> other_roles(const Turn& turn, const ApplicationDetails& application,
                                     const std::string& campaign_id, Language language) {
  const auto theirs = turn.context.view.applications_of(application.user);
  const auto applied = [&](const std::string& entry_id) {
    return std::any_of(theirs.begin(), theirs.end(), [&](const ApplicationSummary& other) {
      return other.entry_id == entry_id && (other.status == ApplicationStatus::pending ||
                                            other.status == ApplicationStatus::approved);
    });
  };
  std::vector<std::string> titles;
  const MatchQuery query{{}, application.words, std::nullopt, language};
  for (const auto& match :
       turn.context.matcher.rank(campaign_id, query, turn.context.view, turn.context.now)) {
    if (titles.size() == kMaxSuggestions) break;
    if (match.score <= 0 || match.entry_id == application.entry_id || applied(match.entry_id)) {
      continue;
    }
    titles.push_back(entry_title(turn.context.catalog, language, match.entry_id));
  }
  return titles;
}

// The volunteer's message about the coordinator's decision, in the volunteer's language.
Outgoing tell_volunteer(const Turn& turn, const ApplicationDetails& application, bool approved,
                        const std::string& message) {
  const Texts& texts = turn.context.texts;
  const Language language =
      language_for(turn.context.view, application.user, turn.context.default_language);
  const Campaign* campaign = turn.context.catalog.campaign_of(application.entry_id);
  const std::string campaign_id = campaign ? campaign->id : turn.context.campaign_id;
  const Params params = {
      {"title", entry_title(turn.context.catalog, language, application.entry_id)},
      {"campaign", campaign ? campaign->name.in(language) : turn.campaign_name()}};
  std::string text;
  if (approved) {
    text = texts.render(language, "coord.volunteer.approved", params);
  } else {
    text = texts.render(language, "coord.volunteer.declined", params);
    if (!message.empty()) {
      text += "\n\n" +
              texts.render(language, "coord.volunteer.declined.message", {{"message", message}});
    }
    const auto titles = other_roles(turn, application, campaign_id, language);
    if (!titles.empty()) {
      text += "\n\n" + texts.render(language, "coord.volunteer.suggestions");
      for (const auto& title : titles) {
        text += '\n';
        text += texts.render(language, "coord.volunteer.suggestion", {{"title", title}});
      }
    }
  }
  return {application.user, "", std::move(text), {}};
}

void decide(Turn& turn, const Request& request) {
  if (request.argument.empty()) {
    turn.say(turn.text("coord.id.missing"));
    return;
  }
  const auto id = application_id(request.argument);
  auto application = turn.context.view.application(id.value_or(request.argument));
  if (!application) {
    turn.say(turn.text("coord.id.unknown", {{"id", request.argument}}));
    return;
  }
  const Params id_param = {{"id", application->id}};
  if (application->user.empty()) {
    turn.say(turn.text("coord.id.forgotten", id_param));
    return;
  }
  switch (application->status) {
    case ApplicationStatus::pending:
      break;
    case ApplicationStatus::approved:
      turn.say(turn.text("coord.id.approved", id_param));
      return;
    case ApplicationStatus::declined:
      turn.say(turn.text("coord.id.declined", id_param));
      return;
    case ApplicationStatus::withdrawn:
      turn.say(turn.text("coord.id.withdrawn", id_param));
      return;
  }
  const bool approve = request.action == Action::approve;
  const std::string message = clean_text(request.message, kMaxStoredTextBytes);
  if (approve) {
    turn.commands.push_back(ApproveApplication{turn.incoming.user, application->id});
  } else {
    turn.commands.push_back(DeclineApplication{turn.incoming.user, application->id, message});
  }
  turn.say(turn.text(approve ? "coord.approved" : "coord.declined",
                     {{"id", application->id},
                      {"title", title_of(turn, application->entry_id)},
                      {"who", who_text(turn.context.texts, turn.language, application->user,
                                       application->display_name)}}));
  turn.replies.push_back(tell_volunteer(turn, *application, approve, message));
}

}  // namespace

bool coordinator_command(Turn& turn, const std::string& text) {
  const auto request = parse(turn, text);
  if (!request) return false;
  if (!is_coordinator(turn.context.catalog, turn.incoming.user, turn.incoming.conversation)) {
    if (could_be_a_volunteers_words(turn, *request)) return false;
    turn.say(turn.text("coord.refused"));
    prompt(turn);
    return true;
  }
  switch (request->action) {
    case Action::status:
      show_status(turn);
      break;
    case Action::applications:
      show_applications(turn, request->argument);
      break;
    case Action::approve:
    case Action::decline:
      decide(turn, *request);
      break;
  }
  return true;
}

}  // namespace prik::dialogs
