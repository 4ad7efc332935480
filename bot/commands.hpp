// The entry points of prik's commands, one bot/cmd_*.cpp each. args excludes the command name.
#pragma once

#include <string>
#include <vector>

namespace prik::bot {

int run_check_config(const std::vector<std::string>& args);
int run_store(const std::vector<std::string>& args);
int run_match(const std::vector<std::string>& args);
int run_chat(const std::vector<std::string>& args);
int run_run(const std::vector<std::string>& args);
int run_export(const std::vector<std::string>& args);
int run_forget(const std::vector<std::string>& args);

}  // namespace prik::bot
