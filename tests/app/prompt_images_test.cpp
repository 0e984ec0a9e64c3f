// TakeImagePaths: `duet run` attaches the images a message names by path,
// and leaves every other word alone.
#include "app/prompt_images.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/base64.h"

namespace duet {
namespace {

namespace fs = std::filesystem;

class PromptImagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("duet-prompt-images-" +
               std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(folder_ / "with space");
  }
  void TearDown() override { fs::remove_all(folder_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const fs::path path = folder_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }

  fs::path folder_;
};

TEST_F(PromptImagesTest, NamedImagesAreAttachedInOrderAndLeaveTheText) {
  const std::string photo = Write("photo.JPG", "jpeg bytes");
  const std::string chart = Write("with space/chart.png", "png bytes");
  Result<MessageWithImages> taken =
      TakeImagePaths("Compare " + photo + " with '" + chart + "' please");
  ASSERT_TRUE(taken.has_value()) << taken.error().message();
  EXPECT_EQ(taken->text, "Compare  with  please");
  ASSERT_EQ(taken->images.size(), 2u);
  EXPECT_EQ(taken->paths[0], photo);
  EXPECT_EQ(taken->paths[1], chart);
  EXPECT_EQ(taken->images[0].type, BlockType::kImage);
  EXPECT_EQ(taken->images[0].image.kind, ImageSource::Kind::kBase64);
  EXPECT_EQ(taken->images[0].image.media_type, "image/jpeg");
  EXPECT_EQ(Base64Decode(taken->images[0].image.data).value(), "jpeg bytes");
  EXPECT_EQ(taken->images[1].image.media_type, "image/png");
  EXPECT_EQ(Base64Decode(taken->images[1].image.data).value(), "png bytes");
}

TEST_F(PromptImagesTest, SentencePunctuationAfterAPathStaysInTheText) {
  const std::string cat = Write("cat.png", "png");
  Result<MessageWithImages> taken = TakeImagePaths("What is in " + cat + "? And " + cat + ".");
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->text, "What is in ? And .");
  EXPECT_EQ(taken->images.size(), 2u);
}

TEST_F(PromptImagesTest, ATildeIsTheHomeFolder) {
  Write("home.png", "png");
  const char* saved = std::getenv("HOME");
  const std::string home = saved == nullptr ? "" : saved;
  ::setenv("HOME", folder_.c_str(), 1);
  Result<MessageWithImages> taken = TakeImagePaths("See ~/home.png");
  ::setenv("HOME", home.c_str(), 1);
  ASSERT_TRUE(taken.has_value());
  ASSERT_EQ(taken->images.size(), 1u);
  EXPECT_EQ(taken->paths[0], "~/home.png");
  EXPECT_EQ(taken->text, "See");
}

TEST_F(PromptImagesTest, OtherWordsStayAsWritten) {
  const std::string notes = Write("notes.txt", "text");
  const std::string message = "Is " + notes + " like /no/such/image.png or \"quoted words\"?\n"
                              "Second line.";
  Result<MessageWithImages> taken = TakeImagePaths(message);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->text, message);
  EXPECT_TRUE(taken->images.empty());
}

TEST_F(PromptImagesTest, AMessageOfOnlyAnImageHasNoText) {
  const std::string gif = Write("anim.gif", "GIF89a");
  Result<MessageWithImages> taken = TakeImagePaths("  " + gif + "\n");
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->text, "");
  ASSERT_EQ(taken->images.size(), 1u);
  EXPECT_EQ(taken->images[0].image.media_type, "image/gif");
}

TEST_F(PromptImagesTest, AnImageTooLargeToSendIsRefusedByName) {
  const std::string huge = Write("huge.png", "");
  fs::resize_file(huge, kMaxImageBytes + 1);
  Result<MessageWithImages> taken = TakeImagePaths("What is " + huge + "?");
  ASSERT_FALSE(taken.has_value());
  EXPECT_EQ(taken.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(taken.error().message().find(huge + " is larger than the 20 MB"), std::string::npos)
      << taken.error().message();
}

}  // namespace
}  // namespace duet
