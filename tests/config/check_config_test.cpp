// `prik check-config` run as a process, the way an operator runs it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/config/config_fixture.hpp"

namespace prik::bot::testing {
namespace {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CheckConfig : public ConfigFixture {
 protected:
  ProcessResult check_config() const {
    write_all();
    return run_check_config();
  }

  // Runs the built prik on the files as they are now.
  ProcessResult run_check_config(const std::string& options = "") const {
    const auto out = dir_ / "stdout.txt";
    const auto err = dir_ / "stderr.txt";
    // No platform is enabled in these configs, so the environment does not matter.
    const std::string command = std::string("'") + PRIK_BINARY + "' check-config --config '" +
                                config_file().string() + "' " + options + " >'" + out.string() +
                                "' 2>'" + err.string() + "'";
    const int status = std::system(command.c_str());
    ProcessResult run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = read(out);
    run.err = read(err);
    return run;
  }

  static std::string read(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

TEST_F(CheckConfig, ValidConfigPrintsASummaryAndExitsZero) {
  const ProcessResult run = check_config();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find(config_file().string() +
                         " is valid: 1 campaign, 1 role, 1 position (0 open), 1 lead, da+en texts"),
            std::string::npos)
      << run.out;
}

TEST_F(CheckConfig, ReportsEveryProblemOnItsOwnLineAndExitsOne) {
  settings_["campaign"] = "kv21";
  settings_["slack"]["enabled"] = true;
  settings_["slack"]["bot_token_env"] = "PRIK_TEST_VARIABLE_THAT_IS_NEVER_SET";
  catalog_["entries"][1]["works_under"] = "nobody";
  catalog_["entries"][1]["interests"] = {"gardening"};
  const ProcessResult run = check_config();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(run.out.empty()) << run.out;
  for (const std::string& expected : {
           path_of("prik.json") + ": /campaign: no catalog defines campaign \"kv21\"",
           path_of("prik.json") +
               ": /slack/bot_token_env: environment variable PRIK_TEST_VARIABLE_THAT_IS_NEVER_SET "
               "is not set",
           path_of("catalogs/test.json") + ": /entries/1/works_under: \"nobody\" names no entry",
           path_of("catalogs/test.json") + ": /entries/1/interests/0: unknown interest",
       }) {
    EXPECT_NE(("\n" + run.err).find("\n" + expected), std::string::npos) << expected << "\n"
                                                                         << run.err;
  }
}

TEST_F(CheckConfig, SyntaxErrorNamesLineAndColumn) {
  write_all();
  write(config_file(), "{\n  \"campaign\": \"x\"\n  \"catalogs\": []\n}\n");
  const ProcessResult run = run_check_config();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(config_file().string() + ": line 3, column 12: "), std::string::npos)
      << run.err;
}

TEST_F(CheckConfig, UnknownOptionIsAUsageError) {
  write_all();
  EXPECT_EQ(run_check_config("--no-such-option").exit_code, 2);
}

}  // namespace
}  // namespace prik::bot::testing
