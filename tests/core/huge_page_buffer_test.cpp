#include "core/huge_page_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <utility>

namespace duet {
namespace {

bool AllZero(const HugePageBuffer& buffer) {
  const auto* bytes = static_cast<const unsigned char*>(buffer.data());
  for (size_t i = 0; i < buffer.size(); ++i) {
    if (bytes[i] != 0) {
      return false;
    }
  }
  return true;
}

TEST(HugePageBufferTest, GivesZeroedMemoryAlignedToAHugePage) {
  for (const size_t bytes :
       {size_t{1}, size_t{4096}, HugePageBuffer::kHugePageBytes,
        size_t{6} << 20, (size_t{6} << 20) + 1}) {
    HugePageBuffer buffer(bytes);
    ASSERT_EQ(buffer.size(), bytes);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer.data()) %
                  HugePageBuffer::kHugePageBytes,
              0u)
        << bytes;
    EXPECT_TRUE(AllZero(buffer)) << bytes;
    // Every byte is writable, the last one included.
    std::memset(buffer.data(), 0xab, bytes);
    EXPECT_EQ(static_cast<unsigned char*>(buffer.data())[bytes - 1], 0xab);
  }
}

TEST(HugePageBufferTest, EmptyBuffersHoldNothing) {
  EXPECT_TRUE(HugePageBuffer().empty());
  EXPECT_EQ(HugePageBuffer().data(), nullptr);
  HugePageBuffer zero(0);
  EXPECT_TRUE(zero.empty());
  EXPECT_EQ(zero.data(), nullptr);
}

TEST(HugePageBufferTest, MovingHandsOverTheMemory) {
  HugePageBuffer first(4096);
  static_cast<unsigned char*>(first.data())[10] = 7;
  void* const data = first.data();
  HugePageBuffer second(std::move(first));
  EXPECT_EQ(second.data(), data);
  EXPECT_EQ(second.size(), 4096u);
  EXPECT_TRUE(
      first.empty());  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(static_cast<unsigned char*>(second.data())[10], 7);
  HugePageBuffer third(100);
  third = std::move(second);
  EXPECT_EQ(third.data(), data);
  EXPECT_EQ(third.size(), 4096u);
  third = std::move(third);  // self-move keeps the memory
  EXPECT_EQ(third.data(), data);
}

}  // namespace
}  // namespace duet
