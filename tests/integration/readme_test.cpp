// Every `build/release/duet ...` command the README shows, run as written
// (issue 8: "every command in the README is exercised by a test"), in a
// sandbox that makes its examples real: the model files it names are the
// generated tiny model, the Hugging Face and Ollama names it uses are in a
// fake cache and store, and the files it reads are there. Each command must
// succeed; a `serve` must come up listening and stop cleanly.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "integration/run_duet.h"
#include "integration/server_process.h"
#include "support/http_client.h"

namespace duet::integration {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCommand = "build/release/duet ";

// The duet command lines of the README's ```sh blocks, with any leading
// VAR=value assignments kept and comments dropped; `a && b` gives two.
std::vector<std::string> ReadmeCommands() {
  std::ifstream file(DUET_SOURCE_DIR "/README.md");
  EXPECT_TRUE(file.good());
  std::vector<std::string> commands;
  std::string line;
  bool in_shell = false;
  while (std::getline(file, line)) {
    if (line.starts_with("```")) {
      in_shell = !in_shell && line == "```sh";
      continue;
    }
    if (!in_shell) {
      continue;
    }
    if (const size_t comment = line.find("  #"); comment != std::string::npos) {
      line.resize(comment);
    }
    std::stringstream parts(std::regex_replace(line, std::regex(" && "), "\n"));
    std::string part;
    while (std::getline(parts, part)) {
      if (part.find(kCommand) != std::string::npos) {
        commands.push_back(std::regex_replace(part, std::regex(" +$"), ""));
      }
    }
  }
  return commands;
}

class ReadmeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "duet-readme-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    // The Hugging Face id the README pulls and runs, already in the cache
    // (so `duet pull` finds it in place and asks no server).
    const std::string repo = root_ + "/home/.cache/huggingface/hub/models--Qwen--Qwen2.5-0.5B-Instruct-GGUF";
    fs::create_directories(repo + "/blobs");
    fs::create_directories(repo + "/refs");
    fs::create_directories(repo + "/snapshots/0123abcd");
    fs::copy_file(DUET_TINY_MODEL, repo + "/blobs/tiny");
    fs::create_symlink("../../blobs/tiny",
                       repo + "/snapshots/0123abcd/qwen2.5-0.5b-instruct-q4_k_m.gguf");
    std::ofstream(repo + "/refs/main") << "0123abcd";
    // The Ollama model the README serves: a manifest naming the blob.
    const std::string store = root_ + "/home/.ollama/models";
    fs::create_directories(store + "/blobs");
    fs::create_directories(store + "/manifests/models.example/library/llama3.2");
    const std::string digest(64, 'a');
    fs::copy_file(DUET_TINY_MODEL, store + "/blobs/sha256-" + digest);
    std::ofstream(store + "/manifests/models.example/library/llama3.2/3b")
        << R"({"schemaVersion":2,"layers":[{"mediaType":"application/vnd.ollama.image.model",)"
        << R"("digest":"sha256:)" << digest << R"(","size":)" << fs::file_size(DUET_TINY_MODEL)
        << "}]}";
    std::ofstream(root_ + "/requests.jsonl")
        << R"({"id":"a","prompt":"Please review this PR before I merge it"})" << "\n"
        << R"({"id":"b","prompt":"Summarize this paragraph in two sentences."})" << "\n";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  // The README's words made real in the sandbox.
  std::string Sandboxed(std::string command) const {
    command = std::regex_replace(command, std::regex("/models/[A-Za-z0-9._-]+\\.gguf"),
                                 DUET_TINY_MODEL);
    command = std::regex_replace(command, std::regex(" requests\\.jsonl"),
                                 " '" + root_ + "/requests.jsonl'");
    command = std::regex_replace(command, std::regex(" my\\.toml"), " '" + root_ + "/my.toml'");
    return command;
  }
  std::string Environment() const {
    return "HOME='" + root_ + "/home' XDG_DATA_HOME='" + root_ +
           "/data' HF_ENDPOINT=http://127.0.0.1:9 PATH=/usr/bin:/bin";
  }

  std::string root_;
};

TEST_F(ReadmeTest, EveryDuetCommandInTheReadmeWorksAsWritten) {
  const std::vector<std::string> commands = ReadmeCommands();
  ASSERT_GE(commands.size(), 10u);
  {
    // A ledger to report on, as a reader would have one: a gateway that
    // answered a request.
    ServerProcess gateway;
    ASSERT_TRUE(gateway.Start({"--model", std::string("tiny=") + DUET_TINY_MODEL}))
        << gateway.error();
    const std::optional<HttpResponse> answer = Fetch(
        gateway.port(),
        AnthropicPost(
            R"({"model":"auto","max_tokens":8,"messages":[{"role":"user","content":"hi"}]})"));
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->status, 200);
    ASSERT_TRUE(gateway.SendSignal(SIGTERM));
    ASSERT_EQ(gateway.WaitForExit(std::chrono::seconds(30)), 0) << gateway.Stderr();
    fs::create_directories(root_ + "/data/duet");
    fs::copy_file(gateway.LedgerPath(), root_ + "/data/duet/ledger.db");
  }
  for (const std::string& written : commands) {
    SCOPED_TRACE(written);
    std::string command = Sandboxed(written);
    // Leading VAR=value words go to the environment.
    std::string environment = Environment();
    const size_t start = command.find(kCommand);
    if (start > 0) {
      environment += " " + command.substr(0, start);
    }
    std::string arguments = command.substr(start + kCommand.size());
    if (arguments.starts_with("serve")) {
      ServerProcess server;
      std::vector<std::string> extra;
      std::istringstream words(arguments.substr(5));
      for (std::string word; words >> word;) {
        // No shell here: the sandbox's quotes come off.
        extra.push_back(std::regex_replace(word, std::regex("'"), ""));
      }
      for (const char* name : {"HOME", "XDG_DATA_HOME"}) {
        ::setenv(name, (root_ + (name[0] == 'H' ? "/home" : "/data")).c_str(), 1);
      }
      ASSERT_TRUE(server.Start(extra)) << server.error();
      ASSERT_TRUE(server.SendSignal(SIGTERM));
      EXPECT_EQ(server.WaitForExit(std::chrono::seconds(30)), 0) << server.Stderr();
      continue;
    }
    // `duet config > FILE`: the shell's redirection, kept.
    const CommandResult result = RunDuet(arguments, environment);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    if (arguments.starts_with("run ")) {
      EXPECT_NE(result.output.find(">>> "), std::string::npos) << result.output;
    }
    if (arguments.starts_with("models")) {
      EXPECT_NE(result.output.find("llama3.2:3b"), std::string::npos) << result.output;
      EXPECT_NE(result.output.find("Qwen/Qwen2.5-0.5B-Instruct-GGUF/"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace duet::integration
