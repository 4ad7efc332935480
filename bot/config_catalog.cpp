#include "bot/config_catalog.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "dialogs/message.hpp"

namespace prik::bot {

using nlohmann::json;

namespace {

bool looks_like_email(std::string_view address) {
  const auto at = address.find('@');
  return at != std::string_view::npos && at > 0 &&
         address.find('.', at) != std::string_view::npos && address.back() != '.' &&
         address.find_first_of(" \t<>,;") == std::string_view::npos;
}

void read_id(ObjectReader& reader, std::string& id) {
  if (auto value = reader.string("id", Presence::required)) {
    if (!is_valid_id(*value)) {
      reader.problems().add(reader.pointer_of("id"),
                            "\"" + *value + "\" is not a valid id (use a-z, 0-9 and '-')");
    }
    id = std::move(*value);
  }
}

std::optional<dialogs::EntryKind> parse_kind(std::string_view kind) {
  if (kind == "role") return dialogs::EntryKind::role;
  if (kind == "lead") return dialogs::EntryKind::lead;
  if (kind == "position") return dialogs::EntryKind::position;
  return std::nullopt;
}

std::vector<dialogs::LocalizedText> read_localized_list(ObjectReader& reader, std::string_view key,
                                                        Presence presence) {
  std::vector<dialogs::LocalizedText> out;
  const auto* items = reader.array(key, presence);
  if (!items) return out;
  if (items->empty() && presence == Presence::required) {
    reader.problems().add(reader.pointer_of(key), "must not be empty");
  }
  for (std::size_t i = 0; i < items->size(); ++i) {
    if (auto text = read_localized(reader.problems(), (*items)[i],
                                   pointer_append(reader.pointer_of(key), i))) {
      out.push_back(std::move(*text));
    }
  }
  return out;
}

std::vector<std::string> read_words(ObjectReader& reader, std::string_view key) {
  auto words = reader.strings(key, Presence::optional).value_or(std::vector<std::string>{});
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i].empty()) {
      reader.problems().add(pointer_append(reader.pointer_of(key), i), "must not be empty");
    }
  }
  return words;
}

std::optional<dialogs::PositionDetails> read_position(Problems& problems, const json& value,
                                                      const std::string& pointer) {
  ObjectReader reader(problems, value, pointer);
  dialogs::PositionDetails details;
  auto hours = reader.localized("hours", Presence::required);
  auto place = reader.localized("place", Presence::required);
  auto start = reader.localized("start", Presence::required);
  auto how_to_apply = reader.localized("how_to_apply", Presence::required);
  auto email = reader.string("contact_email", Presence::required);
  auto deadline_text = reader.string("deadline", Presence::required);
  reader.finish();

  bool complete = hours && place && start && how_to_apply && email && deadline_text;
  if (email && !looks_like_email(*email)) {
    problems.add(reader.pointer_of("contact_email"), "\"" + *email + "\" is not an e-mail address");
    complete = false;
  }
  std::optional<Deadline> deadline;
  if (deadline_text) {
    deadline = parse_deadline(*deadline_text);
    if (!deadline) {
      problems.add(
          reader.pointer_of("deadline"),
          "\"" + *deadline_text +
              "\" is not an ISO 8601 date-time with offset, e.g. 2026-05-25T12:00:00+02:00");
      complete = false;
    }
  }
  if (!complete) return std::nullopt;
  details.hours = std::move(*hours);
  details.place = std::move(*place);
  details.start = std::move(*start);
  details.how_to_apply = std::move(*how_to_apply);
  details.contact_email = std::move(*email);
  details.deadline = deadline->moment;
  details.deadline_local = deadline->local;
  return details;
}

void read_hours(ObjectReader& reader, dialogs::Entry& entry, Presence presence) {
  const json* value = reader.field("hours_per_week", presence);
  if (!value) return;
  ObjectReader hours(reader.problems(), *value, reader.pointer_of("hours_per_week"));
  const auto min = hours.integer("min", Presence::required, 0, 80);
  const auto max = hours.integer("max", Presence::required, 0, 80);
  hours.finish();
  if (min && max && *min > *max) {
    reader.problems().add(hours.pointer_of("min"), "is larger than max");
  }
  entry.hours_min = static_cast<int>(min.value_or(0));
  entry.hours_max = static_cast<int>(max.value_or(0));
}

