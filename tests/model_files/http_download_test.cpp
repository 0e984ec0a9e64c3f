// DownloadToPart against a scripted HTTP client: what it asks for (Range,
// Authorization per origin), how it reacts to each answer (200, 206, 416,
// redirects, errors), and what it leaves on disk (the partial file kept,
// restarted or deleted). The end-to-end version against nginx is
// tests/integration/pull_cli_test.cpp.
#include "model_files/http_download.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model_files/sha256.h"
#include "model_files/test_files.h"
#include "support/scripted_http_client.h"

namespace duet::model_files {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::Contains;
using ::testing::Not;
using duet::testing::Answer;
using duet::testing::ScriptedHttpClient;

constexpr const char* kBody = "GGUF and then the rest of a model file";

std::string Sha(std::string_view bytes) {
  Sha256 hash;
  hash.Update(bytes);
  return hash.HexDigest();
}

std::string HeaderOf(const net::HttpRequest& request, const std::string& name) {
  for (const auto& [header, value] : request.headers) {
    if (header == name) {
      return value;
    }
  }
  return "";
}

class DownloadTest : public ::testing::Test {
 protected:
  DownloadRequest Request() const {
    DownloadRequest request;
    request.url = "http://hub.test/org/repo/resolve/main/model.gguf";
    request.part_path = part_;
    return request;
  }

  Result<DownloadResult> Run(const DownloadRequest& request) {
    return DownloadToPart(client_, request,
                          [this](const DownloadProgress& progress) { seen_.push_back(progress); },
                          nullptr);
  }

  testing::TempDir dir_;
  std::string part_ = dir_ / "model.gguf.part";
  ScriptedHttpClient client_;
  std::vector<DownloadProgress> seen_;
};

TEST_F(DownloadTest, AFreshDownloadIsVerifiedAgainstAnEtagThatIsASha256) {
  const std::string body = kBody;
  client_.Push(Answer(200,
                      {{"content-length", std::to_string(body.size())},
                       {"etag", "\"" + Sha(body) + "\""}},
                      {body.substr(0, 10), body.substr(10)}));
  const Result<DownloadResult> result = Run(Request());
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(testing::ReadFile(part_), body);
  EXPECT_EQ(result->size, body.size());
  EXPECT_EQ(result->sha256, Sha(body));
  EXPECT_EQ(result->verified_against, "etag");
  EXPECT_EQ(result->resumed_from, 0u);
  const std::vector<net::HttpRequest> requests = client_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(HeaderOf(requests[0], "Range"), "");
  EXPECT_EQ(HeaderOf(requests[0], "Accept-Encoding"), "identity");
  // Progress after the head and after each piece, with the total known.
  ASSERT_EQ(seen_.size(), 3u);
  EXPECT_EQ(seen_[1].bytes, 10u);
  EXPECT_EQ(seen_[2].bytes, body.size());
  EXPECT_EQ(seen_[2].total, static_cast<int64_t>(body.size()));
}

TEST_F(DownloadTest, WithoutAKnownChecksumTheDigestIsReportedUnverified) {
  client_.Push(Answer(200, {{"etag", "\"5f1e-63a\""}}, {kBody}));
  const Result<DownloadResult> result = Run(Request());
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->verified_against, "");
  EXPECT_EQ(result->sha256, Sha(kBody));
}

TEST_F(DownloadTest, APartialFileIsResumedAndTheWholeFileHashed) {
  const std::string body = kBody;
  testing::WriteFile(part_, body.substr(0, 12));
  DownloadRequest request = Request();
  request.expected_sha256 = Sha(body);
  client_.Push(Answer(206,
                      {{"content-range", "bytes 12-" + std::to_string(body.size() - 1) + "/" +
                                             std::to_string(body.size())}},
                      {body.substr(12)}));
  const Result<DownloadResult> result = Run(request);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(HeaderOf(client_.requests().at(0), "Range"), "bytes=12-");
  EXPECT_EQ(testing::ReadFile(part_), body);
  EXPECT_EQ(result->resumed_from, 12u);
  EXPECT_EQ(result->verified_against, "the given checksum");
  EXPECT_EQ(seen_.back().resumed_from, 12u);
}

