// ParsePullSource: the forms `duet pull` accepts, the URL each becomes,
// and the mistakes it refuses; UrlForDisplay keeps secrets out of messages.
#include "model_files/pull_source.h"

#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace duet::model_files {
namespace {

using ::testing::HasSubstr;

EnvLookup Environment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> const char* {
    const auto found = values.find(name);
    return found == values.end() ? nullptr : found->second.c_str();
  };
}

TEST(PullSourceTest, RepositoryFilesResolveOnTheHubAtMain) {
  const Result<PullSource> source =
      ParsePullSource("Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf",
                      Environment({}));
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  EXPECT_TRUE(source->hugging_face());
  EXPECT_EQ(source->repo_id, "Qwen/Qwen2.5-0.5B-Instruct-GGUF");
  EXPECT_EQ(source->file, "qwen2.5-0.5b-instruct-q4_k_m.gguf");
  EXPECT_EQ(source->revision, "main");
  EXPECT_EQ(source->url, std::string(kHuggingFaceEndpoint) +
                             "/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/"
                             "qwen2.5-0.5b-instruct-q4_k_m.gguf");
}

TEST(PullSourceTest, RevisionsFoldersAndTheEndpointVariable) {
  const Result<PullSource> source = ParsePullSource(
      "org/repo/sub dir/Model.Q8_0.GGUF@refs/pr/1",
      Environment({{"HF_ENDPOINT", "http://127.0.0.1:8080/mirror/"}}));
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  EXPECT_EQ(source->file, "sub dir/Model.Q8_0.GGUF");
  EXPECT_EQ(source->revision, "refs/pr/1");
  // The revision is one path segment; the file keeps its folders.
  EXPECT_EQ(source->url,
            "http://127.0.0.1:8080/mirror/org/repo/resolve/refs%2Fpr%2F1/sub%20dir/Model.Q8_0.GGUF");
  EXPECT_EQ(HuggingFaceEndpoint(Environment({{"HF_ENDPOINT", ""}})), kHuggingFaceEndpoint);
}

TEST(PullSourceTest, UrlsKeepTheirFormAndNameTheFileByTheirLastSegment) {
  const Result<PullSource> source =
      ParsePullSource("https://example.test/files/my%20model.gguf?download=1", Environment({}));
  ASSERT_TRUE(source.has_value()) << source.error().ToString();
  EXPECT_FALSE(source->hugging_face());
  EXPECT_EQ(source->url, "https://example.test/files/my%20model.gguf?download=1");
  EXPECT_EQ(source->file, "my model.gguf");
  EXPECT_EQ(source->revision, "");
}

TEST(PullSourceTest, MistakesAreRefusedSayingWhatIsExpected) {
  const EnvLookup env = Environment({});
  EXPECT_THAT(ParsePullSource("org/model.gguf", env).error().message(),
              HasSubstr("expected ORG/NAME/FILE.gguf"));
  EXPECT_THAT(ParsePullSource("org/repo/README.md", env).error().message(),
              HasSubstr("does not name a .gguf file"));
  EXPECT_THAT(ParsePullSource("org/repo/../x.gguf", env).error().message(),
              HasSubstr("'..' part"));
  EXPECT_THAT(ParsePullSource("org//repo/x.gguf", env).error().message(),
              HasSubstr("empty"));
  EXPECT_THAT(ParsePullSource("org/repo/x.gguf@", env).error().message(),
              HasSubstr("nothing follows '@'"));
  EXPECT_THAT(ParsePullSource("org/repo/x.gguf@../../escape", env).error().message(),
              HasSubstr("is not a revision"));
  EXPECT_THAT(ParsePullSource("ftp://host/x.gguf", env).error().message(),
              HasSubstr("only http:// and https://"));
  EXPECT_THAT(ParsePullSource("https://host/models/", env).error().message(),
              HasSubstr("names no file"));
  EXPECT_EQ(ParsePullSource("https://host/..", env).error().code(),
            ErrorCode::kInvalidArgument);
}

TEST(PullSourceTest, DisplayedUrlsCarryNoQueryOrUserInfo) {
  EXPECT_EQ(UrlForDisplay("https://user:secret@cdn.example/a/b.gguf?X-Signature=abc#frag"),
            "https://cdn.example/a/b.gguf");
  EXPECT_EQ(UrlForDisplay("http://127.0.0.1:8080/x"), "http://127.0.0.1:8080/x");
  EXPECT_EQ(UrlForDisplay("not a url"), "(an invalid URL)");
}

TEST(PullSourceTest, PercentEncodingKeepsUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("a-b_c.d~e/f g", true), "a-b_c.d~e/f%20g");
  EXPECT_EQ(PercentEncode("a/b", false), "a%2Fb");
}

}  // namespace
}  // namespace duet::model_files
