// A temporary directory holding a small, valid configuration (prik.json, one catalog, da+en
// messages) that tests change one piece at a time before loading it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "bot/config.hpp"
#include "dialogs/texts.hpp"

namespace prik::bot::testing {

using nlohmann::json;

inline json localized(const std::string& text) { return {{"da", text + " (da)"}, {"en", text}}; }

class ConfigFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "prik-config-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::filesystem::create_directories(dir_ / "config" / "catalogs");
    std::filesystem::create_directories(dir_ / "config" / "messages");

    settings_ = {
        {"log_level", "info"},
        {"language", "da"},
        {"campaign", "test-campaign"},
        {"catalogs", {"catalogs/test.json"}},
        {"messages_dir", "messages"},
        {"store", {{"data_dir", "../data"}, {"compact_journal_bytes", 1048576}}},
        {"console", {{"enabled", true}}},
        {"http", {{"listen", "127.0.0.1:0"}}},
        {"slack",
         {{"enabled", false},
          {"mode", "http"},
          {"bot_token_env", "SLACK_BOT_TOKEN"},
          {"signing_secret_env", "SLACK_SIGNING_SECRET"},
          {"app_token_env", "SLACK_APP_TOKEN"}}},
        {"matrix",
         {{"enabled", false},
          {"homeserver_url", "https://matrix.example.org"},
          {"user_id", "@prik:example.org"},
          {"access_token_env", "MATRIX_ACCESS_TOKEN"},
          {"allowed_servers", json::array()}}},
    };
    catalog_ = {
        {"id", "test-campaign"},
        {"name", localized("Test campaign")},
        {"contact_email", "campaign@example.org"},
        {"interests",
         {{{"id", "economy"}, {"label", localized("Economy")}, {"synonyms", {"budget"}}}}},
        {"entries",
         {
             {{"id", "chief"},
              {"kind", "lead"},
              {"title", localized("Chief")},
              {"purpose", localized("Leads")}},
             {{"id", "treasurer"},
              {"kind", "role"},
              {"title", localized("Treasurer")},
              {"purpose", localized("Keeps the money")},
              {"tasks", {localized("Count"), localized("Report")}},
              {"works_under", "chief"},
              {"interests", {"economy"}},
              {"keywords", {"budget", "penge"}},
              {"hours_per_week", {{"min", 1}, {"max", 3}}},
              {"places", 1}},
             {{"id", "clerk"},
              {"kind", "position"},
              {"title", localized("Clerk")},
              {"purpose", localized("Files things")},
              {"tasks", {localized("File")}},
              {"hours_per_week", {{"min", 30}, {"max", 37}}},
              {"position",
               {{"hours", localized("30 hours")},
                {"place", localized("Office")},
                {"start", localized("Soon")},
                {"how_to_apply", localized("Write to us")},
                {"contact_email", "jobs@example.org"},
                {"deadline", "2026-05-25T12:00:00+02:00"}}}},
         }},
        {"coordinators", {{"chief", {{"users", {"console:anna"}}, {"channel", ""}}}}},
        {"fallback", {{"users", json::array()}, {"channel", ""}}},
    };
    // Complete message files for whatever keys the code currently uses.
    messages_ = json::object();
    for (const auto& [key, placeholders] : dialogs::text_keys()) {
      std::string text = "text";
      for (const auto& name : placeholders) text += " {" + name + "}";
      messages_[key] = text;
    }
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::filesystem::path config_file() const { return dir_ / "config" / "prik.json"; }

  static void write(const std::filesystem::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
  }

  void write_all() const {
    write(config_file(), settings_.dump(2));
    write(dir_ / "config" / "catalogs" / "test.json", catalog_.dump(2));
    write(dir_ / "config" / "messages" / "da.json", messages_.dump(2));
    write(dir_ / "config" / "messages" / "en.json", messages_.dump(2));
  }

  ConfigResult load() const {
    write_all();
    return load_config(config_file(),
                       [this](const std::string& name) -> std::optional<std::string> {
                         const auto found = environment_.find(name);
                         if (found == environment_.end()) return std::nullopt;
                         return found->second;
                       });
  }

  // Whether some problem contains fragment.
  static bool has_problem(const ConfigResult& result, const std::string& fragment) {
    return std::any_of(
        result.problems.begin(), result.problems.end(),
        [&](const std::string& problem) { return problem.find(fragment) != std::string::npos; });
  }

  static std::string all_problems(const ConfigResult& result) {
    std::string out;
    for (const auto& problem : result.problems) out += problem + "\n";
    return out;
  }

  // The path problems name the test files by: "<dir>/config/...".
  std::string path_of(const std::string& relative) const {
    return (dir_ / "config" / relative).string();
  }

  std::filesystem::path dir_;
  json settings_;
  json catalog_;
  json messages_;
  std::map<std::string, std::string> environment_;
};

}  // namespace prik::bot::testing
