#include "core/cancel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace duet {
namespace {

TEST(CancelFlagTest, CancelSetsTheFlagAndCallsEachSubscriberOnce) {
  CancelFlag flag;
  int first = 0;
  int second = 0;
  CancelFlag::Subscription a = flag.OnCancel([&] { ++first; });
  CancelFlag::Subscription b = flag.OnCancel([&] { ++second; });
  EXPECT_FALSE(flag.cancelled());
  EXPECT_EQ(first + second, 0);
  flag.Cancel();
  flag.Cancel();
  EXPECT_TRUE(flag.cancelled());
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
}

TEST(CancelFlagTest, AnEndedSubscriptionIsNotCalled) {
  CancelFlag flag;
  int called = 0;
  {
    CancelFlag::Subscription gone = flag.OnCancel([&] { ++called; });
  }
  CancelFlag::Subscription reset = flag.OnCancel([&] { ++called; });
  reset.reset();
  CancelFlag::Subscription kept = flag.OnCancel([&] { called += 10; });
  flag.Cancel();
  EXPECT_EQ(called, 10);
}

TEST(CancelFlagTest, SubscribingToACancelledFlagCallsAtOnce) {
  CancelFlag flag;
  flag.Cancel();
  int called = 0;
  CancelFlag::Subscription subscription = flag.OnCancel([&] { ++called; });
  EXPECT_EQ(called, 1);
}

TEST(CancelFlagTest, AMovedSubscriptionStillEndsOnce) {
  CancelFlag flag;
  int called = 0;
  CancelFlag::Subscription first = flag.OnCancel([&] { ++called; });
  CancelFlag::Subscription second = std::move(first);
  first.reset();  // moved from: ends nothing
  CancelFlag::Subscription third = flag.OnCancel([&] { called += 10; });
  third = std::move(second);  // ends third's own subscription, keeps the first
  flag.Cancel();
  EXPECT_EQ(called, 1);
}

TEST(CancelFlagTest, SubscriptionsEndingWhileAnotherThreadCancels) {
  // Each subscriber holds its state by shared_ptr, as the contract asks:
  // a callback may run after its subscription ended. Under TSan/ASan this
  // catches races between Cancel, OnCancel and ending a subscription.
  for (int round = 0; round < 200; ++round) {
    CancelFlag flag;
    auto calls = std::make_shared<std::atomic<int>>(0);
    std::vector<CancelFlag::Subscription> subscriptions;
    for (int i = 0; i < 8; ++i) {
      subscriptions.push_back(flag.OnCancel([calls] { ++*calls; }));
    }
    std::thread canceller([&] { flag.Cancel(); });
    for (int i = 0; i < 4; ++i) {
      subscriptions[static_cast<size_t>(i)].reset();
    }
    canceller.join();
    // The four kept subscriptions were called; the four ended may or may not
    // have been, depending on who was first.
    EXPECT_GE(calls->load(), 4);
    EXPECT_LE(calls->load(), 8);
  }
}

}  // namespace
}  // namespace duet
