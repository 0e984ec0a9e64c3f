#include "core/logging.h"

#include <gtest/gtest.h>

#include <string>

namespace duet {
namespace {

TEST(LoggingTest, UnknownLevelIsRefused) {
  EXPECT_EQ(InitLogging("loud").code(), ErrorCode::kInvalidArgument);
}

TEST(LoggingTest, QuotedTextCannotForgeALineOrDriveTheTerminal) {
  ASSERT_TRUE(InitLogging("info").ok());
  ::testing::internal::CaptureStderr();
  spdlog::warn("upstream said: {}",
               "busy\n2026-01-01T00:00:00.000 info \x1b[2Jall is well\r");
  spdlog::default_logger()->flush();
  const std::string logged = ::testing::internal::GetCapturedStderr();
  // One line: the message's own newline and escape were replaced.
  ASSERT_FALSE(logged.empty());
  EXPECT_EQ(logged.find('\n'), logged.size() - 1) << logged;
  EXPECT_NE(logged.find(" warning upstream said: busy?2026-01-01T00:00:00.000 "
                        "info ?[2Jall is well?\n"),
            std::string::npos)
      << logged;
  ASSERT_TRUE(InitLogging("off").ok());
}

}  // namespace
}  // namespace duet
