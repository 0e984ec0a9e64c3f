// `duet models`, `duet run` and `duet serve --model` on models found where
// other tools keep them: a fake Hugging Face cache (blobs plus snapshot
// symlinks) and a fake Ollama store (manifests plus blobs), both holding
// the generated tiny model, set up in a temporary folder and named through
// HF_HUB_CACHE and OLLAMA_MODELS.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "integration/integration_test.h"
#include "integration/run_duet.h"
#include "model_files/test_files.h"

namespace duet::integration {
namespace {

namespace fs = std::filesystem;
using model_files::testing::TempDir;
using model_files::testing::WriteFile;

std::string Sha256Of(const std::string& path) {
  FILE* pipe = ::popen(("sha256sum '" + path + "'").c_str(), "r");
  char digest[65] = {};
  const size_t got = pipe != nullptr ? std::fread(digest, 1, 64, pipe) : 0;
  if (pipe != nullptr) {
    ::pclose(pipe);
  }
  return std::string(digest, got);
}

// "8.8 MiB" for the listing's SIZE column.
std::string MebibytesText(uintmax_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

class ModelsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(DUET_TINY_MODEL).empty()) {
      GTEST_SKIP() << "built without llama.cpp";
    }
    const std::string tiny = DUET_TINY_MODEL;
    const std::string sha = Sha256Of(tiny);
    ASSERT_EQ(sha.size(), 64u);
    size_ = fs::file_size(tiny);

    // The Hugging Face cache: one good file, one cut short.
    const fs::path repo = fs::path(dir_ / "hub") / "models--acme--tiny-GGUF";
    fs::create_directories(repo / "blobs");
    fs::copy_file(tiny, repo / "blobs" / sha);
    snapshot_ = (repo / "snapshots" / kCommit / "tiny-f32.gguf").string();
    fs::create_directories(fs::path(snapshot_).parent_path());
    fs::create_symlink(fs::path("../../blobs") / sha, snapshot_);
    WriteFile((repo / "refs" / "main").string(), kCommit);
    // Its vision projector beside it, as repositories ship them.
    projector_ = (fs::path(snapshot_).parent_path() / "mmproj-tiny-f32.gguf").string();
    fs::copy_file(DUET_TINY_VISION_PROJECTOR, projector_);
    WriteFile(dir_ / "hub/models--acme--broken/snapshots/c/cut.gguf",
              model_files::testing::ReadFile(tiny).substr(0, 100'000));

    // Ollama's store: the same blob under two names, and one whose blob
    // was never downloaded.
    blob_ = dir_ / ("ollama/blobs/sha256-" + sha);
    fs::create_directories(fs::path(blob_).parent_path());
    fs::copy_file(tiny, blob_);
    const std::string manifest =
        R"({"schemaVersion":2,"layers":[{"mediaType":"application/vnd.ollama.image.model",)"
        R"("digest":"sha256:)" + sha + R"(","size":)" + std::to_string(size_) + "}]}";
    WriteFile(dir_ / "ollama/manifests/models.example/library/tiny/1b", manifest);
    WriteFile(dir_ / "ollama/manifests/models.example/someone/tiny/latest", manifest);
    WriteFile(dir_ / "ollama/manifests/models.example/library/ghost/1b",
              R"({"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:)" +
                  std::string(64, '0') + R"(","size":5}]})");
    env_ = "HF_HUB_CACHE=" + dir_ / "hub" + " OLLAMA_MODELS=" + dir_ / "ollama";
  }

  static constexpr const char* kCommit = "0123456789abcdef0123456789abcdef01234567";
  TempDir dir_;
  uintmax_t size_ = 0;
  std::string snapshot_;
  std::string projector_;
  std::string blob_;
  std::string env_;
};

TEST_F(ModelsCliTest, ListsConfiguredHuggingFaceAndOllamaModelsWithTheirMetadata) {
  const CommandResult result =
      RunDuet(std::string("models --model mine=") + DUET_TINY_MODEL, env_);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string& out = result.output;
  EXPECT_EQ(out.rfind("NAME", 0), 0u) << out;
  const std::string size = MebibytesText(size_);
  // tools/make_test_model: an F32 llama model trained for 4,096 tokens.
  EXPECT_EQ(Row(out, "mine"), (std::vector<std::string>{"mine", "config", size, "F32", "4096",
                                                         "llama", "-", DUET_TINY_MODEL}));
  // The projector beside the cached model makes it read images; it is no
  // model of its own.
  EXPECT_EQ(Row(out, "acme/tiny-GGUF/tiny-f32.gguf"),
            (std::vector<std::string>{"acme/tiny-GGUF/tiny-f32.gguf", "huggingface", size, "F32",
                                      "4096", "llama", "yes", snapshot_}));
  EXPECT_EQ(out.find("mmproj-tiny-f32.gguf"), std::string::npos) << out;
  EXPECT_EQ(Row(out, "tiny:1b"), (std::vector<std::string>{"tiny:1b", "ollama", size, "F32",
                                                            "4096", "llama", "-", blob_}));
  EXPECT_EQ(Row(out, "someone/tiny:latest").at(1), "ollama");
  // Broken entries are listed, each followed by its error.
  const size_t cut = out.find("acme/broken/cut.gguf");
  ASSERT_NE(cut, std::string::npos) << out;
  EXPECT_NE(out.find("\n  error: ", cut), std::string::npos) << out;
  const size_t ghost = out.find("ghost:1b");
  ASSERT_NE(ghost, std::string::npos) << out;
  EXPECT_NE(out.find("error: its blob is missing", ghost), std::string::npos) << out;
  EXPECT_NE(out.find("Hugging Face cache: " + dir_ / "hub"), std::string::npos) << out;
  EXPECT_NE(out.find("Ollama store: " + dir_ / "ollama"), std::string::npos) << out;
}

