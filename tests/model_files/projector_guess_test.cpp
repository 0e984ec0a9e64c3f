// GuessProjector: a model's vision projector is guessed only in the model's
// own folder, and only when there is one to take.
#include "model_files/projector_guess.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

namespace duet::model_files {
namespace {

namespace fs = std::filesystem;

class ProjectorGuessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("duet-projector-guess-" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Creates `folder` (under the test's root) holding empty `files`.
  fs::path Folder(const std::string& folder, std::initializer_list<const char*> files) {
    const fs::path path = root_ / folder;
    fs::create_directories(path);
    for (const char* file : files) {
      std::ofstream(path / file) << "GGUF";
    }
    return path;
  }

  fs::path root_;
};

TEST_F(ProjectorGuessTest, TheOneProjectorInTheModelsOwnFolderIsTaken) {
  const fs::path folder = Folder("gemma", {"gemma-3-4b-it-Q4_K_M.gguf",
                                           "mmproj-gemma-3-4b-it-f16.gguf", "README.md"});
  const ProjectorGuess guess = GuessProjector((folder / "gemma-3-4b-it-Q4_K_M.gguf").string());
  EXPECT_EQ(guess.path, (folder / "mmproj-gemma-3-4b-it-f16.gguf").string());
  EXPECT_TRUE(guess.passed_over.empty());
}

TEST_F(ProjectorGuessTest, AModelSplitInShardsIsOneModel) {
  const fs::path folder = Folder("big", {"qwen-vl-00001-of-00002.gguf",
                                         "qwen-vl-00002-of-00002.gguf", "mmproj-qwen-vl.gguf"});
  EXPECT_EQ(GuessProjector((folder / "qwen-vl-00001-of-00002.gguf").string()).path,
            (folder / "mmproj-qwen-vl.gguf").string());
}

TEST_F(ProjectorGuessTest, AHuggingFaceSnapshotIsOneRepositorysFiles) {
  // Two quantizations of one model downloaded from the same repository.
  const fs::path folder =
      Folder("models--org--gemma-GGUF/snapshots/0123abcd",
             {"gemma-Q4_K_M.gguf", "gemma-Q8_0.gguf", "mmproj-model-f16.gguf"});
  EXPECT_EQ(GuessProjector((folder / "gemma-Q8_0.gguf").string()).path,
            (folder / "mmproj-model-f16.gguf").string());
}

TEST_F(ProjectorGuessTest, AFolderOfSeveralModelsGetsNoGuess) {
  const fs::path folder =
      Folder("models", {"gemma-3-4b.gguf", "qwen2.5-vl-3b.gguf", "mmproj-qwen2.5-vl-3b.gguf"});
  const ProjectorGuess guess = GuessProjector((folder / "gemma-3-4b.gguf").string());
  EXPECT_EQ(guess.path, "");
  EXPECT_NE(guess.passed_over.find("holds other models"), std::string::npos) << guess.passed_over;
}

TEST_F(ProjectorGuessTest, TwoProjectorsOrNoneGiveNoGuess) {
  const fs::path two = Folder("two", {"m.gguf", "mmproj-f16.gguf", "mmproj-q8_0.gguf"});
  const ProjectorGuess guess = GuessProjector((two / "m.gguf").string());
  EXPECT_EQ(guess.path, "");
  EXPECT_NE(guess.passed_over.find("2 files named mmproj*.gguf"), std::string::npos)
      << guess.passed_over;

  const fs::path none = Folder("none", {"m.gguf", "notes-mmproj.txt"});
  const ProjectorGuess nothing = GuessProjector((none / "m.gguf").string());
  EXPECT_EQ(nothing.path, "");
  EXPECT_EQ(nothing.passed_over, "");
  // A folder that cannot be read is no folder of projectors.
  EXPECT_EQ(GuessProjector((root_ / "absent" / "m.gguf").string()).path, "");
}

}  // namespace
}  // namespace duet::model_files
