// PullModel against a scripted HTTP client: the Hugging Face cache layout
// it writes (blob, relative snapshot symlink, ref) is the one discovery
// reads back; a second pull finds the file without the network; plain
// files for --out and URLs; the token goes to the hub only; a download
// that is not GGUF is deleted.
#include "model_files/model_download.h"

#include <filesystem>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model_files/model_discovery.h"
#include "model_files/sha256.h"
#include "model_files/test_files.h"
#include "support/scripted_http_client.h"

namespace duet::model_files {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using duet::testing::Answer;
using duet::testing::ScriptedHttpClient;

std::string Sha(std::string_view bytes) {
  Sha256 hash;
  hash.Update(bytes);
  return hash.HexDigest();
}

bool HasHeader(const net::HttpRequest& request, const std::string& name) {
  for (const auto& [header, value] : request.headers) {
    if (header == name) {
      return true;
    }
  }
  return false;
}

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_["HF_HUB_CACHE"] = dir_ / "hub";
    env_["HF_ENDPOINT"] = "http://hub.test";
    options_.source = "acme/tiny-GGUF/tiny.gguf";
    options_.getenv = [this](const char* name) -> const char* {
      const auto found = env_.find(name);
      return found == env_.end() ? nullptr : found->second.c_str();
    };
  }

  Result<PullResult> Pull() {
    return PullModel(client_, options_, nullptr, nullptr);
  }

  testing::TempDir dir_;
  std::map<std::string, std::string> env_;
  PullOptions options_;
  ScriptedHttpClient client_;
  const std::string model_ = testing::SmallModel();
  const std::string commit_ = std::string(40, 'e');
};

TEST_F(PullTest, RepositoryFilesLandInTheHuggingFaceCacheWhereDiscoveryFindsThem) {
  client_.Push(Answer(200, {{"x-linked-etag", Sha(model_)}, {"x-repo-commit", commit_}},
                      {model_}));
  const Result<PullResult> result = Pull();
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(client_.requests().at(0).url, "http://hub.test/acme/tiny-GGUF/resolve/main/tiny.gguf");
  const fs::path repo = fs::path(dir_ / "hub") / "models--acme--tiny-GGUF";
  const fs::path snapshot = repo / "snapshots" / commit_ / "tiny.gguf";
  EXPECT_EQ(result->path, snapshot.string());
  EXPECT_EQ(result->id, "acme/tiny-GGUF/tiny.gguf");
  EXPECT_EQ(result->download.verified_against, "x-linked-etag");
  // huggingface_hub's layout: content in blobs/<sha256>, a relative link.
  EXPECT_EQ(testing::ReadFile((repo / "blobs" / Sha(model_)).string()), model_);
  ASSERT_TRUE(fs::is_symlink(snapshot));
  EXPECT_EQ(fs::read_symlink(snapshot), fs::path("../../blobs") / Sha(model_));
  EXPECT_EQ(testing::ReadFile((repo / "refs" / "main").string()), commit_);
  EXPECT_FALSE(fs::exists(repo / "blobs" / "main--tiny.gguf.part"));

  DiscoveryOptions discovery;
  discovery.getenv = options_.getenv;
  discovery.include_system_ollama = false;
  const Result<DiscoveredModel> found = ResolveModel("acme/tiny-GGUF/tiny.gguf", discovery);
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_EQ(found->size_bytes, static_cast<int64_t>(model_.size()));

  // Pulled again: found through refs/main, no request made.
  const Result<PullResult> again = Pull();
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_TRUE(again->already_present);
  EXPECT_EQ(again->path, snapshot.string());
  EXPECT_EQ(client_.requests().size(), 1u);
}

TEST_F(PullTest, WithoutACommitFromTheServerTheSnapshotIsNamedAfterTheRevision) {
  options_.source = "acme/tiny-GGUF/q/tiny.gguf@v1.0";
  client_.Push(Answer(200, {}, {model_}));
  const Result<PullResult> result = Pull();
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  const fs::path snapshot =
      fs::path(dir_ / "hub") / "models--acme--tiny-GGUF/snapshots/v1.0/q/tiny.gguf";
  EXPECT_EQ(result->path, snapshot.string());
  EXPECT_EQ(fs::read_symlink(snapshot), fs::path("../../../blobs") / Sha(model_));
  EXPECT_EQ(testing::ReadFile(snapshot.string()), model_);
}

TEST_F(PullTest, TheTokenGoesToTheHubOnly) {
  env_["HF_TOKEN"] = "hf_test_token";
  client_.Push(Answer(302, {{"location", "http://cdn.test/blob"}}, {}));
  client_.Push(Answer(200, {}, {model_}));
  ASSERT_TRUE(Pull().has_value());
  const auto requests = client_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(HasHeader(requests[0], "Authorization"));
  EXPECT_FALSE(HasHeader(requests[1], "Authorization"));

  // A URL on another host never gets it.
  options_.source = "http://elsewhere.test/model.gguf";
  options_.out_dir = dir_ / "out";
  client_.Push(Answer(200, {}, {model_}));
  ASSERT_TRUE(Pull().has_value());
  EXPECT_FALSE(HasHeader(client_.requests().at(2), "Authorization"));
}

TEST_F(PullTest, OutAndUrlsWriteAPlainFile) {
  options_.out_dir = dir_ / "models";
  options_.sha256 = Sha(model_);
  client_.Push(Answer(200, {}, {model_}));
  const Result<PullResult> result = Pull();
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->path, dir_ / "models/tiny.gguf");
  EXPECT_FALSE(fs::is_symlink(result->path));
  EXPECT_EQ(testing::ReadFile(result->path), model_);
  EXPECT_EQ(result->id, "");
  EXPECT_FALSE(fs::exists(dir_ / "hub"));
  // Present, and the checksum matches: nothing fetched.
  EXPECT_TRUE(Pull()->already_present);
  EXPECT_EQ(client_.requests().size(), 1u);
}

TEST_F(PullTest, ADownloadThatIsNotGgufIsDeleted) {
  options_.out_dir = dir_ / "models";
  client_.Push(Answer(200, {}, {"<!DOCTYPE html><p>sign in</p>"}));
  const Result<PullResult> result = Pull();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(),
            "the download is not a GGUF file (it starts with \"<!DO\"); deleted it");
  EXPECT_FALSE(fs::exists(dir_ / "models/tiny.gguf"));
  EXPECT_FALSE(fs::exists(dir_ / "models/tiny.gguf.part"));
}

TEST_F(PullTest, PlansSayWhereTheFileGoes) {
  Result<PullPlan> plan = PlanPull(options_);
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  EXPECT_EQ(plan->repo_dir, dir_ / "hub/models--acme--tiny-GGUF");
  EXPECT_EQ(plan->part_path, dir_ / "hub/models--acme--tiny-GGUF/blobs/main--tiny.gguf.part");
  EXPECT_EQ(plan->out_path, "");

  options_.source = "http://host.test/dl/model.gguf";
  plan = PlanPull(options_);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->out_path, "./model.gguf");
  EXPECT_EQ(plan->part_path, "./model.gguf.part");

  options_.sha256 = "xyz";
  EXPECT_THAT(PlanPull(options_).error().message(), HasSubstr("--sha256 takes 64 hex digits"));
  options_.sha256.clear();
  env_.clear();
  options_.source = "acme/tiny-GGUF/tiny.gguf";
  EXPECT_EQ(PlanPull(options_).error().code(), ErrorCode::kNotFound);  // no cache known
}

}  // namespace
}  // namespace duet::model_files
