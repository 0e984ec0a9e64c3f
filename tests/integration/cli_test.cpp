// The command line and configuration as a user meets them: --version,
// --help, `duet config`, and a configuration that is rejected at start with
// its file, key and reason.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "integration/integration_test.h"
#include "integration/run_duet.h"
#include "support/test_images.h"

namespace duet::integration {
namespace {

class CliTest : public ::testing::Test {
 protected:
  // Writes `contents` to a fresh file in a per-test temporary folder.
  std::string WriteConfig(const std::string& contents) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // A parameterised test's name holds a '/' ("Case/Param"): one folder,
    // not a folder in a folder that TearDown would leave behind.
    std::string name = info->name();
    std::replace(name.begin(), name.end(), '/', '-');
    folder_ = std::filesystem::temp_directory_path() /
              ("duet-cli-test-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::create_directories(folder_);
    const std::filesystem::path path = folder_ / "duet.toml";
    std::ofstream(path) << contents;
    return path.string();
  }

  void TearDown() override {
    if (!folder_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(folder_, ignored);
    }
  }

  std::filesystem::path folder_;
};

TEST_F(CliTest, VersionPrintsTheVersion) {
  const CommandResult result = RunDuet("--version");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output.rfind("duet ", 0), 0u) << result.output;
  // The test binary (duet_scripted) never links mimalloc, so the C
  // library's malloc is found; the release duet names mimalloc here.
  EXPECT_NE(result.output.find("\nmalloc: system (glibc)\n"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, HelpListsTheSubcommands) {
  const CommandResult result = RunDuet("--help");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("serve"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("config"), std::string::npos) << result.output;
}

TEST_F(CliTest, SubcommandHelpListsItsFlags) {
  const CommandResult result = RunDuet("serve --help");
  EXPECT_EQ(result.exit_code, 0);
  for (const char* flag : {"--config", "--host", "--port", "--log-level",
                           "--set"}) {
    EXPECT_NE(result.output.find(flag), std::string::npos)
        << flag << " missing from\n" << result.output;
  }
}

TEST_F(CliTest, NoSubcommandIsAUsageError) {
  const CommandResult result = RunDuet("");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("subcommand is required"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, ConfigPrintsDefaultsAsToml) {
  const CommandResult result = RunDuet("config");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("port = 8400"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("host = '127.0.0.1'"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, FileThenEnvironmentThenFlagsEachOverrideTheLast) {
  const std::string path = WriteConfig(
      "[server]\nport = 9001\nidle_timeout_ms = 1234\nmax_body_bytes = 5000\n");
  EXPECT_NE(RunDuet("config --config " + path).output.find("port = 9001"),
            std::string::npos);
  const CommandResult env =
      RunDuet("config --config " + path, "DUET_SERVER_PORT=9002");
  EXPECT_NE(env.output.find("port = 9002"), std::string::npos) << env.output;
  EXPECT_NE(env.output.find("idle_timeout_ms = 1234"), std::string::npos)
      << env.output;
  const CommandResult flags =
      RunDuet("config --config " + path + " --port 9003 --set "
              "server.max_body_bytes=7000",
              "DUET_SERVER_PORT=9002");
  EXPECT_NE(flags.output.find("port = 9003"), std::string::npos)
      << flags.output;
  EXPECT_NE(flags.output.find("max_body_bytes = 7000"), std::string::npos)
      << flags.output;
}

TEST_F(CliTest, ARepeatedFlagTakesItsLastValue) {
  const CommandResult result = RunDuet("config --port 9004 --port 9005");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("port = 9005"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, ModelFlagDeclaresALocalModel) {
  const CommandResult result =
      RunDuet("config --model qwen=/models/q.gguf --set models.qwen.context=2048");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("[models.qwen]\npath = '/models/q.gguf'\n"
                               "context = 2048"),
            std::string::npos)
      << result.output;
}

TEST_F(CliTest, ModelFlagWithoutAPathIsAnError) {
  const CommandResult result = RunDuet("serve --port 0 --model qwen");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("NAME=PATH"), std::string::npos) << result.output;
}

TEST_F(CliTest, ModelThatCannotBeLoadedStopsServeNamingIt) {
  const CommandResult result =
      RunDuet("serve --port 0 --model ghost=/nonexistent/ghost.gguf");
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("ghost"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("/nonexistent/ghost.gguf"), std::string::npos)
      << result.output;
  EXPECT_EQ(result.output.find("listening"), std::string::npos);
}

TEST_F(CliTest, RunAnswersOnePromptAndExits) {
  if (std::string(DUET_TINY_MODEL).empty()) {
    GTEST_SKIP() << "built without llama.cpp";
  }
  const CommandResult result =
      RunDuet(std::string("run ") + DUET_TINY_MODEL +
              " Hello there --set local.default_max_tokens=5");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_GT(result.output.size(), 1u) << "no answer was printed";
  EXPECT_EQ(result.output.find(">>>"), std::string::npos) << result.output;
}

TEST_F(CliTest, RunChatsTurnByTurnWithCommands) {
  if (std::string(DUET_TINY_MODEL).empty()) {
    GTEST_SKIP() << "built without llama.cpp";
  }
  const std::string input = WriteConfig(
      "Hi\n\"\"\"\nfirst line\nsecond line\n\"\"\"\n/clear\n/nope\n/help\n/bye\n"
      "never read\n");
  const CommandResult result =
      RunDuet(std::string("run ") + DUET_TINY_MODEL +
              " --set local.default_max_tokens=4 < " + input);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  size_t prompts = 0;
  for (size_t at = result.output.find(">>> "); at != std::string::npos;
       at = result.output.find(">>> ", at + 1)) {
    ++prompts;
  }
  EXPECT_EQ(prompts, 6u) << result.output;  // 2 turns, 3 commands, /bye
  EXPECT_NE(result.output.find("Cleared the conversation."), std::string::npos);
  EXPECT_NE(result.output.find("Unknown command /nope"), std::string::npos);
  EXPECT_NE(result.output.find("/think on|off"), std::string::npos);
}

TEST_F(CliTest, RunAttachesAnImageNamedInTheMessage) {
  if (std::string(DUET_TINY_VISION_MODEL).empty()) {
    GTEST_SKIP() << "built without llama.cpp";
  }
  const std::string config = WriteConfig("");
  const std::string image = (std::filesystem::path(config).parent_path() / "red.bmp").string();
  std::ofstream(image, std::ios::binary) << testing::SolidBmp(8, 8, {200, 0, 0});
  const CommandResult seen =
      RunDuet(std::string("run ") + DUET_TINY_VISION_MODEL + " --mmproj " +
              DUET_TINY_VISION_PROJECTOR + " 'What is in " + image +
              "?' --set local.default_max_tokens=4");
  EXPECT_EQ(seen.exit_code, 0) << seen.output;
  EXPECT_NE(seen.output.find("Added image '" + image + "'"), std::string::npos) << seen.output;
  EXPECT_EQ(seen.output.find("duet:"), std::string::npos) << seen.output;

  // A model without a projector says so, and how to give it one.
  const CommandResult blind = RunDuet(std::string("run ") + DUET_TINY_MODEL + " 'What is in " +
                                      image + "?' --set local.default_max_tokens=4");
  EXPECT_EQ(blind.exit_code, 1) << blind.output;
  EXPECT_NE(blind.output.find("reads no images"), std::string::npos) << blind.output;
  EXPECT_NE(blind.output.find("duet run --mmproj"), std::string::npos) << blind.output;
}

TEST_F(CliTest, RunWithAnUnknownModelSaysSo) {
  const CommandResult result = RunDuet("run no-such-model");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("no model named 'no-such-model'"),
            std::string::npos)
      << result.output;
}

// `duet route` (issue 5): the policy's decision without a model file or a
// network, one JSON object per input line.
TEST_F(CliTest, RouteExplainsOnePrompt) {
  const CommandResult result =
      RunDuet("route 'My patient Jana Novak (DOB 03/11/1961) has an eGFR of 38'");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("side:        local"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("rule:        sensitive"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("sensitive:   yes"), std::string::npos) << result.output;
  // The explanation names the kinds of data, never the data.
  EXPECT_EQ(result.output.find("Novak"), std::string::npos) << result.output;
}

TEST_F(CliTest, RouteSaysWhenALocalAnswerWillBeChecked) {
  // `duet route` assumes Claude is up: a task kept local is an escalation
  // candidate...
  CommandResult result = RunDuet("route 'draft a short note to the team'");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("escalation:  checked; claude-haiku-4-5 answers if the local "
                               "answer fails"),
            std::string::npos)
      << result.output;
  // ...a sensitive one never is.
  result = RunDuet("route 'draft a short note to maria.lopez@gmail.com about her visa'");
  EXPECT_NE(result.output.find("rule:        sensitive"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("escalation:"), std::string::npos) << result.output;
}

TEST_F(CliTest, RouteJsonlAnswersEveryLineInOrder) {
  const std::string input = WriteConfig(
      R"({"id":"long","prompt":"Find every place where the risk section contradicts the outlook.","pad_chars":300000})"
      "\n"
      R"({"id":"secret","system":"You review code.","messages":[{"role":"user","content":"AWS_SECRET_ACCESS_KEY = 'q7Vd2LmP0xR9sT4uW8yZ1aB3cE5fG6hJ7kK9nM2p'"}]})"
      "\n"
      R"({"id":"bad","messages":"nope"})"
      "\n"
      "not json\n");
  const CommandResult result = RunDuet("route --jsonl " + input);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  std::vector<std::string> lines;
  for (size_t start = 0; start < result.output.size();) {
    const size_t end = result.output.find('\n', start);
    lines.push_back(result.output.substr(start, end - start));
    start = end == std::string::npos ? result.output.size() : end + 1;
  }
  ASSERT_EQ(lines.size(), 4u) << result.output;
  EXPECT_NE(lines[0].find(R"("id":"long")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"("side":"cloud")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"("backend":"anthropic")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"("rule":"long_context")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(R"("side":"local")"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(R"("sensitive":true)"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(R"("sensitive_kinds":["credential"])"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[1].find("q7Vd2"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(R"("id":"bad","error":)"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(R"("error":"line 4: not a JSON object")"), std::string::npos)
      << lines[3];
}

TEST_F(CliTest, RouteReadsStdinAndUsesTheConfiguredPolicy) {
  const std::string config = WriteConfig("[policy]\nmode = \"local-only\"\n");
  const CommandResult result =
      RunDuet("route --config " + config + " --jsonl - <<'EOF'\n"
              R"({"id":1,"prompt":"Review this pull request before I merge it"})"
              "\nEOF");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(R"("rule":"local_only_mode")"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, KeyIdIsStableShortAndHidesTheKey) {
  const CommandResult first = RunDuet("key-id sk-client-0123456789");
  const CommandResult again = RunDuet("key-id sk-client-0123456789");
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_EQ(first.output, again.output);
  EXPECT_EQ(first.output.size(), std::string("key-0123456789ab\n").size()) << first.output;
  EXPECT_TRUE(first.output.starts_with("key-"));
  EXPECT_EQ(first.output.find("0123456789\n"), std::string::npos);
}

TEST_F(CliTest, DuetConfigVariableNamesTheFile) {
  const std::string path = WriteConfig("[log]\nlevel = \"debug\"\n");
  const CommandResult result = RunDuet("config", "DUET_CONFIG=" + path);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("level = 'debug'"), std::string::npos)
      << result.output;
}

// Each rejected configuration names where the problem is and why.
struct BadConfigCase {
  const char* name;
  const char* toml;
  const char* key;
  const char* reason;
};

class BadConfigTest : public CliTest,
                      public ::testing::WithParamInterface<BadConfigCase> {};

TEST_P(BadConfigTest, ServeRefusesToStartAndSaysWhy) {
  const BadConfigCase& bad = GetParam();
  const std::string path = WriteConfig(bad.toml);
  const CommandResult result = RunDuet("serve --port 0 --config " + path);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find(path), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(bad.key), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(bad.reason), std::string::npos)
      << result.output;
  EXPECT_EQ(result.output.find("listening"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadConfigTest,
    ::testing::Values(
        BadConfigCase{"WrongType", "[server]\nport = \"eighty\"\n",
                      "server.port", "expected"},
        BadConfigCase{"OutOfRange", "[server]\nport = 70000\n", "server.port",
                      "65535"},
        BadConfigCase{"UnknownKey", "[server]\nprot = 8400\n", "server.prot",
                      "unknown key"},
        BadConfigCase{"UnknownSection", "[sever]\nport = 8400\n", "sever",
                      "unknown key"},
        BadConfigCase{"BadLogLevel", "[log]\nlevel = \"loud\"\n", "log.level",
                      "loud"},
        BadConfigCase{"NotToml", "[server\nport = 1\n", "", ":1:"}),
    [](const ::testing::TestParamInfo<BadConfigCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST_F(CliTest, MissingConfigFileIsAnError) {
  const CommandResult result =
      RunDuet("serve --port 0 --config /nonexistent/duet.toml");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("/nonexistent/duet.toml"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, BadEnvironmentValueNamesTheVariable) {
  const CommandResult result =
      RunDuet("serve --port 0", "DUET_SERVER_IO_THREADS=many");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("DUET_SERVER_IO_THREADS"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, BadSetFlagIsAnError) {
  const CommandResult result = RunDuet("serve --port 0 --set server.port");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("KEY=VALUE"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, PortInUseIsAClearErrorNotAHang) {
  ServerProcess first;
  ASSERT_TRUE(first.Start({})) << first.error();
  const CommandResult result =
      RunDuet("serve --port " + std::to_string(first.port()));
  EXPECT_NE(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(std::to_string(first.port())),
            std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace duet::integration
