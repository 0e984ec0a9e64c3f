// Internal to route/sensitive: the words the built-in detectors start from
// (provider key prefixes, `password`-like keys, cue words before phone
// numbers, ids and birth dates, medical terms, confidentiality markings),
// in English, Spanish, German, French, Chinese and Japanese.
//
// Thread safety: constant tables; the matcher is built once, on first use,
// thread-safely.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "route/sensitive/keyword_matcher.h"

namespace duet::sensitive {

// What a keyword tells the scanner to look for.
enum class Cue : uint8_t {
  kCredentialPrefix,     // a provider's token prefix ("ghp_", "xoxb-", "sk-")
  kAwsSecretKey,         // aws_secret_access_key = <40 characters>
  kBearer,               // Bearer <token>
  kPasswordKey,          // password = <value>
  kSecretKey,            // api_key / secret / token = <value>
  kPhone,                // a phone number follows
  kSsn,                  // a US SSN follows
  kSteuerId,             // a German Steuer-ID follows
  kMyNumber,             // a Japanese My Number follows
  kDateOfBirth,          // a birth date follows
  kMedicalRecordNumber,  // MRN: a record number follows
  kStreetLead,           // Calle, Avenida: a street name and number follow
  kMedicalTerm,          // medical only near a person
  kDose,                 // "mg": a medical term after a number
  kMarking,              // a confidentiality marking, unless asked about
  kMarkingLabel,         // "CONFIDENTIAL" as a header or label
};

struct BuiltinKeyword {
  std::string_view text;
  Cue cue;
  // The finding's rule where the keyword decides it (markings, provider
  // prefixes); empty otherwise.
  std::string_view rule = {};
  bool case_sensitive = false;
  bool whole_word = true;
};

// The table; a keyword's KeywordMatcher id is its index here.
std::span<const BuiltinKeyword> BuiltinKeywords();
// The table's keywords as KeywordMatcher input, ids = indices.
std::vector<KeywordMatcher::Keyword> BuiltinMatcherKeywords();
// A matcher of the table alone, built once.
const KeywordMatcher& BuiltinMatcher();

}  // namespace duet::sensitive
