#include "core/status.h"

#include <gtest/gtest.h>

namespace duet {
namespace {

Result<int> ParsePositive(int value) {
  if (value <= 0) {
    return Error(InvalidArgument("value must be positive"));
  }
  return value;
}

Result<int> DoubledPositive(int value) {
  DUET_ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
  return parsed * 2;
}

Status CheckPositive(int value) {
  DUET_ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
  (void)parsed;
  return Status::Ok();
}

Status FailWhenNegative(int value) {
  DUET_RETURN_IF_ERROR(CheckPositive(value));
  return Status::Ok();
}

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "ok");
}

TEST(StatusTest, ToStringNamesCodeAndMessage) {
  Status status = NotFound("model: claude-foo");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_EQ(status.ToString(), "not_found: model: claude-foo");
}

TEST(StatusTest, AssignOrReturnPropagatesIntoResult) {
  EXPECT_EQ(DoubledPositive(4).value(), 8);
  Result<int> failed = DoubledPositive(-1);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(failed.error().message(), "value must be positive");
}

TEST(StatusTest, MacrosPropagateIntoStatus) {
  EXPECT_TRUE(FailWhenNegative(3).ok());
  Status failed = FailWhenNegative(-3);
  EXPECT_EQ(failed.code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace duet
