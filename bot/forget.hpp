// Forgetting a person: "delete my data" in a conversation and `prik forget USERREF` for an
// operator. Both build one store batch with forget_person() and commit it; the bytes leave the
// data dir's files at the next compaction (storage/FORMAT.md).
//
// What goes: the person's conversation; their inbox entries; outbox messages to them and
// undelivered messages to others that quote them (their UserRef, a display name of theirs as a
// whole word, or words they wrote); nudges they sent or received; their hand-offs; fields of other
// people's conversations that hold exactly their UserRef or display name (e.g. a pending nudge
// target or a pair partner). Their applications stay, made anonymous (records: "user",
// "display_name" and "words" empty, no partner, "anonymous": true), so coverage counts stay; where
// they are someone's pair partner, the partner is removed. The opt-out hash (optouts/) is kept.
//
// A plain function: reads the store (scans, no commits), thread-safe as Store reads are.
#pragma once

#include <vector>

#include "bot/records.hpp"
#include "dialogs/message.hpp"
#include "storage/store.hpp"

namespace prik::bot {

// Adds to `batch` the erasures and rewrites that remove everything stored about `user`
// except the opt-out hash: conversation, inbox and outbox entries for them, nudges sent and
// received, hand-offs, and their applications made anonymous (see records). Returns the
// rewritten applications so the caller can update its indexes.
std::vector<records::Application> forget_person(const storage::Store& store,
                                                const dialogs::UserRef& user,
                                                storage::Batch& batch);

}  // namespace prik::bot
