// SensitiveScanner's contract: kinds and their names, offsets and lengths,
// huge and non-ASCII texts, the findings cap, user words, patterns and the
// allow list, Create's errors, and concurrent use.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "route/sensitive/scan_test_util.h"
#include "route/sensitive/sensitive_scanner.h"

namespace duet {
namespace {

using testing::Describe;
using testing::FindAll;
using Findings = std::vector<std::string>;

SensitiveScanner Make(SensitiveScannerOptions options) {
  Result<SensitiveScanner> scanner =
      SensitiveScanner::Create(std::move(options));
  EXPECT_TRUE(scanner.has_value()) << scanner.error().ToString();
  return std::move(*scanner);
}

std::vector<std::string> Texts(const SensitiveScanner& scanner,
                               std::string_view text) {
  std::vector<SensitiveFinding> findings;
  scanner.Scan(text, &findings);
  std::vector<std::string> out;
  for (const SensitiveFinding& f : findings) {
    out.push_back(f.rule + "=" + std::string(text.substr(f.offset, f.length)));
  }
  return out;
}

TEST(SensitiveScannerTest, KindNames) {
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kEmail), "email");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kPhone), "phone");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kNationalId), "national_id");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kDateOfBirth), "date_of_birth");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kStreetAddress), "street_address");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kPaymentCard), "payment_card");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kIban), "iban");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kCredential), "credential");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kPrivateKey), "private_key");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kPassword), "password");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kMedicalRecord), "medical_record");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kConfidentialMarking),
            "confidential_marking");
  EXPECT_EQ(SensitiveKindName(SensitiveKind::kCustom), "custom");
}

TEST(SensitiveScannerTest, CleanTextHasNoFindings) {
  const std::string text =
      "Refactor the parser: split ParseHeader() into two functions, keep "
      "the 4096-byte limit, and add a test for 1.2.3 version strings. See "
      "https://example.com/docs?id=42 and run `make -j2 test` (took 12.5 s on "
      "2024-03-15 at 10:30). 我们明天讨论这个问题。";
  EXPECT_EQ(Describe(text), Findings{});
  EXPECT_FALSE(testing::DefaultScanner().HasSensitive(text));
  EXPECT_EQ(Describe(""), Findings{});
}

TEST(SensitiveScannerTest, OffsetsAndLengthsAreBytesInTheScannedText) {
  const std::string text =
      "Grüße, 王伟 — mail jana.novak@gmail.com or +49 30 1234567.";
  const std::vector<SensitiveFinding> findings = FindAll(text);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0], (SensitiveFinding{SensitiveKind::kEmail, "email",
                                           text.find("jana"), 20}));
  EXPECT_EQ(findings[1], (SensitiveFinding{SensitiveKind::kPhone, "phone",
                                           text.find("+49"), 14}));
}

TEST(SensitiveScannerTest, FindingsComeSortedByOffset) {
  // The medical finding starts at the name, before the email that was
  // reported first.
  const std::string text =
      "Jana Novak <jana.novak@gmail.com> was diagnosed with asthma. "
      "Tel. 030 1234567, DOB 1990-02-14";
  EXPECT_EQ(testing::Kinds(text),
            (Findings{"medical_record", "email", "phone", "date_of_birth"}));
  const std::vector<SensitiveFinding> findings = FindAll(text);
  for (size_t i = 1; i < findings.size(); ++i) {
    EXPECT_LT(findings[i - 1].offset, findings[i].offset);
  }
}

TEST(SensitiveScannerTest, SecretNearTheEndOfAMegabyte) {
  std::string text;
  const std::string line =
      "INFO 2024-03-15T10:30:00Z worker-7 processed batch 1842 in 12.5ms "
      "(status=ok, retries=0, bytes=4096) 处理完成\n";
  while (text.size() < 1024 * 1024) {
    text += line;
  }
  const size_t at = text.size() - 100;
  const std::string key = "AKIAHBRPOIGF3CBFNOBM";
  text.insert(at, " " + key + " ");
  const std::vector<SensitiveFinding> findings = FindAll(text);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "aws_access_key_id");
  EXPECT_EQ(findings[0].offset, at + 1);
  EXPECT_EQ(findings[0].length, key.size());
  EXPECT_TRUE(testing::DefaultScanner().HasSensitive(text));
}

