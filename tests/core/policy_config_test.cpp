#include "core/policy_config.h"

#include <gtest/gtest.h>

namespace duet {
namespace {

TEST(PolicyConfigTest, SpendCapsAreBudgetCapsOrAnOnShadowsCap) {
  PolicyConfig policy;
  EXPECT_FALSE(policy.HasSpendCaps());  // the defaults: no caps, shadow off
  policy.shadow.enabled = true;
  EXPECT_TRUE(policy.HasSpendCaps());  // its $5 a month
  policy.shadow.monthly_usd = 0;
  EXPECT_FALSE(policy.HasSpendCaps());

  for (auto set : {+[](PolicyConfig& p) { p.budget.monthly_usd = 10; },
                   +[](PolicyConfig& p) { p.budget.daily_usd = 1; },
                   +[](PolicyConfig& p) { p.key_budget.monthly_usd = 3; },
                   +[](PolicyConfig& p) {
                     p.key_budgets["key-0123456789ab"].daily_usd = 2;
                   }}) {
    PolicyConfig capped;
    set(capped);
    EXPECT_TRUE(capped.HasSpendCaps());
  }
  PolicyConfig listed_without_cap;
  listed_without_cap.key_budgets["key-0123456789ab"] = BudgetLimitConfig();
  EXPECT_FALSE(listed_without_cap.HasSpendCaps());
}

}  // namespace
}  // namespace duet
