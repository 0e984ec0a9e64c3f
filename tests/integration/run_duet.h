// Runs the duet command line (duet_scripted) once, as a user would from a
// shell, and captures what it prints: for tests of subcommands that do not
// serve (config, plan, route, run).
#pragma once

#include <string>

namespace duet::integration {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `env -i <environment> duet_scripted <arguments>` through the shell,
// so no DUET_* variable or ~/.config file of the developer's leaks in.
// `arguments` and `environment` are shell words, quoted by the caller.
// A failure to start the shell is a test failure (exit_code stays -1).
CommandResult RunDuet(const std::string& arguments,
                      const std::string& environment = "");

}  // namespace duet::integration
