// Model discovery over fake Hugging Face caches and Ollama stores built in
// a temporary folder, with the environment injected: where each source is
// looked for, how entries are named, which snapshot wins, what broken
// entries say, and how names resolve to files.
#include "model_files/model_discovery.h"

#include <filesystem>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model_files/hf_cache.h"
#include "model_files/ollama_store.h"
#include "model_files/test_files.h"

namespace duet::model_files {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::WriteFile;

// An environment made of a map, for EnvLookup.
struct FakeEnvironment {
  std::map<std::string, std::string> values;
  EnvLookup Lookup() const {
    return [this](const char* name) -> const char* {
      const auto found = values.find(name);
      return found == values.end() ? nullptr : found->second.c_str();
    };
  }
};

// Adds a file to a fake cache the way huggingface_hub stores it: the bytes
// in blobs/<blob>, a relative symlink in snapshots/<revision>/<file>.
void AddCachedFile(const std::string& cache, const std::string& repo_folder,
                   const std::string& revision, const std::string& file,
                   const std::string& blob, std::string_view bytes) {
  const fs::path repo = fs::path(cache) / repo_folder;
  if (!bytes.empty()) {
    WriteFile((repo / "blobs" / blob).string(), bytes);
  }
  const fs::path link = repo / "snapshots" / revision / file;
  fs::create_directories(link.parent_path());
  fs::create_symlink((repo / "blobs" / blob).lexically_relative(link.parent_path()), link);
}

std::string Hex64(char digit) { return std::string(64, digit); }

// Adds a model to a fake Ollama store: its blob and its manifest.
void AddOllamaModel(const std::string& store, const std::string& host,
                    const std::string& namespace_name, const std::string& model,
                    const std::string& tag, char digest_digit, std::string_view bytes,
                    int64_t declared_size = -2) {
  const std::string digest = Hex64(digest_digit);
  if (!bytes.empty()) {
    WriteFile(store + "/blobs/sha256-" + digest, bytes);
  }
  const int64_t size = declared_size == -2 ? static_cast<int64_t>(bytes.size()) : declared_size;
  WriteFile(store + "/manifests/" + host + "/" + namespace_name + "/" + model + "/" + tag,
            "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":"
            "\"application/vnd.ollama.image.template\",\"digest\":\"sha256:" +
                Hex64('f') + "\",\"size\":10},{\"mediaType\":"
                             "\"application/vnd.ollama.image.model\",\"digest\":\"sha256:" +
                digest + "\",\"size\":" + std::to_string(size) + "}]}");
}

TEST(HuggingFaceCacheTest, TheFirstVariableSetNamesTheCache) {
  FakeEnvironment env;
  EXPECT_EQ(HuggingFaceCacheDir(env.Lookup(), ""), "");
  EXPECT_EQ(HuggingFaceCacheDir(env.Lookup(), "/home/u"), "/home/u/.cache/huggingface/hub");
  env.values["XDG_CACHE_HOME"] = "/xdg";
  EXPECT_EQ(HuggingFaceCacheDir(env.Lookup(), "/home/u"), "/xdg/huggingface/hub");
  env.values["HF_HOME"] = "/hf-home";
  EXPECT_EQ(HuggingFaceCacheDir(env.Lookup(), "/home/u"), "/hf-home/hub");
  env.values["HF_HUB_CACHE"] = "/hub-cache";
  EXPECT_EQ(HuggingFaceCacheDir(env.Lookup(), "/home/u"), "/hub-cache");
}

TEST(HuggingFaceCacheTest, RepoFolderNamesRoundTrip) {
  EXPECT_EQ(RepoFolderName("Qwen/Qwen2.5-0.5B-Instruct-GGUF"),
            "models--Qwen--Qwen2.5-0.5B-Instruct-GGUF");
  EXPECT_EQ(RepoIdFromFolder("models--Qwen--Qwen2.5-0.5B-Instruct-GGUF"),
            "Qwen/Qwen2.5-0.5B-Instruct-GGUF");
  EXPECT_EQ(RepoIdFromFolder("models--gpt2"), "gpt2");
  EXPECT_EQ(RepoIdFromFolder("datasets--org--data"), std::nullopt);
  EXPECT_EQ(RepoIdFromFolder(".locks"), std::nullopt);
  EXPECT_EQ(RepoIdFromFolder("models--"), std::nullopt);
}

TEST(HuggingFaceCacheTest, ListsGgufFilesOncePreferringTheSnapshotMainNames) {
  TempDir dir;
  const std::string cache = dir / "hub";
  const std::string repo = "models--acme--tiny-GGUF";
  const std::string old_commit(40, 'a');
  const std::string main_commit(40, 'b');
  AddCachedFile(cache, repo, old_commit, "tiny.Q8_0.gguf", "blob-old", "old bytes");
  AddCachedFile(cache, repo, main_commit, "tiny.Q8_0.gguf", "blob-new", "newer bytes");
  AddCachedFile(cache, repo, main_commit, "sub/tiny.F16.GGUF", "blob-f16", "f16");
  AddCachedFile(cache, repo, main_commit, "README.md", "blob-readme", "# tiny");
  AddCachedFile(cache, repo, main_commit, "gone.gguf", "blob-gone", "");  // no blob
  WriteFile(cache + "/" + repo + "/refs/main", main_commit + "\n");
  // Not model repositories: never listed.
  AddCachedFile(cache, "datasets--acme--data", main_commit, "data.gguf", "b", "x");

  const std::vector<CachedGgufFile> files = ListCachedGgufFiles(cache);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].id, "acme/tiny-GGUF/gone.gguf");
  EXPECT_EQ(files[1].id, "acme/tiny-GGUF/sub/tiny.F16.GGUF");
  EXPECT_EQ(files[2].id, "acme/tiny-GGUF/tiny.Q8_0.gguf");
  EXPECT_EQ(files[2].revision, main_commit);
  EXPECT_EQ(testing::ReadFile(files[2].snapshot_path), "newer bytes");
  EXPECT_TRUE(ListCachedGgufFiles(dir / "no-such-cache").empty());
}

