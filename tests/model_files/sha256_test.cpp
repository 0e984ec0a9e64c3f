// Sha256: the published test vectors, incremental hashing equal to one
// pass, file prefixes, and checksums as servers write them in headers.
#include "model_files/sha256.h"

#include <string>

#include <gtest/gtest.h>

#include "model_files/test_files.h"

namespace duet::model_files {
namespace {

// FIPS 180-2 examples.
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Sha256Test, MatchesTheStandardsExamples) {
  Sha256 hash;
  hash.Update("abc");
  EXPECT_EQ(hash.HexDigest(), kAbc);
  hash.Reset();
  EXPECT_EQ(hash.HexDigest(), kEmpty);
}

TEST(Sha256Test, PiecesHashLikeTheWhole) {
  const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  Sha256 whole;
  whole.Update(text);
  Sha256 pieces;
  for (char c : text) {
    pieces.Update(std::string_view(&c, 1));
  }
  const std::string digest = whole.HexDigest();
  EXPECT_EQ(digest, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(pieces.HexDigest(), digest);
}

TEST(Sha256Test, HashesAFilesPrefix) {
  testing::TempDir dir;
  testing::WriteFile(dir / "f", "abcdef");
  Sha256 hash;
  ASSERT_TRUE(HashFilePrefix(dir / "f", 3, &hash).ok());
  EXPECT_EQ(hash.HexDigest(), kAbc);
  hash.Reset();
  EXPECT_EQ(HashFilePrefix(dir / "f", 7, &hash).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(HashFilePrefix(dir / "missing", 1, &hash).code(), ErrorCode::kNotFound);
}

TEST(Sha256Test, ChecksumsAreTakenFromHeadersOnlyWhenTheyAreSha256) {
  const std::string upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
  EXPECT_EQ(Sha256FromHeader(std::string("\"") + kAbc + "\""), kAbc);
  EXPECT_EQ(Sha256FromHeader(std::string("W/\"") + kAbc + "\""), kAbc);
  EXPECT_EQ(Sha256FromHeader(std::string("sha256:") + kAbc), kAbc);
  EXPECT_EQ(Sha256FromHeader(upper), kAbc);
  // An MD5 (S3), a git blob id, nginx's own tags: not checksums to verify.
  EXPECT_EQ(Sha256FromHeader("\"9e107d9d372bb6826bd81d3542a419d6\""), "");
  EXPECT_EQ(Sha256FromHeader("\"a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\""), "");
  EXPECT_EQ(Sha256FromHeader("\"65f1a2b3-8c9d00\""), "");
  EXPECT_EQ(Sha256FromHeader(""), "");
  EXPECT_TRUE(IsSha256Hex(upper));
  EXPECT_FALSE(IsSha256Hex(upper.substr(1)));
}

}  // namespace
}  // namespace duet::model_files
