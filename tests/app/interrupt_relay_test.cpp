#include "app/interrupt_relay.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <future>
#include <memory>
#include <thread>

namespace duet {
namespace {

using std::chrono::milliseconds;

bool CancelledSoon(const CancelFlag& flag) {
  const auto until = std::chrono::steady_clock::now() + milliseconds(5'000);
  while (!flag.cancelled() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(2));
  }
  return flag.cancelled();
}

TEST(InterruptRelayTest, CtrlCCancelsTheArmedFlagOnTheRelaysThread) {
  InterruptRelay relay;
  auto flag = std::make_shared<CancelFlag>();
  auto called_on = std::make_shared<std::promise<std::thread::id>>();
  std::future<std::thread::id> caller = called_on->get_future();
  CancelFlag::Subscription subscription = flag->OnCancel(
      [called_on] { called_on->set_value(std::this_thread::get_id()); });
  relay.Arm(flag);
  ASSERT_EQ(std::raise(SIGINT), 0);
  ASSERT_EQ(caller.wait_for(milliseconds(5'000)), std::future_status::ready);
  EXPECT_TRUE(flag->cancelled());
  // Not in the signal handler on this thread: subscribers may take locks.
  EXPECT_NE(caller.get(), std::this_thread::get_id());
}

TEST(InterruptRelayTest,
     CtrlCWithNothingArmedIsIgnoredAndLaterFlagsAreUntouched) {
  InterruptRelay relay;
  ASSERT_EQ(std::raise(SIGINT), 0);  // the process survives
  auto disarmed = std::make_shared<CancelFlag>();
  relay.Arm(disarmed);
  relay.Arm(nullptr);
  ASSERT_EQ(std::raise(SIGINT), 0);
  auto next = std::make_shared<CancelFlag>();
  relay.Arm(next);
  ASSERT_EQ(std::raise(SIGINT), 0);
  ASSERT_TRUE(CancelledSoon(*next));
  EXPECT_FALSE(disarmed->cancelled());
}

std::atomic<int> g_previous_calls{0};
extern "C" void CountingHandler(int) { ++g_previous_calls; }

TEST(InterruptRelayTest, ThePreviousHandlerIsBackAfterwards) {
  std::signal(SIGINT, CountingHandler);
  {
    InterruptRelay relay;
    ASSERT_EQ(std::raise(SIGINT), 0);
    EXPECT_EQ(g_previous_calls.load(), 0);
  }
  ASSERT_EQ(std::raise(SIGINT), 0);
  EXPECT_EQ(g_previous_calls.load(), 1);
  std::signal(SIGINT, SIG_DFL);
}

TEST(InterruptRelayDeathTest, CtrlCAtAnIdlePromptExitsLikeAShell) {
  EXPECT_EXIT(
      {
        InterruptRelay relay({.exit_when_idle = true});
        std::raise(SIGINT);
        std::this_thread::sleep_for(milliseconds(5'000));
      },
      ::testing::ExitedWithCode(130), "");
}

}  // namespace
}  // namespace duet
