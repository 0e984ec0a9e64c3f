// ReadGgufInfo on files written from the format's description, on the
// generated tiny model, and on truncated, corrupted and hostile files: the
// reader must describe good files correctly and refuse bad ones with an
// error, never crash (ASan and UBSan watch), hang or allocate what a
// header claims.
#include "model_files/gguf_info.h"

#include <sys/stat.h>

#include <filesystem>
#include <random>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model_files/test_files.h"

namespace duet::model_files {
namespace {

using ::testing::HasSubstr;
using testing::GgufBuilder;
using testing::kTensorF16;
using testing::kTensorF32;
using testing::kTensorQ8_0;
using testing::TempDir;
using testing::WriteFile;

class GgufInfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!GgufMetadataAvailable()) {
      GTEST_SKIP() << "built without llama.cpp: no GGUF reader";
    }
  }

  Result<GgufInfo> Read(std::string_view bytes) {
    const std::string path = dir_ / "model.gguf";
    WriteFile(path, bytes);
    return ReadGgufInfo(path);
  }

  TempDir dir_;
};

TEST_F(GgufInfoTest, DescribesFamilyContextQuantizationTemplateAndSize) {
  const Result<GgufInfo> info = Read(GgufBuilder()
                                         .String("general.architecture", "qwen2")
                                         .String("general.name", "Qwen test")
                                         .String("general.size_label", "0.5B")
                                         .U32("qwen2.context_length", 32768)
                                         .U32("general.file_type", 15)
                                         .String("tokenizer.chat_template", "{{x}}")
                                         .Tensor("a.weight", {4, 8}, kTensorF32)
                                         .Tensor("b.weight", {16}, kTensorF32)
                                         .Build());
  ASSERT_TRUE(info.has_value()) << info.error().ToString();
  EXPECT_EQ(info->version, 3u);
  EXPECT_EQ(info->architecture, "qwen2");
  EXPECT_EQ(info->name, "Qwen test");
  EXPECT_EQ(info->size_label, "0.5B");
  EXPECT_EQ(info->context_length, 32768);
  EXPECT_EQ(info->quantization, "Q4_K_M");  // llama_ftype 15
  EXPECT_TRUE(info->has_chat_template);
  EXPECT_EQ(info->tensor_count, 2);
  EXPECT_EQ(info->parameter_count, 4 * 8 + 16);
  EXPECT_EQ(DescribeGguf(*info),
            "qwen2, 48 parameters, Q4_K_M, 32768-token context, chat template");
}

TEST_F(GgufInfoTest, WithoutAFileTypeTheTypeHoldingMostBytesNamesIt) {
  // 32 F32 values are 128 bytes; 64 Q8_0 values are 68; 256 F16 are 512.
  const Result<GgufInfo> info = Read(GgufBuilder()
                                         .String("general.architecture", "llama")
                                         .Tensor("f32", {32}, kTensorF32)
                                         .Tensor("q8", {64}, kTensorQ8_0)
                                         .Tensor("f16", {256}, kTensorF16)
                                         .Build());
  ASSERT_TRUE(info.has_value()) << info.error().ToString();
  EXPECT_EQ(info->quantization, "F16");
  EXPECT_FALSE(info->has_chat_template);
  EXPECT_EQ(info->context_length, 0);
}

TEST_F(GgufInfoTest, ContextIsReadUnderTheFilesOwnArchitecture) {
  const Result<GgufInfo> info = Read(GgufBuilder()
                                         .String("general.architecture", "llama")
                                         .U32("qwen2.context_length", 8192)
                                         .Build());
  ASSERT_TRUE(info.has_value()) << info.error().ToString();
  EXPECT_EQ(info->context_length, 0);
  EXPECT_EQ(info->tensor_count, 0);
}