TEST(OllamaStoreTest, OllamaModelsAloneWinsOverTheDefaultStores) {
  FakeEnvironment env;
  EXPECT_THAT(OllamaModelDirs(env.Lookup(), "/home/u", true),
              ElementsAre("/home/u/.ollama/models", "/usr/share/ollama/.ollama/models"));
  EXPECT_THAT(OllamaModelDirs(env.Lookup(), "", false), ElementsAre());
  env.values["OLLAMA_MODELS"] = "/srv/ollama";
  EXPECT_THAT(OllamaModelDirs(env.Lookup(), "/home/u", true), ElementsAre("/srv/ollama"));
}

TEST(OllamaStoreTest, ManifestsNameTheirModelLayer) {
  const std::string digest = Hex64('a');
  Result<OllamaModelLayer> layer = ParseOllamaManifest(
      R"({"layers":[{"mediaType":"application/vnd.ollama.image.projector","digest":"sha256:)" +
      Hex64('c') +
      R"("},{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:)" + digest +
      R"(","size":1234}]})");
  ASSERT_TRUE(layer.has_value()) << layer.error().ToString();
  EXPECT_EQ(layer->sha256, digest);
  EXPECT_EQ(layer->size, 1234);
  EXPECT_EQ(layer->projector_sha256, Hex64('c'));
  // A projector whose digest is not one is left out; the model still loads.
  layer = ParseOllamaManifest(
      R"({"layers":[{"mediaType":"application/vnd.ollama.image.projector","digest":"sha256:../x"},)"
      R"({"mediaType":"application/vnd.ollama.image.model","digest":"sha256:)" + digest + R"("}]})");
  ASSERT_TRUE(layer.has_value()) << layer.error().ToString();
  EXPECT_EQ(layer->projector_sha256, "");

  EXPECT_THAT(ParseOllamaManifest("not json").error().message(), HasSubstr("not a JSON object"));
  EXPECT_THAT(ParseOllamaManifest("{}").error().message(), HasSubstr("no layers"));
  EXPECT_THAT(ParseOllamaManifest(R"({"layers":[{"mediaType":"text/plain"}]})").error().message(),
              HasSubstr("no model layer"));
  // A digest that would lead out of blobs/ is refused, not joined to a path.
  for (const std::string& bad : {std::string("sha256:../../../etc/passwd"),
                                 "sha512:" + digest, "sha256:" + digest.substr(1) + "G",
                                 "sha256:" + Hex64('A')}) {
    const Result<OllamaModelLayer> refused = ParseOllamaManifest(
        R"({"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":")" + bad +
        R"("}]})");
    ASSERT_FALSE(refused.has_value()) << bad;
    EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(OllamaStoreTest, ModelsAreNamedAsOllamaNamesThemUnderAnyHost) {
  TempDir dir;
  const std::string store = dir / "ollama";
  AddOllamaModel(store, "registry.example", "library", "llama3.2", "3b", '1', "model one");
  AddOllamaModel(store, "mirror.example", "someone", "coder", "latest", '2', "model two");
  AddOllamaModel(store, "registry.example", "library", "ghost", "1b", '3', "");  // no blob
  AddOllamaModel(store, "registry.example", "library", "short", "1b", '4', "abc", 999);
  WriteFile(store + "/manifests/registry.example/library/bad/latest", "{");

  const std::vector<OllamaModel> models = ListOllamaModels(store);
  ASSERT_EQ(models.size(), 5u);
  std::map<std::string, const OllamaModel*> by_name;
  for (const OllamaModel& model : models) {
    by_name[model.name] = &model;
  }
  ASSERT_TRUE(by_name.count("llama3.2:3b"));
  EXPECT_TRUE(by_name["llama3.2:3b"]->error.ok());
  EXPECT_EQ(by_name["llama3.2:3b"]->blob_path, store + "/blobs/sha256-" + Hex64('1'));
  ASSERT_TRUE(by_name.count("someone/coder:latest"));
  EXPECT_TRUE(by_name["someone/coder:latest"]->error.ok());
  ASSERT_TRUE(by_name.count("ghost:1b"));
  EXPECT_THAT(by_name["ghost:1b"]->error.message(), HasSubstr("blob is missing"));
  ASSERT_TRUE(by_name.count("short:1b"));
  EXPECT_THAT(by_name["short:1b"]->error.message(), HasSubstr("3 bytes, the manifest says 999"));
  ASSERT_TRUE(by_name.count("bad:latest"));
  EXPECT_THAT(by_name["bad:latest"]->error.message(), HasSubstr("not a JSON object"));
  EXPECT_TRUE(ListOllamaModels(dir / "none").empty());
}

class DiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.values["HF_HUB_CACHE"] = dir_ / "hub";
    env_.values["OLLAMA_MODELS"] = dir_ / "ollama";
    options_.getenv = env_.Lookup();
    options_.home = dir_ / "home";
    options_.include_system_ollama = false;
  }

  TempDir dir_;
  FakeEnvironment env_;
  DiscoveryOptions options_;
};

TEST_F(DiscoveryTest, ListsConfiguredThenHuggingFaceThenOllamaWithResolvedSizes) {
  const std::string gguf = testing::SmallModel();
  AddCachedFile(dir_ / "hub", "models--acme--tiny", std::string(40, 'c'), "tiny.gguf", "blob1",
                gguf);
  AddOllamaModel(dir_ / "ollama", "registry.example", "library", "tiny", "1b", '9', gguf + "x");
  WriteFile(dir_ / "mine.gguf", "GGUF");
  options_.configured = {{"mine", dir_ / "mine.gguf", 0, ""},
                         {"from-ollama", "tiny:1b", 0, ""},
                         {"lost", dir_ / "lost.gguf", 0, ""}};

  const std::vector<DiscoveredModel> models = DiscoverModels(options_);
  ASSERT_EQ(models.size(), 5u);
  EXPECT_EQ(models[0].id, "mine");
  EXPECT_EQ(models[0].source, ModelSource::kConfig);
  EXPECT_EQ(models[0].size_bytes, 4);
  // A configured path that is a discovered name shows the file behind it.
  EXPECT_EQ(models[1].id, "from-ollama");
  EXPECT_EQ(models[1].path, dir_ / ("ollama/blobs/sha256-" + Hex64('9')));
  EXPECT_EQ(models[1].size_bytes, static_cast<int64_t>(gguf.size() + 1));
  EXPECT_EQ(models[2].id, "lost");
  EXPECT_EQ(models[2].error.message(), "no such file");
  EXPECT_EQ(models[3].id, "acme/tiny/tiny.gguf");
  EXPECT_EQ(ModelSourceName(models[3].source), "huggingface");
  EXPECT_EQ(models[3].size_bytes, static_cast<int64_t>(gguf.size()));  // the blob's, not the link's
  EXPECT_EQ(models[4].id, "tiny:1b");
  EXPECT_EQ(ModelSourceName(models[4].source), "ollama");
}

