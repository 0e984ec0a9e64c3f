// `duet pull` against a real HTTP server (nginx, see nginx_server.h)
// standing in for the Hugging Face hub (HF_ENDPOINT) and for plain URLs:
// a full download into the cache that `duet models` then lists, a resume
// of a partial file by a Range request, a checksum mismatch, a redirect to
// another host that must not see the token, a 404, a file that is not
// GGUF, and Ctrl-C leaving a partial file that the next run completes.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "integration/integration_test.h"
#include "integration/nginx_server.h"
#include "integration/run_duet.h"
#include "model_files/test_files.h"

namespace duet::integration {
namespace {

namespace fs = std::filesystem;
using model_files::testing::GgufBuilder;
using model_files::testing::ReadFile;
using model_files::testing::TempDir;
using model_files::testing::WriteFile;

constexpr const char* kCommit = "fedcba9876543210fedcba9876543210fedcba98";
constexpr const char* kToken = "hf_integration_test_token";

std::string Sha256Of(const std::string& path) {
  FILE* pipe = ::popen(("sha256sum '" + path + "'").c_str(), "r");
  char digest[65] = {};
  const size_t got = pipe != nullptr ? std::fread(digest, 1, 64, pipe) : 0;
  if (pipe != nullptr) {
    ::pclose(pipe);
  }
  return std::string(digest, got);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class PullCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveNginx()) {
      GTEST_SKIP() << "nginx is not installed";
    }
    // A 4 MiB GGUF file: big enough for a resume and an interruption to
    // happen in the middle of it.
    payload_ = GgufBuilder()
                   .String("general.architecture", "llama")
                   .U32("llama.context_length", 2048)
                   .Tensor("weights", {1u << 20}, model_files::testing::kTensorF32)
                   .Build();
    const std::string www = dir_ / "www";
    for (const char* folder : {"hf/acme/tiny-GGUF/resolve/main", "files", "slow"}) {
      WriteFile(www + "/" + folder + "/model.gguf", payload_);
    }
    WriteFile(www + "/files/page.gguf", "<!DOCTYPE html><p>Sign in to continue</p>");
    // What a server that ended the download early, yet called it complete,
    // leaves: the header, and a tenth of the tensor data.
    WriteFile(www + "/files/short.gguf", payload_.substr(0, payload_.size() / 10));
    WriteFile(dir_ / "payload.gguf", payload_);
    sha256_ = Sha256Of(dir_ / "payload.gguf");
    ASSERT_EQ(sha256_.size(), 64u);
    // The hub sends a file's commit and its LFS SHA-256 with it, and
    // answers some resolve URLs with a redirect to a CDN on another host
    // whose URL is signed.
    const std::string directives =
        "location /hf/ {\n"
        "  add_header X-Repo-Commit " + std::string(kCommit) + ";\n"
        "  add_header X-Linked-Etag '\"" + sha256_ + "\"';\n"
        "}\n"
        "location = /hf/acme/moved/resolve/main/model.gguf {\n"
        "  return 302 http://localhost:$server_port/files/model.gguf?X-Amz-Signature=s1gn3d;\n"
        "}\n"
        "location /slow/ { limit_rate 256k; }\n";
    ASSERT_TRUE(nginx_.Start(www, directives)) << nginx_.error();
    env_ = "HF_ENDPOINT=" + nginx_.Url() + "/hf HF_HUB_CACHE=" + dir_ / "hub" +
           " HF_TOKEN=" + kToken;
  }

  TempDir dir_;
  NginxServer nginx_;
  std::string payload_;
  std::string sha256_;
  std::string env_;
};

