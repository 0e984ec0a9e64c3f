#include "core/ids.h"

#include <random>

namespace duet {

std::string NewId(std::string_view prefix) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static constexpr size_t kLength = 24;
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::string id(prefix);
  id.reserve(prefix.size() + kLength);
  uint64_t bits = 0;
  int bits_left = 0;
  for (size_t i = 0; i < kLength; ++i) {
    if (bits_left < 6) {
      bits = generator();
      bits_left = 64;
    }
    // 62 of 64 values map directly; the 2 extra fold back, a negligible bias
    // for identifiers.
    id.push_back(kAlphabet[(bits & 63) % 62]);
    bits >>= 6;
    bits_left -= 6;
  }
  return id;
}

}  // namespace duet
