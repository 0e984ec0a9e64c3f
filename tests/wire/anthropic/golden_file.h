// Reads the hand-written golden files under tests/wire/anthropic/golden/.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace duet::wire::anthropic::testing {

// The exact bytes of golden/<name>; empty when the file cannot be read (the
// comparison that follows then fails and names the file).
inline std::string ReadGolden(std::string_view name) {
  const std::string path =
      std::string(DUET_TEST_DATA_DIR) + "/golden/" + std::string(name);
  std::ifstream file(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

// A golden JSON body: the file minus the one newline an editor ends it with.
inline std::string ReadGoldenJson(std::string_view name) {
  std::string text = ReadGolden(name);
  if (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  return text;
}

}  // namespace duet::wire::anthropic::testing
