// `duet demo` end to end (issue 8): on a machine with no model file and no
// Claude key it generates a tiny model, stages Claude with the simulator,
// sends the mixed workload through the real gateway, prints every routing
// decision, the rules that fired and the cost report, then serves until
// Ctrl-C.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <regex>
#include <thread>

#include "integration/run_duet.h"
#include "integration/server_process.h"
#include "ledger/ledger_store.h"

namespace duet::integration {
namespace {

namespace fs = std::filesystem;

// A scratch HOME and TMPDIR, so no model of the developer's is found and
// the demo's folder can be checked for.
class DemoCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "duet-demo-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    fs::create_directories(root_ + "/home");
    fs::create_directories(root_ + "/tmp");
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  // One inference thread: ctest runs two demos side by side on a 2-core
  // machine, and llama.cpp's workers spin at their barriers, so two demos
  // of two threads each stall one another for minutes.
  std::string Environment() const {
    return "HOME='" + root_ + "/home' TMPDIR='" + root_ +
           "/tmp' PATH=/usr/bin:/bin DUET_LOCAL_THREADS=1";
  }
  // The demo folders left in TMPDIR.
  std::vector<std::string> DemoFolders() const {
    std::vector<std::string> folders;
    for (const auto& entry : fs::directory_iterator(root_ + "/tmp")) {
      if (entry.path().filename().string().starts_with("duet-demo-")) {
        folders.push_back(entry.path().string());
      }
    }
    return folders;
  }

