// Test support for the conversation engine: a small catalog shaped like the shipped one, the
// shipped message texts, an in-memory StoreView that takes the engine's commands, and Chat, which
// drives one person's conversation turn by turn (storing and reloading the state between turns,
// as the bot does). Single-threaded test code.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
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

  void add(const UserRef& user, ApplicationSummary application);
  // Carries out the commands as the bot would: applications become pending, withdrawals withdraw.
  void apply(const std::vector<Command>& commands);
  const std::vector<Command>& history() const { return history_; }

 private:
  std::map<UserRef, std::vector<ApplicationSummary>> applications_;
  std::vector<Command> history_;
  int next_id_ = 1;
};

// The world a conversation runs in; the engine's Context points into it.
struct World {
  World();  // the test catalog at test_now()
  World(Catalog catalog, Texts texts, std::chrono::sys_seconds now);
  Catalog catalog;
  Texts texts;
  Matcher matcher;
  MemoryView view;
  std::chrono::sys_seconds now;

  Context context(Language default_language = Language::da) const;
};

class Chat {
 public:
  explicit Chat(World& world, UserRef user = "console:anna", std::string locale = {});

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

}  // namespace prik::dialogs::testing