TEST_F(PullCliTest, ARepoFileLandsInTheCacheVerifiedAndModelsListsIt) {
  const CommandResult result = RunDuet("pull acme/tiny-GGUF/model.gguf", env_);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(Contains(result.output, "verified against x-linked-etag")) << result.output;
  EXPECT_TRUE(Contains(result.output, "sha256 " + sha256_)) << result.output;
  EXPECT_FALSE(Contains(result.output, kToken)) << result.output;
  const std::string snapshot =
      dir_ / ("hub/models--acme--tiny-GGUF/snapshots/" + std::string(kCommit) + "/model.gguf");
  EXPECT_EQ(ReadFile(snapshot), payload_);
  EXPECT_TRUE(fs::is_symlink(snapshot));
  EXPECT_TRUE(Contains(nginx_.AccessLog(),
                       "GET /hf/acme/tiny-GGUF/resolve/main/model.gguf status=200 range=- "
                       "auth=Bearer " + std::string(kToken)))
      << nginx_.AccessLog();

  const CommandResult listing = RunDuet("models --json", env_);
  ASSERT_EQ(listing.exit_code, 0) << listing.output;
  const Json models = ParseJson(listing.output);
  bool found = false;
  for (const Json& model : models["models"]) {
    if (model["id"] == "acme/tiny-GGUF/model.gguf") {
      found = true;
      EXPECT_EQ(model["source"], "huggingface");
      EXPECT_EQ(model["size_bytes"], payload_.size());
      EXPECT_EQ(model["path"], snapshot);
    }
  }
  EXPECT_TRUE(found) << listing.output;

  // Again: already there, nothing requested.
  const std::string log = nginx_.AccessLog();
  const CommandResult again = RunDuet("pull acme/tiny-GGUF/model.gguf", env_);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(Contains(again.output, "Already present: " + snapshot)) << again.output;
  EXPECT_EQ(nginx_.AccessLog(), log);
}

TEST_F(PullCliTest, APartialFileIsResumedWithARangeRequest) {
  const std::string out = dir_ / "out";
  WriteFile(out + "/model.gguf.part", payload_.substr(0, 1'000'000));
  const CommandResult result =
      RunDuet("pull " + nginx_.Url() + "/files/model.gguf --out " + out + " --sha256 " + sha256_,
              env_);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(Contains(result.output, "(resumed at ")) << result.output;
  EXPECT_TRUE(Contains(result.output, "verified against the given checksum")) << result.output;
  EXPECT_EQ(ReadFile(out + "/model.gguf"), payload_);
  EXPECT_FALSE(fs::exists(out + "/model.gguf.part"));
  EXPECT_TRUE(Contains(nginx_.AccessLog(),
                       "GET /files/model.gguf status=206 range=bytes=1000000- auth=-"))
      << nginx_.AccessLog();
}

TEST_F(PullCliTest, AChecksumMismatchFailsAndLeavesNoFile) {
  const std::string out = dir_ / "out";
  const CommandResult result = RunDuet("pull " + nginx_.Url() + "/files/model.gguf --out " +
                                           out + " --sha256 " + std::string(64, '0'),
                                       env_);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(Contains(result.output, "checksum mismatch: expected sha256 " +
                                          std::string(64, '0') + " (the given checksum), the "
                                          "download has " + sha256_))
      << result.output;
  EXPECT_FALSE(fs::exists(out + "/model.gguf"));
  EXPECT_FALSE(fs::exists(out + "/model.gguf.part"));
}

TEST_F(PullCliTest, ARedirectToAnotherHostIsFollowedWithoutTheToken) {
  const CommandResult result = RunDuet("pull acme/moved/model.gguf", env_);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string log = nginx_.AccessLog();
  EXPECT_TRUE(Contains(log, "GET /hf/acme/moved/resolve/main/model.gguf status=302 range=- "
                            "auth=Bearer " + std::string(kToken) + " host=127.0.0.1"))
      << log;
  EXPECT_TRUE(Contains(log, "GET /files/model.gguf status=200 range=- auth=- host=localhost"))
      << log;
  // Neither the token nor the signed query reaches the terminal.
  EXPECT_FALSE(Contains(result.output, kToken)) << result.output;
  EXPECT_FALSE(Contains(result.output, "s1gn3d")) << result.output;
  EXPECT_EQ(ReadFile(dir_ / "hub/models--acme--moved/snapshots/main/model.gguf"), payload_);
}

