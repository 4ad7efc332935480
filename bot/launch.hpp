// Launch: the start-up steps the long-running commands (`prik chat`, `prik run`) share -- the
// configuration loaded and validated, the data dir opened -- with every failure printed to stderr
// for the operator, prefixed by the command ("prik run: ...").
//
// Plain functions; the caller owns what they return.
#pragma once

#include <boost/program_options/variables_map.hpp>
#include <memory>
#include <optional>
#include <string>

#include "bot/config.hpp"
#include "bot/runtime.hpp"
#include "storage/store.hpp"

namespace prik::bot {

// The configuration named by --config; nullopt (problems printed) when it has problems.
std::optional<LoadedConfig> load_configuration(const std::string& command,
                                               const boost::program_options::variables_map& values);

// The opened data dir; nullptr (reason printed) when it cannot be opened.
std::unique_ptr<storage::Store> open_data_dir(const std::string& command,
                                              const StoreSettings& settings);

// The Runtime options the configuration implies, stopping on SIGINT and SIGTERM.
RuntimeOptions runtime_options(const Settings& settings);

}  // namespace prik::bot
