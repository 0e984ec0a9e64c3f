#include "integration/run_duet.h"

#include <sys/wait.h>

#include <cstdio>

#include <gtest/gtest.h>

namespace duet::integration {

CommandResult RunDuet(const std::string& arguments,
                      const std::string& environment) {
  const std::string command = "env -i XDG_CONFIG_HOME=/nonexistent " +
                              environment + " '" DUET_SCRIPTED_BIN "' " +
                              arguments + " 2>&1";
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed for " << command;
    return result;
  }
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    result.output.append(buffer, got);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace duet::integration