TEST_F(ModelsCliTest, JsonCarriesTheSameEntries) {
  const CommandResult result = RunDuet("models --json", env_);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const Json listing = ParseJson(result.output);
  ASSERT_TRUE(listing["models"].is_array()) << result.output;
  std::map<std::string, Json> by_id;
  for (const Json& model : listing["models"]) {
    by_id[model["id"].get<std::string>()] = model;
  }
  ASSERT_EQ(by_id.count("acme/tiny-GGUF/tiny-f32.gguf"), 1u) << result.output;
  const Json& cached = by_id["acme/tiny-GGUF/tiny-f32.gguf"];
  EXPECT_EQ(cached["source"], "huggingface");
  EXPECT_EQ(cached["size_bytes"], size_);
  EXPECT_EQ(cached["family"], "llama");
  EXPECT_EQ(cached["quantization"], "F32");
  EXPECT_EQ(cached["context_length"], 4096);
  EXPECT_EQ(cached["chat_template"], true);
  EXPECT_EQ(cached["projector"], projector_);
  EXPECT_EQ(by_id.count("acme/tiny-GGUF/mmproj-tiny-f32.gguf"), 0u);
  EXPECT_TRUE(cached["error"].is_null());
  ASSERT_EQ(by_id.count("tiny:1b"), 1u);
  EXPECT_EQ(by_id["tiny:1b"]["path"], blob_);
  EXPECT_TRUE(by_id["tiny:1b"]["projector"].is_null());
  ASSERT_EQ(by_id.count("acme/broken/cut.gguf"), 1u);
  EXPECT_TRUE(by_id["acme/broken/cut.gguf"]["error"].is_string());
  EXPECT_EQ(by_id["acme/broken/cut.gguf"]["size_bytes"], 100'000);
  EXPECT_EQ(listing["searched"]["huggingface"], dir_ / "hub");
}

TEST_F(ModelsCliTest, RunTakesAnOllamaNameOrAHuggingFaceId) {
  for (const std::string name : {"tiny:1b", "someone/tiny", "acme/tiny-GGUF/tiny-f32.gguf"}) {
    const CommandResult result =
        RunDuet("run " + name + " Hello there --set local.default_max_tokens=4", env_);
    EXPECT_EQ(result.exit_code, 0) << name << ": " << result.output;
    EXPECT_GT(result.output.size(), 1u) << name << ": no answer was printed";
  }
}

TEST_F(ModelsCliTest, RunSaysWhyADiscoveredModelCannotBeServed) {
  const CommandResult result = RunDuet("run ghost:1b Hello", env_);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("ghost:1b (ollama) cannot be served: its blob is missing"),
            std::string::npos)
      << result.output;
}

TEST_F(ModelsCliTest, ServeLoadsAModelNamedTheWayOllamaNamesIt) {
  // ServerProcess passes this process's environment on to duet; the
  // variable is removed again when the test ends.
  ASSERT_EQ(::setenv("OLLAMA_MODELS", (dir_ / "ollama").c_str(), 1), 0);
  struct Unset {
    ~Unset() { ::unsetenv("OLLAMA_MODELS"); }
  } unset;
  ServerProcess server;
  ASSERT_TRUE(server.Start({"--model", "local=tiny:1b", "--set", "local.context=256", "--set",
                            "local.slots=1", "--set", "local.threads=1"}))
      << server.error();
  HttpRequest listing;
  listing.target = "/v1/models/local";
  const auto model = Fetch(server.port(), listing);
  ASSERT_TRUE(model.has_value());
  EXPECT_EQ(model->status, 200) << model->body;
  const Json body = {{"model", "local"},
                     {"max_tokens", 3},
                     {"temperature", 0},
                     {"messages", {{{"role", "user"}, {"content", "Hello"}}}}};
  const auto answer = Fetch(server.port(), AnthropicPost(body.dump()));
  ASSERT_TRUE(answer.has_value());
  ASSERT_EQ(answer->status, 200) << answer->body;
  const Json parsed = ParseJson(answer->body);
  EXPECT_EQ(parsed["model"], "local");
  EXPECT_EQ(parsed["usage"]["output_tokens"], 3);
}

}  // namespace
}  // namespace duet::integration
