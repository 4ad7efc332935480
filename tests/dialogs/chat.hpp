// Test support for the conversation engine: a small catalog shaped like the shipped one, the
// shipped message texts, an in-memory StoreView that carries out the engine's commands as the bot
// would (applications, partner requests, nudges, opt-outs, hand-offs, forgetting a person) and
// keeps what is sent to other people, and Chat, which drives one person's conversation turn by
// turn (storing and reloading the state between turns, as the bot does). Several Chats may share
// one World to talk to each other. Single-threaded test code.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "dialogs/engine.hpp"

namespace prik::dialogs::testing {

inline constexpr const char* kCampaign = "kv17-kbh";

// 23 November 2026, 12:00 UTC: the demokratiudvikler position is open, sekretariatschef closed.
std::chrono::sys_seconds test_now();

Catalog test_catalog();

// config/messages/da.json and en.json as shipped.
Texts shipped_texts();

class MemoryView : public StoreView {
 public:
  std::vector<ApplicationSummary> applications_of(const UserRef& user) const override;
  RoleCoverage coverage(std::string_view entry_id) const override;
  std::optional<ApplicationDetails> application(std::string_view id) const override;
  std::vector<ApplicationDetails> applications_for(std::string_view entry_id) const override;
  std::vector<ApplicationDetails> partner_requests_for(const UserRef& user) const override;
  std::optional<Language> language_of(const UserRef& user) const override;
  int nudges_sent_since(const UserRef& from, std::chrono::sys_seconds since) const override;
  std::optional<std::chrono::sys_seconds> last_nudged(const UserRef& to) const override;
  bool opted_out(const UserRef& user) const override;
  std::optional<NudgeSummary> open_nudge_for(const UserRef& to) const override;
  PersonalData personal_data(const UserRef& user) const override;

  void add(const UserRef& user, ApplicationSummary application);
  void add_nudge(NudgeSummary nudge);
  void set_language(const UserRef& user, Language language);
  // Carries out the commands as the bot would at `now`: applications become pending (waiting for
  // a reachable partner), nudges are recorded and their message sent, "never" opts out, a
  // forgotten person leaves only anonymous applications and their opt-out behind.
  void apply(const std::vector<Command>& commands, std::chrono::sys_seconds now = {});
  // A message to someone other than the person whose turn it was.
  void deliver(Outgoing message) { sent_.push_back(std::move(message)); }
  const std::vector<Command>& history() const { return history_; }
  // Everything delivered to this person, oldest first.
  std::vector<Outgoing> messages_to(const UserRef& user) const;

  // An application with its person and words (an empty user: someone who deleted their data).
  void add(ApplicationDetails application);
  void set_status(std::string_view id, ApplicationStatus status);
  void set_vacant_since(const std::string& entry_id, std::chrono::sys_seconds since) {
    vacant_since_[entry_id] = since;
  }

 private:
  std::vector<ApplicationDetails> applications_;
  std::vector<NudgeSummary> nudges_;
  std::vector<std::pair<UserRef, HandoffSummary>> handoffs_;
  std::map<UserRef, Language> languages_;
  std::set<UserRef> opted_out_;
  std::vector<Outgoing> sent_;
  std::vector<Command> history_;
  int next_id_ = 1;
  std::map<std::string, std::chrono::sys_seconds, std::less<>> vacant_since_;
};

// The test catalog with coordinators: the organisational lead has two people (one on Slack, one
// in the terminal) and a Slack channel; the head of education has nobody and works under the
// organisational lead; the campaign's fallback has a terminal user, a Slack user also in the
// organisational lead's route, and a Matrix room. The secretariat's fallback is one terminal user.
inline constexpr const char* kOrganiserSlack = "slack:T1:UKIM";
inline constexpr const char* kOrganiserConsole = "console:kim";
inline constexpr const char* kOrganiserChannel = "slack:CORG";
inline constexpr const char* kGroupConsole = "console:group";
inline constexpr const char* kGroupRoom = "matrix:!coord:example.org";
inline constexpr const char* kSecretariatConsole = "console:hr";
Catalog coordinated_catalog();

// The world a conversation runs in; the engine's Context points into it.
struct World {
  World();  // the test catalog at test_now()
  World(Catalog catalog, Texts texts, std::chrono::sys_seconds now);
  Catalog catalog;
  Texts texts;
  Matcher matcher;
  MemoryView view;
  std::chrono::sys_seconds now;
  NudgeRules nudge_rules;

  Context context(Language default_language = Language::da) const;
};

class Chat {
 public:
  explicit Chat(World& world, UserRef user = "console:anna", std::string locale = {},
                std::string display_name = "Anna");

  TurnResult say(const std::string& text);
  TurnResult click(const std::string& choice_id);
  TurnResult send(Incoming incoming);

  const Conversation& conversation() const { return conversation_; }
  void set_conversation(Conversation conversation) { conversation_ = std::move(conversation); }
  const UserRef& user() const { return user_; }

 private:
  World& world_;
  UserRef user_;
  std::string locale_;
  std::string display_name_;
  Conversation conversation_;
  int events_ = 0;
};

// Fails the test when a reply shows a raw text key or an unfilled placeholder.
void expect_rendered(const Outgoing& reply);

// All reply texts of a turn, one after another.
std::string all_text(const TurnResult& result);
// The choice ids of the turn's last reply that has choices.
std::vector<std::string> last_choices(const TurnResult& result);
bool offers(const TurnResult& result, const std::string& choice_id);
// The replies of a turn addressed to this person.
std::vector<Outgoing> replies_to(const TurnResult& result, const UserRef& user);
// The commands of a turn of one kind.
template <typename T>
std::vector<T> commands_of(const TurnResult& result) {
  std::vector<T> found;
  for (const auto& command : result.commands) {
    if (const auto* typed = std::get_if<T>(&command)) found.push_back(*typed);
  }
  return found;
}

}  // namespace prik::dialogs::testing