TEST(SensitiveScannerTest, InvalidUtf8AndBinaryBytesAreScannedSafely) {
  std::string text =
      "\xFF\xFE\xE4\xB8 \x80\x80 password=\xC3\xA9t\xE9\xFF ok\n";
  text += std::string("\0\0jana.novak@gmail.com\xE9", 23);
  text += "\xE6\xB1";  // a character cut at the end
  EXPECT_EQ(testing::Kinds(text), (Findings{"password", "email"}));
}

TEST(SensitiveScannerTest, MaxFindingsStopsTheScan) {
  std::string text;
  for (int i = 0; i < 10; ++i) {
    text += "contact person" + std::to_string(i) + ".novak@gmail.com; ";
  }
  EXPECT_EQ(FindAll(text).size(), 10u);
  SensitiveScannerOptions options;
  options.max_findings = 3;
  const SensitiveScanner scanner = Make(options);
  std::vector<SensitiveFinding> findings;
  scanner.Scan(text, &findings);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[2].offset, text.find("person2"));
  findings.assign(1, SensitiveFinding{});  // Scan appends
  scanner.Scan(text, &findings);
  EXPECT_EQ(findings.size(), 4u);
}

TEST(SensitiveScannerTest, UserWordsAreWholeWordsIgnoringCase) {
  SensitiveScannerOptions options;
  options.words = {"Project Falcon", "Globex", "灰狐", "X1"};
  const SensitiveScanner scanner = Make(options);
  EXPECT_EQ(Texts(scanner, "status of project  falcon for GLOBEX."),
            (Findings{"custom_word=project  falcon", "custom_word=GLOBEX"}));
  EXPECT_EQ(Texts(scanner, "Globexian globex_ x1 MX1"),
            (Findings{"custom_word=globex", "custom_word=x1"}));
  EXPECT_EQ(Texts(scanner, "关于灰狐项目"), (Findings{"custom_word=灰狐"}));
  EXPECT_EQ(Texts(scanner, "a falcon project"), Findings{});
  EXPECT_EQ(Texts(scanner, "5Globex"), Findings{});
}

TEST(SensitiveScannerTest, UserWordsStartingWithDigitsOrSymbols) {
  SensitiveScannerOptions options;
  options.words = {"42Labs", "#falcon", "Confidential Falcon"};
  const SensitiveScanner scanner = Make(options);
  EXPECT_EQ(Texts(scanner, "from 42labs, tag #Falcon; x42Labs"),
            (Findings{"custom_word=42labs", "custom_word=#Falcon"}));
  // The user's phrase and the built-in marking it contains both count.
  EXPECT_EQ(Texts(scanner, "CONFIDENTIAL FALCON"),
            (Findings{"custom_word=CONFIDENTIAL FALCON",
                      "marking:confidential=CONFIDENTIAL"}));
}

TEST(SensitiveScannerTest, UserPatterns) {
  SensitiveScannerOptions options;
  options.patterns = {R"(ACME-\d{6})", R"((?i)ticket\s+#\d+)", "x*"};
  const SensitiveScanner scanner = Make(options);
  EXPECT_EQ(
      Texts(scanner, "see ACME-123456 and Ticket #42; ACME-12"),
      (Findings{"custom_pattern=ACME-123456", "custom_pattern=Ticket #42"}));
  EXPECT_EQ(Texts(scanner, "xx"), (Findings{"custom_pattern=xx"}));
  EXPECT_EQ(Texts(scanner, "nothing to see"), Findings{});
  EXPECT_EQ(Texts(scanner, ""), Findings{});
  EXPECT_FALSE(scanner.HasSensitive("ACME-1 ticket 7"));
}

TEST(SensitiveScannerTest, ManyUserPatterns) {
  SensitiveScannerOptions options;
  for (int i = 0; i < 50; ++i) {
    options.patterns.push_back("PRJ" + std::to_string(i) + R"(-\d{4}\b)");
  }
  const SensitiveScanner scanner = Make(options);
  EXPECT_EQ(
      Texts(scanner, "see PRJ7-1234, PRJ42-0001 and PRJ99-1234"),
      (Findings{"custom_pattern=PRJ7-1234", "custom_pattern=PRJ42-0001"}));
  EXPECT_EQ(Texts(scanner, std::string(100000, 'a')), Findings{});
}

TEST(SensitiveScannerTest, AllowListDropsMatchingFindings) {
  SensitiveScannerOptions options;
  options.allow = {"Support@Northwind.io", "Globex"};
  options.words = {"globex"};
  const SensitiveScanner scanner = Make(options);
  EXPECT_EQ(Texts(scanner,
                  "write to support@northwind.io or jana@northwind.io; Globex"),
            (Findings{"email=jana@northwind.io"}));
}

