// Runs the duet command line (duet_scripted) once, as a user would from a
// shell, and captures what it prints: for tests of subcommands that do not
// serve (config, plan, report, route, run).
#pragma once

#include <string>
#include <vector>

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

// Reading what the reports print (`duet plan`, `duet report`), whose
// sections start with a line "== <title>" and whose tables separate cells
// by two or more spaces.
//
// The text from the line starting with `heading` to the next "== " line;
// a test failure and "" when there is none.
std::string Section(const std::string& output, const std::string& heading);
// The cells of the table row in `section` whose first cell is `first`; a
// test failure and {} when there is none.
std::vector<std::string> Row(const std::string& section,
                             const std::string& first);

}  // namespace duet::integration