dialogs::Entry read_entry(Problems& problems, const json& value, const std::string& pointer) {
  ObjectReader reader(problems, value, pointer);
  dialogs::Entry entry;
  read_id(reader, entry.id);

  const auto kind_text = reader.string("kind", Presence::required);
  if (kind_text) {
    if (const auto kind = parse_kind(*kind_text)) {
      entry.kind = *kind;
    } else {
      problems.add(reader.pointer_of("kind"),
                   "\"" + *kind_text + "\" is not a kind (expected role, lead or position)");
    }
  }
  const bool is_lead = entry.kind == dialogs::EntryKind::lead;
  const bool is_position = entry.kind == dialogs::EntryKind::position;

  entry.title = reader.localized("title", Presence::required).value_or(dialogs::LocalizedText{});
  entry.purpose =
      reader.localized("purpose", Presence::required).value_or(dialogs::LocalizedText{});
  entry.tasks =
      read_localized_list(reader, "tasks", is_lead ? Presence::optional : Presence::required);
  if (auto works_under = reader.string("works_under", Presence::optional)) {
    entry.works_under = std::move(*works_under);
  }
  entry.works_under_note =
      reader.localized("works_under_note", Presence::optional).value_or(dialogs::LocalizedText{});
  entry.interests = read_words(reader, "interests");
  entry.keywords = read_words(reader, "keywords");
  read_hours(reader, entry, is_lead ? Presence::optional : Presence::required);
  entry.places =
      static_cast<int>(reader.integer("places", Presence::optional, 1, 1000).value_or(1));

  const json* position =
      reader.field("position", is_position ? Presence::required : Presence::optional);
  if (position && !is_position) {
    problems.add(reader.pointer_of("position"), "only entries of kind \"position\" have one");
  } else if (position) {
    entry.position = read_position(problems, *position, reader.pointer_of("position"));
  }
  reader.finish();
  return entry;
}

dialogs::Interest read_interest(Problems& problems, const json& value, const std::string& pointer) {
  ObjectReader reader(problems, value, pointer);
  dialogs::Interest interest;
  read_id(reader, interest.id);
  interest.label = reader.localized("label", Presence::required).value_or(dialogs::LocalizedText{});
  interest.synonyms = read_words(reader, "synonyms");
  reader.finish();
  return interest;
}

dialogs::CoordinatorRoute read_route(Problems& problems, const json& value,
                                     const std::string& pointer) {
  ObjectReader reader(problems, value, pointer);
  dialogs::CoordinatorRoute route;
  route.users = reader.strings("users", Presence::required).value_or(std::vector<std::string>{});
  for (std::size_t i = 0; i < route.users.size(); ++i) {
    const std::string platform = dialogs::platform_of(route.users[i]);
    if (platform != "slack" && platform != "matrix" && platform != "console") {
      problems.add(pointer_append(reader.pointer_of("users"), i),
                   "\"" + route.users[i] +
                       "\" is not a user reference (slack:TEAM:USER, matrix:@user:server or "
                       "console:name)");
    }
  }
  route.channel = reader.string("channel", Presence::required).value_or("");
  if (!route.channel.empty() && !route.channel.starts_with("slack:") &&
      !route.channel.starts_with("matrix:")) {
    problems.add(reader.pointer_of("channel"),
                 "\"" + route.channel +
                     "\" is not a channel (slack:CHANNEL, matrix:!room:server, or empty)");
  }
  reader.finish();
  return route;
}

// works_under, interest ids and coordinator keys must name things of this campaign.
void check_references(const dialogs::Campaign& campaign, Problems& problems) {
  std::set<std::string> interest_ids;
  for (std::size_t i = 0; i < campaign.interests.size(); ++i) {
    if (!interest_ids.insert(campaign.interests[i].id).second) {
      problems.add("/interests/" + std::to_string(i) + "/id",
                   "duplicate interest id \"" + campaign.interests[i].id + "\"");
    }
  }
  for (std::size_t i = 0; i < campaign.entries.size(); ++i) {
    const dialogs::Entry& entry = campaign.entries[i];
    const std::string pointer = "/entries/" + std::to_string(i);
    if (entry.works_under) {
      const dialogs::Entry* lead = campaign.find(*entry.works_under);
      if (!lead) {
        problems.add(pointer + "/works_under",
                     "\"" + *entry.works_under + "\" names no entry of campaign " + campaign.id);
      } else if (lead == &entry) {
        problems.add(pointer + "/works_under", "an entry cannot work under itself");
      } else if (lead->kind == dialogs::EntryKind::position) {
        problems.add(pointer + "/works_under",
                     "\"" + *entry.works_under + "\" is a position, not a lead or role");
      }
    }
    for (std::size_t k = 0; k < entry.interests.size(); ++k) {
      if (!interest_ids.contains(entry.interests[k])) {
        problems.add(pointer + "/interests/" + std::to_string(k),
                     "unknown interest \"" + entry.interests[k] + "\" (not in /interests)");
      }
    }
  }
  for (const auto& [lead_id, route] : campaign.coordinators) {
    if (!campaign.find(lead_id)) {
      problems.add(pointer_append("/coordinators", lead_id),
                   "\"" + lead_id + "\" names no entry of campaign " + campaign.id);
    }
  }
}

}  // namespace