TEST_F(DownloadTest, AServerThatIgnoresTheRangeStartsTheFileOver) {
  testing::WriteFile(part_, "stale bytes from another file");
  client_.Push(Answer(200, {}, {kBody}));
  const Result<DownloadResult> result = Run(Request());
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(testing::ReadFile(part_), kBody);
  EXPECT_EQ(result->resumed_from, 0u);
  EXPECT_EQ(result->sha256, Sha(kBody));
}

TEST_F(DownloadTest, RangeNotSatisfiableMeansCompleteOnlyWhenTheSizeMatches) {
  const std::string body = kBody;
  testing::WriteFile(part_, body);
  client_.Push(Answer(416, {{"content-range", "bytes */" + std::to_string(body.size())}}, {}));
  Result<DownloadResult> result = Run(Request());
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->size, body.size());
  EXPECT_EQ(result->sha256, Sha(body));

  // Longer than the file: discarded and fetched again, without a range.
  testing::WriteFile(part_, body + "junk");
  client_.Push(Answer(416, {{"content-range", "bytes */" + std::to_string(body.size())}}, {}));
  client_.Push(Answer(200, {}, {body}));
  result = Run(Request());
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(testing::ReadFile(part_), body);
  const std::vector<net::HttpRequest> requests = client_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(HeaderOf(requests[1], "Range"), "bytes=" + std::to_string(body.size() + 4) + "-");
  EXPECT_EQ(HeaderOf(requests[2], "Range"), "");
}

TEST_F(DownloadTest, AContentRangeThatDoesNotContinueTheFileIsRefused) {
  testing::WriteFile(part_, "GGUF12");
  client_.Push(Answer(206, {{"content-range", "bytes 0-9/10"}}, {"GGUF123456"}));
  const Result<DownloadResult> result = Run(Request());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(result.error().message(), HasSubstr("resume at byte 6"));
  EXPECT_EQ(testing::ReadFile(part_), "GGUF12");  // untouched
}

TEST_F(DownloadTest, RedirectsAreFollowedAndTheTokenStaysWithItsOrigin) {
  const std::string body = kBody;
  DownloadRequest request = Request();
  request.headers = {{"Authorization", "Bearer hf_secret"}};
  // The hub: a relative redirect on the same host, then a CDN, whose
  // checksum is in the hub's X-Linked-Etag only.
  client_.Push(Answer(302, {{"location", "/api/resolved/model.gguf"}}, {}));
  client_.Push(Answer(302,
                      {{"location", "https://cdn.test/blob?X-Signature=s3cr3t"},
                       {"x-linked-etag", "\"" + Sha(body) + "\""},
                       {"x-repo-commit", std::string(40, 'c')}},
                      {}));
  client_.Push(Answer(200, {{"etag", "\"d41d8cd98f00b204e9800998ecf8427e\""}}, {body}));
  const Result<DownloadResult> result = Run(request);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->redirects, 2);
  EXPECT_EQ(result->verified_against, "x-linked-etag");
  EXPECT_EQ(result->repo_commit, std::string(40, 'c'));
  const std::vector<net::HttpRequest> requests = client_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].url, "http://hub.test/api/resolved/model.gguf");
  EXPECT_EQ(requests[2].url, "https://cdn.test/blob?X-Signature=s3cr3t");
  EXPECT_EQ(HeaderOf(requests[0], "Authorization"), "Bearer hf_secret");
  EXPECT_EQ(HeaderOf(requests[1], "Authorization"), "Bearer hf_secret");
  EXPECT_THAT(requests[2].headers, Not(Contains(Pair("Authorization", ::testing::_))));
}