  std::string root_;
};

// The display line of request `number` ("[ 7/32] ..."); "" when missing.
std::string RequestLine(const std::string& output, int number) {
  const std::regex line("\\[ *" + std::to_string(number) + "/[0-9]+\\][^\\n]*");
  std::smatch match;
  return std::regex_search(output, match, line) ? match.str() : "";
}

TEST_F(DemoCliTest, WithNothingConfiguredItShowsTheWholeIdeaAndSaysWhatIsSimulated) {
  const CommandResult demo = RunDuet("demo --exit --port 0", Environment());
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  const std::string& out = demo.output;
  // Plain about what is not real.
  EXPECT_NE(out.find("GENERATED tiny model"), std::string::npos) << out;
  EXPECT_NE(out.find("its answers are NOISE"), std::string::npos);
  EXPECT_NE(out.find("Claude: SIMULATED"), std::string::npos);

  // Every request's decision, as it was made.
  EXPECT_NE(out.find("== 32 requests through http://127.0.0.1:"), std::string::npos);
  for (int number = 1; number <= 32; ++number) {
    EXPECT_NE(RequestLine(out, number), "") << "request " << number << "\n" << out;
  }
  // A task the table keeps local is answered locally unless its (noise)
  // answer failed a check; one the table sends to Claude goes there.
  const std::string general = RequestLine(out, 1);
  EXPECT_TRUE(general.find(" local ") != std::string::npos ||
              general.find("escalated:") != std::string::npos)
      << general;
  EXPECT_NE(RequestLine(out, 16).find(" cloud  claude-sonnet"), std::string::npos)
      << RequestLine(out, 16);  // code review
  for (int sensitive = 23; sensitive <= 25; ++sensitive) {
    const std::string line = RequestLine(out, sensitive);
    EXPECT_NE(line.find(" local "), std::string::npos) << line;
    EXPECT_NE(line.find("sensitive: never leaves this machine"), std::string::npos) << line;
  }
  EXPECT_NE(RequestLine(out, 26).find(" cloud "), std::string::npos) << RequestLine(out, 26);
  // The burst: Claude's 429s, answered locally, the next kept local.
  EXPECT_NE(RequestLine(out, 27).find("fallback: anthropic:"), std::string::npos)
      << RequestLine(out, 27);
  // The next one is kept local while the retry-after lasts, unless the
  // machine was so slow that it had already run out.
  const std::string next = RequestLine(out, 28);
  EXPECT_TRUE(next.find("Claude asked to wait") != std::string::npos ||
              next.find(" cloud ") != std::string::npos)
      << next;
  // The outage: a refused connection, then the circuit breaker.
  EXPECT_NE(RequestLine(out, 30).find("could not connect"), std::string::npos)
      << RequestLine(out, 30);
  EXPECT_NE(RequestLine(out, 32).find("unreachable"), std::string::npos)
      << RequestLine(out, 32);

  // The rules that fired, then the cost report over the demo's ledger.
  const std::string rules = Section(out, "== Rules that fired");
  for (const char* rule : {"task", "sensitive", "exceeds_local_context", "cloud_unavailable"}) {
    EXPECT_NE(rules.find(rule), std::string::npos) << rule << "\n" << rules;
  }
  EXPECT_EQ(Row(Section(out, "== Totals"), "requests")[1], "32 (32 answered)");
  const std::string savings = Section(out, "== Savings against sending everything to Claude");
  for (const char* tier : {"haiku", "sonnet", "opus"}) {
    EXPECT_EQ(Row(savings, tier).size(), 5u) << tier << "\n" << savings;
  }
  // How to use the gateway it leaves serving.
  for (const char* hint : {"OPENAI_BASE_URL=http://127.0.0.1:", "ANTHROPIC_BASE_URL=http://",
                           "claude\n", "curl http://127.0.0.1:"}) {
    EXPECT_NE(out.find(hint), std::string::npos) << hint;
  }
  EXPECT_TRUE(DemoFolders().empty()) << "the demo's folder is removed at the end";
}

TEST_F(DemoCliTest, AConfiguredModelIsUsedAndNamed) {
  const CommandResult demo = RunDuet(
      "demo --exit --port 0 --keep --model mine='" DUET_TINY_MODEL "'", Environment());
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  EXPECT_NE(demo.output.find("local model: your configured model 'mine'"), std::string::npos)
      << demo.output;
  EXPECT_EQ(demo.output.find("GENERATED"), std::string::npos);
  // --keep: the ledger stays, with every request in it.
  const std::vector<std::string> folders = DemoFolders();
  ASSERT_EQ(folders.size(), 1u);
  Result<LedgerStore> ledger = LedgerStore::Open(folders[0] + "/ledger.db", {.read_only = true});
  ASSERT_TRUE(ledger.has_value()) << ledger.error().ToString();
  int64_t rows = 0;
  ASSERT_TRUE(ledger->ForEach(0, INT64_MAX, [&rows](const LedgerEntry&) { ++rows; }).ok());
  EXPECT_EQ(rows, 32);
}

TEST_F(DemoCliTest, CtrlCStopsTheGatewayItLeavesServing) {
  // The child inherits this environment (ServerProcess).
  ::setenv("HOME", (root_ + "/home").c_str(), 1);
  ::setenv("TMPDIR", (root_ + "/tmp").c_str(), 1);
  ::unsetenv("ANTHROPIC_API_KEY");
  ::setenv("DUET_LOCAL_THREADS", "1", 1);  // as Environment() says why
  ServerProcess demo;
  ASSERT_TRUE(demo.Spawn({"demo", "--port", "0", "--keep", "--model",
                          std::string("mine=") + DUET_TINY_MODEL}))
      << demo.error();
  // Serving once the whole workload is in the ledger (and reported).
  std::string ledger;
  for (int wait = 0; wait < 4800 && ledger.empty(); ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (const std::string& folder : DemoFolders()) {
      Result<LedgerStore> store = LedgerStore::Open(folder + "/ledger.db", {.read_only = true});
      int64_t rows = 0;
      if (store && store->ForEach(0, INT64_MAX, [&rows](const LedgerEntry&) { ++rows; }).ok() &&
          rows == 32) {
        ledger = folder;
      }
    }
    ASSERT_TRUE(demo.running()) << demo.Stderr();
  }
  ASSERT_FALSE(ledger.empty()) << "the demo did not finish its workload";
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the report, then serving
  ASSERT_TRUE(demo.SendSignal(SIGINT));
  EXPECT_EQ(demo.WaitForExit(std::chrono::seconds(30)), 0) << demo.Stderr();
}

}  // namespace
}  // namespace duet::integration
