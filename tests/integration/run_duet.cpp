#include "integration/run_duet.h"

#include <sys/wait.h>

#include <cstdio>
#include <sstream>

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

std::string Section(const std::string& output, const std::string& heading) {
  const size_t begin = output.find("\n" + heading);
  if (begin == std::string::npos) {
    ADD_FAILURE() << "no section " << heading << " in:\n" << output;
    return "";
  }
  const size_t end = output.find("\n== ", begin + 1);
  return output.substr(
      begin + 1, end == std::string::npos ? std::string::npos : end - begin);
}

std::vector<std::string> Row(const std::string& section,
                             const std::string& first) {
  std::istringstream lines(section);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    size_t at = line.find_first_not_of(' ');
    while (at != std::string::npos && at < line.size()) {
      size_t gap = line.find("  ", at);
      cells.push_back(
          line.substr(at, gap == std::string::npos ? gap : gap - at));
      at = gap == std::string::npos ? gap : line.find_first_not_of(' ', gap);
    }
    if (!cells.empty() && cells[0] == first) {
      return cells;
    }
  }
  ADD_FAILURE() << "no row " << first << " in:\n" << section;
  return {};
}

}  // namespace duet::integration
