// SensitiveScanner: finds personal data, secrets and confidential markings in
// request text, so the router can keep such a request on this machine (the
// hard privacy rule: a request with sensitive data never goes to the cloud).
//
// Kinds and the rules (SensitiveFinding::rule) that report them:
//   email                 email            people's addresses; not example.*,
//                                          test.*, noreply@,
//                                          you@yourdomain.com, git@host:,
//                                          logo@2x.png
//   phone                 phone            +CC international numbers; national
//                                          numbers after a cue word (Tel.,
//                                          Handy, téléphone, móvil, 電話, 手机)
//   national_id           us_ssn           123-45-6789 (area/group/serial
//                                          rules); 9 digits after "SSN"
//                         es_dni, es_nie   check letter
//                         fr_nir           mod 97 key
//                         cn_resident_id   ISO 7064 MOD 11-2, birth date
//                         uk_nino          valid prefixes, suffix A-D
//                         de_steuer_id     after a cue (Steuer-ID, IdNr)
//                         jp_my_number     after a cue (マイナンバー, 個人番号)
//   date_of_birth         date_of_birth    a date after DOB, born,
//                                          Geburtsdatum, fecha de nacimiento,
//                                          生年月日, 出生日期, ...
//   street_address        street_address   221B Baker Street, Hauptstraße 5,
//                                          12 rue de Rivoli, Calle Mayor 12,
//                                          建国路88号, 千代田区丸の内1-9-1
//   payment_card          luhn_card        Luhn + issuer prefix and length; the
//                                          published test cards are not
//   iban                  iban             country length + mod 97; the
//                                          standard example IBANs are not
//   credential            aws_access_key_id, aws_secret_access_key,
//                         github_token, gitlab_token, slack_token,
//                         stripe_secret_key, openai_api_key,
//                         anthropic_api_key, google_api_key, jwt,
//                         bearer_token, npm_token, twilio_api_key,
//                         sendgrid_api_key, huggingface_token,
//                         connection_string_password, secret_assignment
//   private_key           pem_private_key  -----BEGIN ... PRIVATE KEY----- with
//                                          key material after it
//   password              password_assignment  password=, passwd:, Passwort:,
//                                          contraseña:, 密码：, ... + a value
//                                          that is not a placeholder
//   medical_record        medical_record   a medical term within 200 bytes of a
//                                          named person (Mr./Frau/patient X,
//                                          "Jana Novak", 患者王伟)
//                         medical_record_number  MRN 12345678
//   confidential_marking  marking:privileged, marking:confidential,
//                         marking:internal, marking:nda,
//                         marking:proprietary, marking:trade_secret,
//                         marking:restricted, marking:do_not_distribute
//                                          not when quoted or asked about
//   custom                custom_word, custom_pattern  the user's own
//
// Tokens and values that look like placeholders (sk-your-key-here,
// ghp_XXXXXXXX, <YOUR_API_KEY>, ${DB_PASSWORD}, ****) are not findings.
//
// Cost: one pass over the bytes that stops only at anchors (word starts,
// digits, '@', '+', '-', non-ASCII characters); a word costs one lookup in a
// 4 KB bitmap of keyword prefixes, which also holds the user's words. No
// std::regex. User patterns add one RE2::Set pass, and one pass for each
// pattern that matches; user words that start with a digit or a symbol add
// a pass of their own. A user's word is not reported where a built-in
// finding already covers it. A text of kMinRememberedTextBytes or more
// that holds no finding is remembered by its SHA-256 (CleanTextMemo), and
// the same text again costs only its hash (about 1 GB/s with the CPU's SHA
// instructions, several times faster than a scan): a conversation's earlier
// turns, sent again with each new one, are not rescanned.
//
// Thread safety: a SensitiveScanner's rules are immutable after Create;
// Scan and HasSensitive are const and may run concurrently on one instance.
// Copies share the compiled rules and the memory of clean texts.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace duet {

enum class SensitiveKind {
  kEmail,
  kPhone,
  kNationalId,
  kDateOfBirth,
  kStreetAddress,
  kPaymentCard,
  kIban,
  kCredential,
  kPrivateKey,
  kPassword,
  kMedicalRecord,
  kConfidentialMarking,
  kCustom,
};

// Stable lower_snake name of a kind ("payment_card"), for logs, route
// explanations and tests.
std::string_view SensitiveKindName(SensitiveKind kind);

struct SensitiveFinding {
  SensitiveKind kind = SensitiveKind::kCustom;
  // Which detector fired, e.g. "aws_secret_access_key", "us_ssn",
  // "luhn_card", "iban", "pem_private_key", "marking:privileged",
  // "custom_word", "custom_pattern".
  std::string rule;
  size_t offset = 0;  // byte offset of the sensitive text in the scanned text
  size_t length = 0;  // its length in bytes; never 0

  friend bool operator==(const SensitiveFinding&,
                         const SensitiveFinding&) = default;
};

struct SensitiveScannerOptions {
  // Words or phrases (client names, code names) that are sensitive for this
  // user: case-insensitive (ASCII letters), whole words where they begin or
  // end with an ASCII letter or digit, any run of whitespace matching a
  // space. Words in scripts without spaces (CJK) match as plain substrings.
  // Findings are kCustom, rule "custom_word".
  std::vector<std::string> words;
  // Regular expressions in RE2 syntax; every non-empty match is a kCustom
  // finding, rule "custom_pattern".
  std::vector<std::string> patterns;
  // Literal strings that are never sensitive (a company's public support
  // address): a finding whose text equals one of them, ignoring ASCII case,
  // is dropped.
  std::vector<std::string> allow;
  // Scanning stops after this many findings (HasSensitive stops at one).
  size_t max_findings = 16;
  // How many clean texts (by SHA-256) are remembered and not scanned
  // again; 0 scans every text every time.
  size_t remembered_clean_texts = 16384;
};

class SensitiveScanner {
 public:
  // Shorter texts are scanned every time: hashing and looking one up costs
  // about as much as scanning it.
  static constexpr size_t kMinRememberedTextBytes = 512;

  // Compiles the options. Fails with kInvalidArgument, naming the entry,
  // when a user pattern does not compile, when a word or pattern is empty,
  // or when max_findings is 0.
  static Result<SensitiveScanner> Create(SensitiveScannerOptions options);

  // Appends the findings in `text` (any bytes; invalid UTF-8 is scanned as
  // is, and a huge text is fine) to *out, sorted by offset, at most
  // max_findings of them. Built-in findings of one kind do not overlap;
  // user words and patterns may overlap built-in findings.
  // REQUIRES: out != nullptr.
  void Scan(std::string_view text, std::vector<SensitiveFinding>* out) const;

  // True when `text` holds at least one finding; stops at the first.
  bool HasSensitive(std::string_view text) const;

  // How many clean texts are remembered now (for tests and metrics).
  size_t remembered_clean_texts() const;

 private:
  struct Rules;
  explicit SensitiveScanner(std::shared_ptr<const Rules> rules);

  // Scans with the given cap; the built-in pass first, then user words,
  // then user patterns.
  void ScanUpTo(std::string_view text, size_t limit,
                std::vector<SensitiveFinding>* out) const;

  std::shared_ptr<const Rules> rules_;
};

}  // namespace duet
