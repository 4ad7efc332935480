// The message model: the vocabulary the adapters, the dialogs and the bot core share.
//
// A UserRef is a platform-qualified identity ("slack:T0123:U0456", "matrix:@bo:example.org",
// "console:anna"); everything Prik stores about a person is keyed by it. An Incoming is one thing a
// person said or chose; an Outgoing is one reply. Choices carry stable ids, so a Slack button, a
// typed number and a typed label all select the same thing.
//
// Plain value types; this header includes only the standard library so that adapters can use it
// without knowing anything else of the dialogs.
#pragma once

#include <string>
#include <vector>

namespace prik::dialogs {

using UserRef = std::string;

// The platform part of a UserRef: "slack", "matrix", "console" (empty when malformed).
inline std::string platform_of(const UserRef& user) {
  const auto colon = user.find(':');
  return colon == std::string::npos ? std::string{} : user.substr(0, colon);
}

struct Choice {
  std::string id;     // stable, language-independent ("menu.find", "role.okonomiansvarlig")
  std::string label;  // what the person sees, in their language
};

struct Incoming {
  UserRef user;
  std::string conversation;  // where it was said: Slack channel id, Matrix room id, console name
  bool direct = true;        // a DM with the bot (false: a channel or a group room)
  std::string text;          // what they typed; empty when they clicked a choice
  std::string choice_id;     // the choice they clicked (a button), or empty
  std::string event_id;      // the platform's id for the event, for dedupe
  std::string display_name;  // when known
  std::string locale;        // when known, e.g. "da-DK", "en-US"
  std::vector<UserRef> mentions;  // people the message mentions
  // The mentions the platform knows to be bots (Prik itself included): never nudged.
  std::vector<UserRef> mentioned_bots;
};

struct Outgoing {
  UserRef to;                // the person the reply is for
  std::string conversation;  // where to say it; empty: the person's DM
  std::string text;
  std::vector<Choice> choices;
};

}  // namespace prik::dialogs