dialogs::Campaign read_campaign(const json& document, Problems& problems) {
  ObjectReader reader(problems, document, "");
  dialogs::Campaign campaign;
  read_id(reader, campaign.id);
  campaign.name = reader.localized("name", Presence::required).value_or(dialogs::LocalizedText{});
  campaign.contact_email = reader.string("contact_email", Presence::required).value_or("");
  if (!campaign.contact_email.empty() && !looks_like_email(campaign.contact_email)) {
    problems.add("/contact_email", "\"" + campaign.contact_email + "\" is not an e-mail address");
  }
  if (const auto* interests = reader.array("interests", Presence::required)) {
    for (std::size_t i = 0; i < interests->size(); ++i) {
      campaign.interests.push_back(
          read_interest(problems, (*interests)[i], pointer_append("/interests", i)));
    }
  }
  if (const auto* entries = reader.array("entries", Presence::required)) {
    if (entries->empty()) problems.add("/entries", "must not be empty");
    for (std::size_t i = 0; i < entries->size(); ++i) {
      campaign.entries.push_back(
          read_entry(problems, (*entries)[i], pointer_append("/entries", i)));
    }
  }
  if (const json* coordinators = reader.field("coordinators", Presence::required)) {
    ObjectReader routes(problems, *coordinators, "/coordinators");
    if (routes.is_object()) {
      for (const auto& [lead_id, route] : coordinators->items()) {
        campaign.coordinators[lead_id] =
            read_route(problems, route, pointer_append("/coordinators", lead_id));
      }
    }
  }
  if (const json* fallback = reader.field("fallback", Presence::required)) {
    campaign.fallback = read_route(problems, *fallback, "/fallback");
  }
  reader.finish();
  check_references(campaign, problems);
  return campaign;
}

void check_unique_ids(const std::vector<dialogs::Campaign>& campaigns,
                      const std::vector<std::string>& files, std::vector<std::string>& problems) {
  std::map<std::string, std::string> first_seen;  // id -> "file /entries/i"
  std::map<std::string, std::string> campaign_seen;
  for (std::size_t c = 0; c < campaigns.size(); ++c) {
    const auto& campaign = campaigns[c];
    const auto [campaign_at, campaign_new] = campaign_seen.emplace(campaign.id, files[c]);
    if (!campaign_new) {
      problems.push_back(files[c] + ": /id: duplicate campaign id \"" + campaign.id +
                         "\" (also in " + campaign_at->second + ")");
    }
    for (std::size_t i = 0; i < campaign.entries.size(); ++i) {
      const std::string pointer = "/entries/" + std::to_string(i) + "/id";
      const std::string where = files[c] + " " + pointer;
      if (campaign.entries[i].id.empty()) continue;  // reported as missing
      const auto [at, is_new] = first_seen.emplace(campaign.entries[i].id, where);
      if (!is_new) {
        problems.push_back(files[c] + ": " + pointer + ": duplicate id \"" +
                           campaign.entries[i].id + "\" (first used at " + at->second + ")");
      }
    }
  }
}

std::optional<Deadline> parse_deadline(std::string_view text) {
  static const std::regex pattern(
      R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(Z|([+-])(\d{2}):(\d{2})))");
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_match(text.begin(), text.end(), match, pattern)) return std::nullopt;
  const auto number = [&](int group) {
    return match[group].matched ? std::stoi(match[group].str()) : 0;
  };

  const std::chrono::year_month_day date{std::chrono::year(number(1)),
                                         std::chrono::month(static_cast<unsigned>(number(2))),
                                         std::chrono::day(static_cast<unsigned>(number(3)))};
  const int hour = number(4), minute = number(5), second = number(6);
  const int offset_hours = number(9), offset_minutes = number(10);
  if (!date.ok() || hour > 23 || minute > 59 || second > 59 || offset_hours > 14 ||
      offset_minutes > 59) {
    return std::nullopt;
  }
  int offset = offset_hours * 3600 + offset_minutes * 60;
  if (match[8].matched && match[8].str() == "-") offset = -offset;

  Deadline deadline;
  deadline.moment = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                    std::chrono::minutes(minute) + std::chrono::seconds(second) -
                    std::chrono::seconds(offset);
  deadline.local = std::string(text.substr(0, 10)) + " " + std::string(text.substr(11, 5));
  return deadline;
}

}  // namespace prik::bot