TEST_F(DownloadTest, RedirectLoopsAndRedirectsWithoutLocationFail) {
  DownloadRequest request = Request();
  request.max_redirects = 2;
  for (int i = 0; i < 3; ++i) {
    client_.Push(Answer(302, {{"location", "https://cdn.test/next?token=abc"}}, {}));
  }
  Result<DownloadResult> result = Run(request);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(),
            "more than 2 redirects, the last to https://cdn.test/next");
  client_.Push(Answer(301, {}, {}));
  result = Run(Request());
  ASSERT_FALSE(result.has_value());
  EXPECT_THAT(result.error().message(), HasSubstr("HTTP 301 from http://hub.test/org/repo/"
                                                  "resolve/main/model.gguf without a Location"));
}

TEST_F(DownloadTest, AChecksumMismatchDeletesThePartialFile) {
  DownloadRequest request = Request();
  request.expected_sha256 = std::string(64, 'A');
  client_.Push(Answer(200, {}, {kBody}));
  const Result<DownloadResult> result = Run(request);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().message(),
            "checksum mismatch: expected sha256 " + std::string(64, 'a') +
                " (the given checksum), the download has " + Sha(kBody) +
                "; deleted the partial file");
  EXPECT_FALSE(fs::exists(part_));
}

TEST_F(DownloadTest, ABodyCutShortKeepsThePartialFileForAResume) {
  client_.Push(Answer(200, {{"content-length", "100"}}, {"GGUF0123"}));
  const Result<DownloadResult> result = Run(Request());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(result.error().message(), HasSubstr("ended at byte 8 of 100"));
  EXPECT_THAT(result.error().message(), HasSubstr("run the same command again to resume"));
  EXPECT_EQ(testing::ReadFile(part_), "GGUF0123");
}

TEST_F(DownloadTest, HttpErrorsNameTheStatusAndAUrlWithoutItsQuery) {
  DownloadRequest request = Request();
  request.url = "http://hub.test/file.gguf?sig=secret";
  client_.Push(Answer(404, {}, {"Entry not found"}));
  Result<DownloadResult> result = Run(request);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(result.error().message(), "HTTP 404: http://hub.test/file.gguf was not found");
  client_.Push(Answer(401, {}, {}));
  EXPECT_EQ(Run(request).error().code(), ErrorCode::kUnauthenticated);
  client_.Push(Answer(403, {}, {}));
  EXPECT_EQ(Run(request).error().code(), ErrorCode::kPermissionDenied);
  client_.Push(Answer(503, {}, {}));
  EXPECT_EQ(Run(request).error().message(), "HTTP 503 from http://hub.test/file.gguf");
  EXPECT_FALSE(fs::exists(part_));
}

TEST_F(DownloadTest, ConnectionFailuresPassThrough) {
  duet::testing::Reply refused;
  refused.connect_error = Unavailable("connecting to http://hub.test failed");
  client_.Push(refused);
  const Result<DownloadResult> result = Run(Request());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(), "connecting to http://hub.test failed");
}

TEST_F(DownloadTest, ABadExpectedChecksumIsRefusedBeforeAnyRequest) {
  DownloadRequest request = Request();
  request.expected_sha256 = "abc";
  EXPECT_EQ(Run(request).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(client_.requests().empty());
}

TEST(ResolveRedirectTest, LocationsOfEveryFormBecomeAbsolute) {
  const std::string base = "https://hub.test:8443/org/repo/resolve/main/x.gguf?a=1";
  EXPECT_EQ(ResolveRedirect(base, "http://cdn.test/b").value(), "http://cdn.test/b");
  EXPECT_EQ(ResolveRedirect(base, "//cdn.test/b").value(), "https://cdn.test/b");
  EXPECT_EQ(ResolveRedirect(base, "/api/x").value(), "https://hub.test:8443/api/x");
  EXPECT_EQ(ResolveRedirect(base, "y.gguf").value(),
            "https://hub.test:8443/org/repo/resolve/main/y.gguf");
  EXPECT_FALSE(ResolveRedirect(base, "ftp://elsewhere/x").has_value());
}

}  // namespace
}  // namespace duet::model_files
