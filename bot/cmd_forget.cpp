// `prik forget USERREF`: an operator erases everything stored about one person (bot/forget.hpp),
// then compacts the data dir so that none of it is left in its files. The bot must be stopped:
// the data dir's lock says whether it runs.
#include <boost/program_options.hpp>
#include <iostream>
#include <map>
#include <string>

#include "bot/cli.hpp"
#include "bot/commands.hpp"
#include "bot/forget.hpp"
#include "bot/launch.hpp"
#include "storage/store.hpp"

namespace po = boost::program_options;

namespace prik::bot {
namespace {

constexpr const char* forget_usage =
    "prik forget USERREF [--config FILE] [--yes]\n\n"
    "  Erases everything stored about one person (e.g. slack:T0123:U0456, matrix:@bo:example.org,\n"
    "  console:anna): conversation, messages, nudges, hand-offs; their applications stay as\n"
    "  anonymous counts and an opt-out stays as a one-way hash. Then compacts the data dir, so\n"
    "  none of it is left in its files. The bot must be stopped.\n";

// What the batch does, counted per kind of record.
struct Plan {
  int conversation = 0;
  int other_conversations = 0;
  int inbox = 0;
  int outbox = 0;
  int nudges_sent = 0;
  int nudges_received = 0;
  int handoffs = 0;
  int anonymous_applications = 0;
  int partner_removed = 0;

  int total() const {
    return conversation + other_conversations + inbox + outbox + nudges_sent + nudges_received +
           handoffs + anonymous_applications + partner_removed;
  }
};

Plan plan_of(const storage::Store& store, const dialogs::UserRef& user, const storage::Batch& batch,
             const std::vector<records::Application>& applications) {
  Plan plan;
  for (const auto& op : batch.ops()) {
    if (op.collection == records::conversations) {
      ++(op.key == user ? plan.conversation : plan.other_conversations);
    } else if (op.collection == records::inbox) {
      ++plan.inbox;
    } else if (op.collection == records::outbox) {
      ++plan.outbox;
    } else if (op.collection == records::handoffs) {
      ++plan.handoffs;
    } else if (op.collection == records::nudges) {
      const auto document = store.get(op.collection, op.key);
      const auto parsed = nlohmann::json::parse(document.value_or(""), nullptr, false);
      const bool sent = parsed.is_object() && parsed.value("from", "") == user;
      ++(sent ? plan.nudges_sent : plan.nudges_received);
    }
  }
  for (const auto& application : applications) {
    ++(application.user.empty() ? plan.anonymous_applications : plan.partner_removed);
  }
  return plan;
}

void print_plan(const Plan& plan, std::ostream& out) {
  const std::pair<int, const char*> lines[] = {
      {plan.conversation, "conversation"},
      {plan.inbox, "received messages not yet handled"},
      {plan.outbox, "messages not yet delivered (to them, or quoting them)"},
      {plan.nudges_sent, "nudges they sent"},
      {plan.nudges_received, "nudges they received"},
      {plan.handoffs, "requests to talk to a human"},
      {plan.anonymous_applications, "applications of theirs, kept as anonymous counts"},
      {plan.partner_removed, "applications naming them as pair partner (partner removed)"},
      {plan.other_conversations, "other people's conversations mentioning them (cleaned)"},
  };
  for (const auto& [count, what] : lines) {
    if (count > 0) out << "  " << count << " " << what << "\n";
  }
}

bool confirmed() {
  std::cout << "Delete this? Type yes to go on: " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "yes" || answer == "y" || answer == "ja" || answer == "j";
}

}  // namespace

int run_forget(const std::vector<std::string>& args) {
  po::options_description options("Options");
  add_common_options(options);
  options.add_options()                                                            //
      ("user", po::value<std::string>()->value_name("USERREF"), "whom to forget")  //
      ("yes,y", "do not ask for confirmation");
  po::positional_options_description positional;
  positional.add("user", 1);
  po::variables_map values;
  if (const auto exit_code = parse_command_line(args, forget_usage, options, values, positional)) {
    return *exit_code;
  }
  const std::string user = values.count("user") ? values["user"].as<std::string>() : "";
  const auto colon = user.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == user.size()) {
    std::cerr << "prik forget: give the person as platform:id, e.g. console:anna\n\nUsage: "
              << forget_usage;
    return exit_usage;
  }
  setup_logging(values, "warn");
  const auto config = load_configuration("forget", values);
  if (!config) return exit_failure;
  const auto& settings = config->settings.store;

  std::unique_ptr<storage::Store> store;
  const storage::Options store_options{.dir = settings.data_dir,
                                       .compact_journal_bytes = settings.compact_journal_bytes};
  if (const auto status = storage::Store::open(store_options, &store); !status.ok()) {
    if (status.kind() == storage::Status::Kind::busy) {
      std::cerr << "prik forget: the bot is running (" << status.message()
                << "); stop it, then run prik forget again\n";
    } else {
      std::cerr << "prik forget: cannot open the data dir " << settings.data_dir.string() << ": "
                << status.to_string() << "\n";
    }
    return exit_failure;
  }

  storage::Batch batch;
  const auto applications = forget_person(*store, user, batch);
  const Plan plan = plan_of(*store, user, batch, applications);
  const bool opted_out = store->get(records::optouts, records::optout_key(user)).has_value();
  if (plan.total() == 0) {
    std::cout << "Nothing is stored about " << user << "."
              << (opted_out ? " Their opt-out stays: they are never nudged." : "") << "\n";
    return exit_ok;
  }
  std::cout << "Stored about " << user << ":\n";
  print_plan(plan, std::cout);
  if (opted_out) std::cout << "  (their opt-out stays, as a one-way hash: they are never nudged)\n";
  if (!values.count("yes") && !confirmed()) {
    std::cout << "Nothing was deleted.\n";
    return exit_failure;
  }
  if (const auto status = store->commit(std::move(batch)); !status.ok()) {
    std::cerr << "prik forget: nothing was deleted: " << status.to_string() << "\n";
    return exit_failure;
  }
  std::cout << "Deleted everything stored about " << user << ".\n";
  if (const auto status = store->compact(); !status.ok()) {
    std::cerr << "prik forget: deleted, but the compaction failed: " << status.to_string()
              << "\nRun prik store compact to remove the old bytes from the data dir.\n";
    return exit_failure;
  }
  std::cout << "Compacted " << settings.data_dir.string()
            << ": none of it is left in the data dir's files.\n";
  return exit_ok;
}

}  // namespace prik::bot