TEST_F(GgufInfoTest, KeysOfUnexpectedTypesAreIgnoredNotFatal) {
  // ggml's typed getters abort on a type mismatch; the reader must check.
  const Result<GgufInfo> info = Read(GgufBuilder()
                                         .U32("general.architecture", 7)
                                         .String("general.file_type", "Q4_K_M")
                                         .U32("tokenizer.chat_template", 1)
                                         .I32("general.name", -1)
                                         .Tensor("t", {32}, kTensorQ8_0)
                                         .Build());
  ASSERT_TRUE(info.has_value()) << info.error().ToString();
  EXPECT_EQ(info->architecture, "");
  EXPECT_EQ(info->name, "");
  EXPECT_EQ(info->quantization, "Q8_0");  // from the tensor, not the string
  EXPECT_FALSE(info->has_chat_template);
  EXPECT_EQ(DescribeGguf(*info), "unknown architecture, 32 parameters, Q8_0");
}

TEST_F(GgufInfoTest, ControlCharactersInStringsArePrintedAsQuestionMarks) {
  const Result<GgufInfo> info = Read(GgufBuilder()
                                         .String("general.architecture", "llama")
                                         .String("general.name", "evil\x1b[2J\nname")
                                         .Build());
  ASSERT_TRUE(info.has_value()) << info.error().ToString();
  EXPECT_EQ(info->name, "evil?[2J?name");
}

TEST_F(GgufInfoTest, MissingTensorDataIsReportedAsTruncated) {
  std::string bytes = testing::SmallModel();
  ASSERT_TRUE(Read(bytes).has_value());
  bytes.resize(bytes.size() - 10);
  const Result<GgufInfo> info = Read(bytes);
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(info.error().message(), HasSubstr("truncated"));
  EXPECT_THAT(info.error().message(), HasSubstr(std::to_string(bytes.size()) + " bytes"));
}

TEST_F(GgufInfoTest, EveryPrefixOfAModelIsRefusedWithAnError) {
  const std::string bytes = testing::SmallModel();
  for (size_t length = 0; length < bytes.size(); ++length) {
    const Result<GgufInfo> info = Read(bytes.substr(0, length));
    ASSERT_FALSE(info.has_value()) << "a " << length << "-byte prefix was accepted";
    EXPECT_FALSE(info.error().message().empty());
  }
}

TEST_F(GgufInfoTest, CorruptedBytesNeverCrashTheReader) {
  const std::string good = testing::SmallModel();
  std::mt19937 random(1234);  // fixed: the same corruptions every run
  int refused = 0;
  for (int round = 0; round < 400; ++round) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i) {
      // Mostly the header and metadata, where lengths and counts live.
      const size_t at = random() % std::min<size_t>(bytes.size(), 400);
      bytes[at] = static_cast<char>(random() & 0xff);
    }
    const Result<GgufInfo> info = Read(bytes);
    if (!info) {
      ++refused;
      EXPECT_FALSE(info.error().message().empty());
    }
  }
  EXPECT_GT(refused, 0);  // the corruptions did reach the reader
}

TEST_F(GgufInfoTest, HugeClaimedCountsAndLengthsAreRefused) {
  // 2^60 key/value pairs in a file of a few bytes.
  Result<GgufInfo> info =
      Read(GgufBuilder().String("general.architecture", "llama").ClaimCounts(0, 1ull << 60).Build());
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code(), ErrorCode::kInvalidArgument);
  // 2^40 tensors.
  info = Read(GgufBuilder().ClaimCounts(1ull << 40, 0).Build());
  ASSERT_FALSE(info.has_value());
  // A string claiming an exabyte.
  std::string bytes = GgufBuilder().String("general.architecture", "llama").Build();
  const size_t length_at = 4 + 4 + 8 + 8 + 8 + std::string("general.architecture").size() + 4;
  bytes.replace(length_at, 8, std::string("\0\0\0\0\0\0\0\x10", 8));
  info = Read(bytes);
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(GgufInfoTest, TheGeneratedTinyModelIsDescribed) {
  if (std::string(DUET_TINY_MODEL).empty()) {
    GTEST_SKIP() << "no tiny model in this build";
  }
  const Result<GgufInfo> info = ReadGgufInfo(DUET_TINY_MODEL);
  ASSERT_TRUE(info.has_value()) << info.error().ToString();
  // tools/make_test_model.cpp: llama, 4,096-token context, F32, ChatML.
  EXPECT_EQ(info->architecture, "llama");
  EXPECT_EQ(info->context_length, 4096);
  EXPECT_EQ(info->quantization, "F32");
  EXPECT_TRUE(info->has_chat_template);
  // The tiny shape: 32,000 x 64 embeddings dominate its ~2.1M parameters.
  EXPECT_GT(info->parameter_count, 32000 * 64);
  EXPECT_LT(info->parameter_count, 3'000'000);
  EXPECT_EQ(info->data_end, std::filesystem::file_size(DUET_TINY_MODEL));
}