TEST(SensitiveScannerTest, CreateRejectsBadOptions) {
  SensitiveScannerOptions bad_pattern;
  bad_pattern.patterns = {"ok", "(unclosed"};
  Result<SensitiveScanner> scanner = SensitiveScanner::Create(bad_pattern);
  ASSERT_FALSE(scanner.has_value());
  EXPECT_EQ(scanner.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(scanner.error().message().find("(unclosed"), std::string::npos);

  SensitiveScannerOptions empty_word;
  empty_word.words = {"  "};
  EXPECT_FALSE(SensitiveScanner::Create(empty_word).has_value());

  SensitiveScannerOptions no_findings;
  no_findings.max_findings = 0;
  EXPECT_FALSE(SensitiveScanner::Create(no_findings).has_value());
}

// A long clean text is remembered and not scanned again; nothing that
// holds a finding ever is, however often it comes.
TEST(SensitiveScannerTest, RemembersLongCleanTextsOnly) {
  const SensitiveScanner scanner = Make({});
  std::string clean;
  while (clean.size() < 2 * SensitiveScanner::kMinRememberedTextBytes) {
    clean += "Split ParseHeader() in two and keep the 4096-byte limit. ";
  }
  std::string dirty = clean;
  dirty.replace(dirty.size() / 2, 22, " jana.novak@gmail.com ");
  const std::string short_clean = clean.substr(0, 100);

  EXPECT_TRUE(Texts(scanner, clean).empty());
  EXPECT_EQ(scanner.remembered_clean_texts(), 1u);
  EXPECT_TRUE(Texts(scanner, clean).empty());
  EXPECT_FALSE(scanner.HasSensitive(clean));
  EXPECT_EQ(scanner.remembered_clean_texts(), 1u);

  // The same length, one difference: scanned, found, and not remembered.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Texts(scanner, dirty), Findings{"email=jana.novak@gmail.com"});
    EXPECT_TRUE(scanner.HasSensitive(dirty));
  }
  EXPECT_TRUE(Texts(scanner, short_clean).empty());
  EXPECT_EQ(scanner.remembered_clean_texts(), 1u);

  // A copy shares what the original remembered.
  const SensitiveScanner copy = scanner;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.remembered_clean_texts(), 1u);

  SensitiveScannerOptions no_memory;
  no_memory.remembered_clean_texts = 0;
  const SensitiveScanner forgetful = Make(no_memory);
  EXPECT_TRUE(Texts(forgetful, clean).empty());
  EXPECT_EQ(forgetful.remembered_clean_texts(), 0u);
  EXPECT_EQ(Texts(forgetful, dirty), Findings{"email=jana.novak@gmail.com"});
}

// The verdict is the scanner's: another scanner with a user word finds it
// in a text the first one remembered as clean.
TEST(SensitiveScannerTest, EachScannerRemembersByItsOwnRules) {
  std::string text;
  while (text.size() < 2 * SensitiveScanner::kMinRememberedTextBytes) {
    text += "The Falcon migration moves the cache warm-up first. ";
  }
  const SensitiveScanner plain = Make({});
  SensitiveScannerOptions falcon;
  falcon.words = {"Falcon"};
  const SensitiveScanner with_word = Make(falcon);
  EXPECT_TRUE(Texts(plain, text).empty());
  EXPECT_EQ(plain.remembered_clean_texts(), 1u);
  EXPECT_FALSE(Texts(with_word, text).empty());
  EXPECT_EQ(with_word.remembered_clean_texts(), 0u);
}

TEST(SensitiveScannerTest, OneScannerServesManyThreads) {
  SensitiveScannerOptions options;
  options.words = {"Globex"};
  options.patterns = {R"(ACME-\d{6})"};
  const SensitiveScanner scanner = Make(options);
  const SensitiveScanner copy = scanner;  // shares the compiled rules
  const std::string text =
      "Globex: ACME-123456, ana@fastmail.es, SSN 536-21-7788, CONFIDENTIAL";
  std::vector<std::thread> threads;
  std::vector<size_t> counts(4);
  for (size_t t = 0; t < counts.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        std::vector<SensitiveFinding> findings;
        (t % 2 ? copy : scanner).Scan(text, &findings);
        counts[t] = findings.size();
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  for (size_t count : counts) {
    EXPECT_EQ(count, 5u);
  }
}

}  // namespace
}  // namespace duet