TEST_F(PullCliTest, AMissingFileIsAClear404) {
  const std::string out = dir_ / "out";
  const CommandResult result =
      RunDuet("pull " + nginx_.Url() + "/files/absent.gguf --out " + out, env_);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(Contains(result.output, "duet pull: HTTP 404: " + nginx_.Url() +
                                          "/files/absent.gguf was not found"))
      << result.output;
  EXPECT_FALSE(fs::exists(out + "/absent.gguf"));
  EXPECT_FALSE(fs::exists(out + "/absent.gguf.part"));
}

TEST_F(PullCliTest, ADownloadThatIsNotGgufIsRefused) {
  const std::string out = dir_ / "out";
  const CommandResult result =
      RunDuet("pull " + nginx_.Url() + "/files/page.gguf --out " + out, env_);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(Contains(result.output, "not a GGUF file (it starts with \"<!DO\")"))
      << result.output;
  EXPECT_FALSE(fs::exists(out + "/page.gguf"));
}

TEST_F(PullCliTest, AGgufShorterThanItsTensorsFailsAndIsKept) {
  const std::string out = dir_ / "out";
  const std::string command = "pull " + nginx_.Url() + "/files/short.gguf --out " + out;
  const CommandResult result = RunDuet(command, env_);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(Contains(result.output, "duet pull: " + out +
                                          "/short.gguf is not a model duet can load: "))
      << result.output;
  EXPECT_TRUE(Contains(result.output, "truncated: its tensors end at byte ")) << result.output;
  EXPECT_FALSE(Contains(result.output, "Chat with it")) << result.output;
  EXPECT_EQ(ReadFile(out + "/short.gguf"), payload_.substr(0, payload_.size() / 10));
  // Pulled again, it is not fetched anew and still fails.
  const CommandResult again = RunDuet(command, env_);
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_TRUE(Contains(again.output, "Already present: ")) << again.output;
}

TEST_F(PullCliTest, CtrlCKeepsThePartialFileAndTheNextRunResumesIt) {
  const std::string out = dir_ / "out";
  const std::string part = out + "/model.gguf.part";
  ServerProcess pull;  // any duet command, not only serve
  ASSERT_TRUE(pull.Spawn({"pull", nginx_.Url() + "/slow/model.gguf", "--out", out}))
      << pull.error();
  // At 256 KiB/s the 4 MiB take 16 s: interrupt once some bytes are in.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::error_code error;
  while (std::chrono::steady_clock::now() < deadline &&
         (!fs::exists(part, error) || fs::file_size(part, error) < 100'000)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(pull.SendSignal(SIGINT));
  const std::optional<int> code = pull.WaitForExit(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value()) << "duet pull ignored Ctrl-C";
  EXPECT_EQ(*code, 130) << pull.Stderr();
  EXPECT_TRUE(Contains(pull.Stderr(), "run the same command again to resume")) << pull.Stderr();
  ASSERT_TRUE(fs::exists(part));
  const uintmax_t kept = fs::file_size(part);
  EXPECT_GE(kept, 100'000u);
  EXPECT_LT(kept, payload_.size());
  EXPECT_FALSE(fs::exists(out + "/model.gguf"));

  // The same file from a faster place: the run picks up where it stopped.
  const CommandResult result =
      RunDuet("pull " + nginx_.Url() + "/files/model.gguf --out " + out, env_);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(ReadFile(out + "/model.gguf"), payload_);
  EXPECT_TRUE(Contains(nginx_.AccessLog(), "GET /files/model.gguf status=206 range=bytes=" +
                                               std::to_string(kept) + "-"))
      << nginx_.AccessLog();
}

}  // namespace
}  // namespace duet::integration
