#include "adapters/matrix/sync_machine.hpp"

#include <gtest/gtest.h>

#include "adapters/matrix/api.hpp"
#include "tests/matrix/fixtures.hpp"

namespace prik::adapters::matrix {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(1);

Outcome outcome(Outcome::Kind kind, std::chrono::milliseconds retry_after = 0ms) {
  Outcome result = Outcome::failure(kind, "GET /sync", "test");
  result.retry_after = retry_after;
  return result;
}

http::ClientResponse response(int status, std::string body, http::Headers headers = {}) {
  http::ClientResponse answer;
  answer.status = status;
  answer.body = std::move(body);
  answer.headers = std::move(headers);
  return answer;
}

TEST(MatrixSyncMachine, ChecksTheTokenFirstThenSyncsRightAway) {
  SyncMachine machine({}, 1);
  const SyncAction first = machine.start(t0);
  EXPECT_EQ(first.kind, SyncAction::Kind::check_token);
  EXPECT_EQ(first.at, t0);
  const SyncAction next = machine.resume(Outcome{}, t0 + 5ms);
  EXPECT_EQ(next.kind, SyncAction::Kind::sync);
  EXPECT_EQ(next.at, t0 + 5ms);
  EXPECT_EQ(machine.resume(Outcome{}, t0 + 9ms).kind, SyncAction::Kind::sync);
}

TEST(MatrixSyncMachine, UnreachableHomeserverIsRetriedWithGrowingJitteredBackoff) {
  BackoffPolicy policy;
  policy.initial_delay = 1000ms;
  policy.max_delay = 8000ms;
  policy.jitter = 0.2;
  SyncMachine machine(policy, 42);
  machine.start(t0);
  const double expected[] = {1000, 2000, 4000, 8000, 8000, 8000};
  for (const double base : expected) {
    const SyncAction action = machine.resume(outcome(Outcome::Kind::transient), t0);
    EXPECT_EQ(action.kind, SyncAction::Kind::check_token);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(action.at - t0);
    EXPECT_GE(wait.count(), base * 0.8);
    EXPECT_LE(wait.count(), base * 1.2);
  }
  EXPECT_EQ(machine.failures(), 6);
  EXPECT_FALSE(machine.stopped());
}

TEST(MatrixSyncMachine, JitterSpreadsTheWaitsOfDifferentAdapters) {
  SyncMachine first({}, 1);
  SyncMachine second({}, 2);
  first.start(t0);
  second.start(t0);
  EXPECT_NE(first.resume(outcome(Outcome::Kind::transient), t0).at,
            second.resume(outcome(Outcome::Kind::transient), t0).at);
}

TEST(MatrixSyncMachine, SuccessResetsTheBackoff) {
  BackoffPolicy policy;
  policy.jitter = 0;
  SyncMachine machine(policy, 1);
  machine.start(t0);
  machine.resume(Outcome{}, t0);
  machine.resume(outcome(Outcome::Kind::transient), t0);
  machine.resume(outcome(Outcome::Kind::transient), t0);
  machine.resume(Outcome{}, t0);
  EXPECT_EQ(machine.failures(), 0);
  const SyncAction action = machine.resume(outcome(Outcome::Kind::transient), t0);
  EXPECT_EQ(action.kind, SyncAction::Kind::sync);
  EXPECT_EQ(action.at, t0 + policy.initial_delay);
}

TEST(MatrixSyncMachine, RateLimitWaitsExactlyAsLongAsTheServerAsked) {
  SyncMachine machine({}, 1);
  machine.start(t0);
  machine.resume(Outcome{}, t0);
  const SyncAction action = machine.resume(outcome(Outcome::Kind::rate_limited, 2000ms), t0);
  EXPECT_EQ(action.kind, SyncAction::Kind::sync);
  EXPECT_EQ(action.at, t0 + 2000ms);
}

TEST(MatrixSyncMachine, RateLimitWithoutAWaitBacksOff) {
  BackoffPolicy policy;
  policy.jitter = 0;
  SyncMachine machine(policy, 1);
  machine.start(t0);
  const SyncAction action = machine.resume(outcome(Outcome::Kind::rate_limited), t0);
  EXPECT_EQ(action.at, t0 + policy.initial_delay);
}

TEST(MatrixSyncMachine, UnknownTokenStopsWithAClearReason) {
  SyncMachine machine({}, 1);
  machine.start(t0);
  const auto rejected =
      classify(response(401, tests::matrix_fixture("error_unknown_token.json")), "GET /sync");
  const SyncAction action = machine.resume(rejected, t0);
  EXPECT_EQ(action.kind, SyncAction::Kind::stop);
  EXPECT_NE(action.reason.find("M_UNKNOWN_TOKEN"), std::string::npos) << action.reason;
  EXPECT_NE(action.reason.find("access token"), std::string::npos) << action.reason;
  EXPECT_TRUE(machine.stopped());
  EXPECT_EQ(machine.resume(Outcome{}, t0).kind, SyncAction::Kind::stop);
}

TEST(MatrixSyncMachine, RefusedTokenCheckStopsButARefusedSyncIsRetried) {
  SyncMachine checking({}, 1);
  checking.start(t0);
  EXPECT_EQ(checking.resume(outcome(Outcome::Kind::rejected), t0).kind, SyncAction::Kind::stop);

  SyncMachine syncing({}, 1);
  syncing.start(t0);
  syncing.resume(Outcome{}, t0);
  const SyncAction action = syncing.resume(outcome(Outcome::Kind::rejected), t0);
  EXPECT_EQ(action.kind, SyncAction::Kind::sync);
  EXPECT_GT(action.at, t0);
}

TEST(MatrixSyncMachine, StopIsFinal) {
  SyncMachine machine({}, 1);
  machine.start(t0);
  EXPECT_EQ(machine.stop("shutdown").kind, SyncAction::Kind::stop);
  EXPECT_EQ(machine.resume(Outcome{}, t0).reason, "shutdown");
  EXPECT_EQ(machine.start(t0).kind, SyncAction::Kind::stop);
}

TEST(MatrixOutcome, AnswersAreClassified) {
  EXPECT_EQ(classify(response(200, "{}"), "x").kind, Outcome::Kind::ok);
  EXPECT_EQ(classify(response(502, "<html>"), "x").kind, Outcome::Kind::transient);
  EXPECT_EQ(classify(response(408, ""), "x").kind, Outcome::Kind::transient);
  EXPECT_EQ(classify(http::Error{http::Error::Kind::connect, "connect", "refused"}, "x").kind,
            Outcome::Kind::transient);
  const Outcome forbidden =
      classify(response(403, R"({"errcode":"M_FORBIDDEN","error":"not in room"})"), "PUT /send");
  EXPECT_EQ(forbidden.kind, Outcome::Kind::rejected);
  EXPECT_EQ(forbidden.to_string(), "PUT /send: HTTP 403 M_FORBIDDEN: not in room");
  EXPECT_EQ(classify(response(401, tests::matrix_fixture("error_unknown_token.json")), "x").kind,
            Outcome::Kind::unknown_token);
}

TEST(MatrixOutcome, RetryAfterHeaderWinsOverTheBodyField) {
  const std::string body = tests::matrix_fixture("error_limit_exceeded.json");
  const Outcome with_header = classify(response(429, body, {{"Retry-After", "3"}}), "x");
  EXPECT_EQ(with_header.kind, Outcome::Kind::rate_limited);
  EXPECT_EQ(with_header.retry_after, 3000ms);
  EXPECT_EQ(classify(response(429, body), "x").retry_after, 2000ms);
  EXPECT_EQ(classify(response(429, "{}", {{"Retry-After", "soon"}}), "x").retry_after, 0ms);
}

TEST(MatrixOutcome, SendResultsForTheOutbox) {
  EXPECT_EQ(to_send_result(Outcome{}).kind, SendResult::Kind::delivered);
  const SendResult limited = to_send_result(outcome(Outcome::Kind::rate_limited, 1500ms));
  EXPECT_EQ(limited.kind, SendResult::Kind::retry);
  EXPECT_EQ(limited.retry_after, 1500ms);
  EXPECT_EQ(to_send_result(outcome(Outcome::Kind::transient)).kind, SendResult::Kind::retry);
  EXPECT_EQ(to_send_result(outcome(Outcome::Kind::rejected)).kind,
            SendResult::Kind::permanent_failure);
  EXPECT_EQ(to_send_result(outcome(Outcome::Kind::unknown_token)).kind,
            SendResult::Kind::permanent_failure);
}

TEST(MatrixEndpoints, PathSegmentsAndQueryValuesAreEncoded) {
  const Endpoints endpoints("https://matrix.example.org/");
  EXPECT_EQ(endpoints.whoami(), "https://matrix.example.org/_matrix/client/v3/account/whoami");
  EXPECT_EQ(endpoints.send_message("!abc:example.org", "out/7 #1"),
            "https://matrix.example.org/_matrix/client/v3/rooms/!abc:example.org/send/"
            "m.room.message/out%2F7%20%231");
  EXPECT_EQ(endpoints.account_data("@prik:example.org", "m.direct"),
            "https://matrix.example.org/_matrix/client/v3/user/@prik:example.org/account_data/"
            "m.direct");
  EXPECT_EQ(
      endpoints.sync("s1_2", "{\"a\":1}", 30000ms, true),
      "https://matrix.example.org/_matrix/client/v3/sync?timeout=30000&filter=%7B%22a%22%3A1%7D"
      "&since=s1_2&full_state=true");
  EXPECT_EQ(endpoints.sync("", "", 0ms, false),
            "https://matrix.example.org/_matrix/client/v3/sync?timeout=0");
}

}  // namespace
}  // namespace prik::adapters::matrix