TEST(GgufMagicTest, FilesThatAreNotGgufSaySo) {
  TempDir dir;
  WriteFile(dir / "text.gguf", "hello, world");
  Status status = CheckGgufMagic(dir / "text.gguf");
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "not a GGUF file (it starts with \"hell\")");
  WriteFile(dir / "empty.gguf", "");
  EXPECT_EQ(CheckGgufMagic(dir / "empty.gguf").message(), "not a GGUF file (only 0 bytes)");
  WriteFile(dir / "good.gguf", testing::SmallModel());
  EXPECT_TRUE(CheckGgufMagic(dir / "good.gguf").ok());
  // The same errors come from ReadGgufInfo, with or without llama.cpp.
  EXPECT_EQ(ReadGgufInfo(dir / "text.gguf").error().code(), ErrorCode::kInvalidArgument);
}

TEST(GgufMagicTest, MissingFilesFoldersAndPipesAreNotFoundAndNeverBlock) {
  TempDir dir;
  EXPECT_EQ(ReadGgufInfo(dir / "absent.gguf").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ReadGgufInfo(dir.path()).error().code(), ErrorCode::kNotFound);
  // Opening a FIFO for reading blocks until a writer comes, unless the
  // reader takes care.
  ASSERT_EQ(::mkfifo((dir / "pipe.gguf").c_str(), 0600), 0);
  const Result<GgufInfo> pipe = ReadGgufInfo(dir / "pipe.gguf");
  ASSERT_FALSE(pipe.has_value());
  EXPECT_EQ(pipe.error().message(), "not a regular file");
}

TEST(GgufMagicTest, WithoutLlamaCppMetadataIsUnavailable) {
  if (GgufMetadataAvailable()) {
    GTEST_SKIP() << "built with llama.cpp";
  }
  TempDir dir;
  WriteFile(dir / "good.gguf", testing::SmallModel());
  const Result<GgufInfo> info = ReadGgufInfo(dir / "good.gguf");
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().code(), ErrorCode::kUnavailable);
}

TEST(GgufNamesTest, FileTypesAreNamedAsLlamaCppNamesThem) {
  EXPECT_EQ(FileTypeName(0), "F32");
  EXPECT_EQ(FileTypeName(1), "F16");
  EXPECT_EQ(FileTypeName(7), "Q8_0");
  EXPECT_EQ(FileTypeName(15), "Q4_K_M");
  EXPECT_EQ(FileTypeName(17), "Q5_K_M");
  EXPECT_EQ(FileTypeName(18), "Q6_K");
  EXPECT_EQ(FileTypeName(32), "BF16");
  EXPECT_EQ(FileTypeName(4), "");  // removed from llama.cpp
  EXPECT_EQ(FileTypeName(-1), "");
  EXPECT_EQ(FileTypeName(1024), "");
}

TEST(GgufNamesTest, ParameterCountsReadLikeModelCards) {
  EXPECT_EQ(FormatParameterCount(0), "");
  EXPECT_EQ(FormatParameterCount(950), "950");
  EXPECT_EQ(FormatParameterCount(2'122'048), "2.1M");
  EXPECT_EQ(FormatParameterCount(494'032'768), "494.0M");
  EXPECT_EQ(FormatParameterCount(8'030'261'248), "8.0B");
}

}  // namespace
}  // namespace duet::model_files
