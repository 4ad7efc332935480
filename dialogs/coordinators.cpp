#include "dialogs/coordinators.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <type_traits>

#include "dialogs/coordinator_text.hpp"

namespace prik::dialogs {

std::string mention_of(const UserRef& user) {
  const std::string platform = platform_of(user);
  if (platform == "slack") return "<@" + user.substr(user.rfind(':') + 1) + ">";
  if (platform == "matrix" || platform == "console") return user.substr(platform.size() + 1);
  return user;
}

std::string who_text(const Texts& texts, Language language, const UserRef& user,
                     const std::string& display_name) {
  if (user.empty()) return texts.render(language, "coord.who.forgotten");
  if (display_name.empty())
    return texts.render(language, "coord.who", {{"user", mention_of(user)}});
  return texts.render(language, "coord.who.named",
                      {{"name", display_name}, {"user", mention_of(user)}});
}

std::string partner_text(const Texts& texts, Language language,
                         const ApplicationSummary& application) {
  if (!application.partner) return {};
  // A partner Prik can write to is a UserRef, shown as a mention; a typed name is shown as typed.
  const Params params = {{"partner", mention_of(*application.partner)}};
  switch (application.partner_status) {
    case PartnerStatus::none:
      break;
    case PartnerStatus::waiting:
      return texts.render(language, "coord.partner.waiting", params);
    case PartnerStatus::confirmed:
      return texts.render(language, "coord.partner.confirmed", params);
    case PartnerStatus::declined:
      return texts.render(language, "coord.partner.declined", params);
  }
  return texts.render(language, "coord.partner", params);
}

std::string words_text(const Texts& texts, Language language, const std::string& words) {
  return words.empty() ? texts.render(language, "coord.words.none") : words;
}

std::string entry_title(const Catalog& catalog, Language language, const std::string& entry_id) {
  const Entry* entry = catalog.find_entry(entry_id);
  return entry ? entry->title.in(language) : entry_id;
}

Language language_for(const StoreView& view, const UserRef& user, Language fallback) {
  if (user.empty()) return fallback;
  return view.language_of(user).value_or(fallback);
}

long whole_days(std::chrono::sys_seconds since, std::chrono::sys_seconds now) {
  if (since >= now) return 0;
  return static_cast<long>(std::chrono::floor<std::chrono::days>(now - since).count());
}

namespace {

struct Recipient {
  UserRef to;
  std::string conversation;  // empty: a DM; else the channel's own id
  bool operator==(const Recipient&) const = default;
};

bool has_anyone(const CoordinatorRoute& route) {
  return !route.users.empty() || !route.channel.empty();
}

// "slack:C0123" -> "C0123", "matrix:!room:server" -> "!room:server".
std::string channel_id(const std::string& channel) {
  const auto colon = channel.find(':');
  return colon == std::string::npos ? channel : channel.substr(colon + 1);
}

// A route's users (each once) and its channel.
std::vector<Recipient> recipients_of(const CoordinatorRoute& route) {
  std::vector<Recipient> recipients;
  for (const auto& user : route.users) {
    const Recipient recipient{user, {}};
    if (!user.empty() &&
        std::find(recipients.begin(), recipients.end(), recipient) == recipients.end()) {
      recipients.push_back(recipient);
    }
  }
  if (!route.channel.empty()) recipients.push_back({route.channel, channel_id(route.channel)});
  return recipients;
}

bool reaches(const CoordinatorRoute& route, const Recipient& recipient) {
  if (!recipient.conversation.empty()) return route.channel == recipient.to;
  return std::find(route.users.begin(), route.users.end(), recipient.to) != route.users.end();
}

// The route of the lead an entry works under; a lead with nobody passes it up its own chain, the
// top of the chain to the campaign's fallback.
const CoordinatorRoute& route_for(const Campaign& campaign, const std::string& entry_id) {
  const Entry* entry = campaign.find(entry_id);
  std::optional<std::string> lead = entry ? entry->works_under : std::nullopt;
  std::set<std::string> seen;  // a works_under cycle in a hand-written catalog ends at the fallback
  while (lead && seen.insert(*lead).second) {
    const auto found = campaign.coordinators.find(*lead);
    if (found != campaign.coordinators.end() && has_anyone(found->second)) return found->second;
    const Entry* lead_entry = campaign.find(*lead);
    lead = lead_entry ? lead_entry->works_under : std::nullopt;
  }
  return campaign.fallback;
}

Language language_of(const CoordinatorContext& context, const Recipient& recipient) {
  if (!recipient.conversation.empty()) return context.default_language;
  return language_for(context.view, recipient.to, context.default_language);
}

struct Shown {
  std::string text;
  std::vector<Choice> choices;
};

Params application_params(const CoordinatorContext& context, Language language,
                          const ApplicationDetails& application) {
  return {{"id", application.id},
          {"title", entry_title(context.catalog, language, application.entry_id)},
          {"who", who_text(context.texts, language, application.user, application.display_name)},
          {"words", words_text(context.texts, language, application.words)},
          {"partner", partner_text(context.texts, language, application)}};
}

// A notice about an application; a pending one carries the Approve/Decline choices.
Shown application_notice(const CoordinatorContext& context, Language language,
                         const ApplicationDetails& application, const std::string& key) {
  const Texts& texts = context.texts;
  Shown shown{texts.render(language, key, application_params(context, language, application)), {}};
  if (application.status == ApplicationStatus::pending && !application.user.empty()) {
    shown.text += "\n\n" + texts.render(language, "coord.notice.actions", {{"id", application.id}});
    shown.choices = {
        {"coord.approve." + application.id, texts.render(language, "choice.coord.approve")},
        {"coord.decline." + application.id, texts.render(language, "choice.coord.decline")}};
  }
  return shown;
}

// How a coordinator reaches a person who asked for a human: their DM, or the room they wrote in.
std::string reach_text(const CoordinatorContext& context, Language language,
                       const HumanRequested& request) {
  const std::string platform = platform_of(request.user);
  const std::string& room = request.conversation;
  // Slack DM channels start with D; a console conversation is the person's own terminal.
  const bool room_is_dm =
      room.empty() || platform == "console" || (platform == "slack" && room.starts_with('D'));
  const std::string user = mention_of(request.user);
  if (room_is_dm) return context.texts.render(language, "coord.reach.dm", {{"user", user}});
  const std::string shown_room = platform == "slack" ? "<#" + room + ">" : room;
  return context.texts.render(language, "coord.reach.room", {{"user", user}, {"room", shown_room}});
}

Shown show(const CoordinatorContext& context, Language language, const Notice& notice) {
  const Texts& texts = context.texts;
  return std::visit(
      [&](const auto& about) -> Shown {
        using T = std::decay_t<decltype(about)>;
        if constexpr (std::is_same_v<T, ApplicationSubmitted>) {
          return application_notice(
              context, language, about.application,
              about.application.partner ? "coord.notice.submitted.pair" : "coord.notice.submitted");
        } else if constexpr (std::is_same_v<T, PartnerConfirmed>) {
          return application_notice(context, language, about.application,
                                    "coord.notice.partner_confirmed");
        } else if constexpr (std::is_same_v<T, ApplicationWithdrawn>) {
          return {texts.render(language, "coord.notice.withdrawn",
                               application_params(context, language, about.application)),
                  {}};
        } else if constexpr (std::is_same_v<T, NudgeInterest>) {
          const std::string friend_shown =
              who_text(texts, language, about.nudge.to, about.friend_name);
          if (about.nudge.entry_id.empty()) {
            return {texts.render(language, "coord.notice.nudge_interest.general",
                                 {{"friend", friend_shown}}),
                    {}};
          }
          return {texts.render(
                      language, "coord.notice.nudge_interest",
                      {{"friend", friend_shown},
                       {"title", entry_title(context.catalog, language, about.nudge.entry_id)}}),
                  {}};
        } else {
          static_assert(std::is_same_v<T, HumanRequested>);
          const Params params = {{"id", about.handoff.id},
                                 {"who", who_text(texts, language, about.user, about.display_name)},
                                 {"words", about.handoff.words},
                                 {"reach", reach_text(context, language, about)}};
          return {texts.render(language,
                               about.handoff.words.empty() ? "coord.notice.human.silent"
                                                           : "coord.notice.human",
                               params),
                  {}};
        }
      },
      notice);
}

// The entry a notice is about; empty for a request for a human or a nudge about the campaign.
std::string entry_of(const Notice& notice) {
  return std::visit(
      [](const auto& about) -> std::string {
        using T = std::decay_t<decltype(about)>;
        if constexpr (std::is_same_v<T, NudgeInterest>) {
          return about.nudge.entry_id;
        } else if constexpr (std::is_same_v<T, HumanRequested>) {
          return {};
        } else {
          return about.application.entry_id;
        }
      },
      notice);
}

bool is_route_of(const CoordinatorRoute& route, const UserRef& user,
                 const std::string& conversation) {
  if (std::find(route.users.begin(), route.users.end(), user) != route.users.end()) return true;
  return !route.channel.empty() && !conversation.empty() &&
         platform_of(route.channel) == platform_of(user) &&
         channel_id(route.channel) == conversation;
}

}  // namespace

std::vector<Outgoing> notify(const Notice& notice, const CoordinatorContext& context) {
  const std::string entry_id = entry_of(notice);
  const Campaign* campaign = entry_id.empty() ? nullptr : context.catalog.campaign_of(entry_id);
  if (!campaign) campaign = context.catalog.find_campaign(context.campaign_id);
  if (!campaign) return {};
  const CoordinatorRoute& route =
      entry_id.empty() ? campaign->fallback : route_for(*campaign, entry_id);
  std::vector<Outgoing> messages;
  for (const auto& recipient : recipients_of(route)) {
    Shown shown = show(context, language_of(context, recipient), notice);
    messages.push_back(
        {recipient.to, recipient.conversation, std::move(shown.text), std::move(shown.choices)});
  }
  return messages;
}

bool is_coordinator(const Catalog& catalog, const UserRef& user, const std::string& conversation) {
  if (user.empty()) return false;
  for (const auto& campaign : catalog.campaigns) {
    if (is_route_of(campaign.fallback, user, conversation)) return true;
    for (const auto& [lead, route] : campaign.coordinators) {
      if (is_route_of(route, user, conversation)) return true;
    }
  }
  return false;
}

std::vector<Outgoing> daily_digest(const CoordinatorContext& context, const DigestRules& rules,
                                   std::chrono::sys_seconds now) {
  const Campaign* campaign = context.catalog.find_campaign(context.campaign_id);
  if (!campaign) return {};

  struct Vacant {
    const Entry* entry;
    RoleCoverage coverage;
    const CoordinatorRoute* route;
  };
  struct Waiting {
    ApplicationDetails application;
    const CoordinatorRoute* route;
  };
  std::vector<Vacant> vacant;
  std::vector<Waiting> waiting;
  std::vector<const Entry*> deadlines;
  for (const auto& entry : campaign->entries) {
    const CoordinatorRoute* route = &route_for(*campaign, entry.id);
    if (entry.kind == EntryKind::role) {
      const RoleCoverage coverage = context.view.coverage(entry.id);
      if (coverage.vacant_since &&
          now - *coverage.vacant_since > std::chrono::days{rules.vacant_days}) {
        vacant.push_back({&entry, coverage, route});
      }
    }
    if (entry.kind == EntryKind::position && entry.position && entry.is_open(now) &&
        entry.position->deadline - now <= std::chrono::days{rules.deadline_days}) {
      deadlines.push_back(&entry);
    }
    for (auto& application : context.view.applications_for(entry.id)) {
      if (application.status == ApplicationStatus::pending &&
          now - application.submitted > std::chrono::days{rules.waiting_days}) {
        waiting.push_back({std::move(application), route});
      }
    }
  }

  // Everyone who may get a digest, each once: a person in two routes gets one message, with
  // everything either route would have shown them.
  std::vector<Recipient> recipients;
  const auto add_route = [&](const CoordinatorRoute& route) {
    for (auto& recipient : recipients_of(route)) {
      if (std::find(recipients.begin(), recipients.end(), recipient) == recipients.end()) {
        recipients.push_back(std::move(recipient));
      }
    }
  };
  for (const auto& [lead, route] : campaign->coordinators) add_route(route);
  add_route(campaign->fallback);

  std::vector<Outgoing> messages;
  for (const auto& recipient : recipients) {
    const bool everything = reaches(campaign->fallback, recipient);
    const auto shows = [&](const CoordinatorRoute* route) {
      return everything || reaches(*route, recipient);
    };
    const Language language = language_of(context, recipient);
    const Texts& texts = context.texts;
    std::vector<std::string> sections;

    std::string lines;
    for (const auto& item : vacant) {
      if (!shows(item.route)) continue;
      lines += '\n';
      lines += texts.render(language, "coord.digest.vacant.line",
                            {{"title", item.entry->title.in(language)},
                             {"days", std::to_string(whole_days(*item.coverage.vacant_since, now))},
                             {"places", std::to_string(item.coverage.places)},
                             {"filled", std::to_string(item.coverage.filled)}});
    }
    if (!lines.empty()) sections.push_back(texts.render(language, "coord.digest.vacant") + lines);

    lines.clear();
    for (const auto& item : waiting) {
      if (!shows(item.route)) continue;
      Params params = application_params(context, language, item.application);
      params.emplace_back("days", std::to_string(whole_days(item.application.submitted, now)));
      lines += '\n';
      lines += texts.render(language, "coord.digest.waiting.line", params);
    }
    const bool any_waiting = !lines.empty();
    if (any_waiting) sections.push_back(texts.render(language, "coord.digest.waiting") + lines);

    lines.clear();
    if (everything) {
      for (const Entry* entry : deadlines) {
        lines += '\n';
        lines += texts.render(
            language, "coord.digest.deadline.line",
            {{"title", entry->title.in(language)}, {"deadline", entry->position->deadline_local}});
      }
    }
    if (!lines.empty()) {
      sections.push_back(texts.render(language, "coord.digest.deadlines") + lines);
    }

    if (sections.empty()) continue;
    std::string text =
        texts.render(language, "coord.digest.intro", {{"campaign", campaign->name.in(language)}});
    for (const auto& section : sections) text += "\n\n" + section;
    if (any_waiting) text += "\n\n" + texts.render(language, "coord.commands.hint");
    messages.push_back({recipient.to, recipient.conversation, std::move(text), {}});
  }
  return messages;
}

}  // namespace prik::dialogs