TEST_F(DiscoveryTest, BrokenSymlinksAreListedWithTheirReason) {
  AddCachedFile(dir_ / "hub", "models--acme--gone", "main", "gone.gguf", "blob", "");
  const std::vector<DiscoveredModel> models = DiscoverModels(options_);
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0].id, "acme/gone/gone.gguf");
  EXPECT_EQ(models[0].size_bytes, -1);
  EXPECT_THAT(models[0].error.message(), HasSubstr("broken symlink"));
}

TEST_F(DiscoveryTest, HomeLocationsAreUsedWhenNoVariableIsSet) {
  env_.values.clear();
  AddCachedFile(dir_ / "home/.cache/huggingface/hub", "models--a--b", "main", "m.gguf", "x",
                "GGUF");
  AddOllamaModel(dir_ / "home/.ollama/models", "h", "library", "m", "latest", '5', "GGUF");
  const SearchLocations where = Locations(options_);
  EXPECT_EQ(where.huggingface_cache, dir_ / "home/.cache/huggingface/hub");
  EXPECT_THAT(where.ollama_stores, ElementsAre(dir_ / "home/.ollama/models"));
  const std::vector<DiscoveredModel> models = DiscoverModels(options_);
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].id, "a/b/m.gguf");
  EXPECT_EQ(models[1].id, "m:latest");
}

TEST_F(DiscoveryTest, AnOllamaVisionModelResolvesWithItsProjector) {
  const std::string store = dir_ / "ollama";
  const std::string manifest =
      R"({"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:)" +
      Hex64('1') + R"("},{"mediaType":"application/vnd.ollama.image.projector",)"
      R"("digest":"sha256:)" + Hex64('2') + R"("}]})";
  WriteFile(store + "/blobs/sha256-" + Hex64('1'), "GGUF model");
  WriteFile(store + "/blobs/sha256-" + Hex64('2'), "GGUF projector");
  WriteFile(store + "/manifests/h/library/llava/7b", manifest);
  // Its projector blob not (yet) there: the model alone.
  WriteFile(store + "/manifests/h/library/partial/7b",
            R"({"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:)" +
                Hex64('1') + R"("},{"mediaType":"application/vnd.ollama.image.projector",)"
                R"("digest":"sha256:)" + Hex64('3') + R"("}]})");

  Result<DiscoveredModel> found = ResolveModel("llava:7b", options_);
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_EQ(testing::ReadFile(found->path), "GGUF model");
  EXPECT_EQ(testing::ReadFile(found->projector_path), "GGUF projector");
  found = ResolveModel("partial:7b", options_);
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_EQ(found->projector_path, "");
  // Text-only models have none.
  AddOllamaModel(store, "h", "library", "plain", "1b", '4', "GGUF plain");
  found = ResolveModel("plain:1b", options_);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->projector_path, "");
}

TEST_F(DiscoveryTest, NamesResolveToFiles) {
  AddCachedFile(dir_ / "hub", "models--acme--tiny", "main", "tiny.gguf", "blob", "GGUF1");
  AddOllamaModel(dir_ / "ollama", "h", "library", "llama3.2", "3b", '1', "GGUF2");
  AddOllamaModel(dir_ / "ollama", "h", "library", "llama3.2", "latest", '2', "GGUF3");
  AddOllamaModel(dir_ / "ollama", "h", "library", "ghost", "latest", '3', "");

  Result<DiscoveredModel> found = ResolveModel("llama3.2:3b", options_);
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_EQ(testing::ReadFile(found->path), "GGUF2");
  found = ResolveModel("llama3.2", options_);  // Ollama's default tag
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(testing::ReadFile(found->path), "GGUF3");
  found = ResolveModel("acme/tiny/tiny.gguf", options_);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(testing::ReadFile(found->path), "GGUF1");

  found = ResolveModel("acme/tiny", options_);
  ASSERT_FALSE(found.has_value());
  EXPECT_EQ(found.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(found.error().message(), HasSubstr("duet models"));
  found = ResolveModel("ghost", options_);
  ASSERT_FALSE(found.has_value());
  EXPECT_EQ(found.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(found.error().message(), HasSubstr("ghost:latest (ollama) cannot be served"));
}

}  // namespace
}  // namespace duet::model_files
