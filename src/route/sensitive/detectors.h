// Internal to route/sensitive: the built-in detectors the scan loop calls
// at its anchors, and the loop itself.
//
// Every detector reports through ctx and returns the end offset of what it
// reported, or kNoFinding. Positions are byte offsets into ctx.text().
//
// Thread safety: functions of their arguments only.
#pragma once

#include <cstddef>

#include "route/sensitive/builtin_keywords.h"
#include "route/sensitive/scan_context.h"

namespace duet::sensitive {

// The whole built-in pass over ctx.text() (scan_loop.cpp). `matcher` holds
// BuiltinKeywords() under their indices as ids, and may hold the user's
// words under larger ids (reported as custom_word where they start a word).
void RunBuiltinPass(ScanContext& ctx, const KeywordMatcher& matcher);

// detect_numbers.cpp: at the first digit of a run (the byte before is not
// an ASCII letter or digit): payment cards, US SSNs (123-45-6789), FR NIR,
// CN resident ids, ES DNI, street numbers.
size_t DetectNumber(ScanContext& ctx, size_t pos);
// At an uppercase letter starting a word that ends at `word_end`: IBANs, UK
// NINOs, ES NIEs, AWS access key ids, Twilio API keys.
size_t DetectUppercaseWord(ScanContext& ctx, size_t pos, size_t word_end);
// At '+': an international phone number.
size_t DetectInternationalPhone(ScanContext& ctx, size_t pos);
// After a cue word ending at `cue_end`: the phone number, SSN, Steuer-ID
// or My Number that follows it closely.
size_t DetectAfterIdCue(ScanContext& ctx, Cue cue, size_t cue_end);

// detect_secrets.cpp.
// A provider prefix matched at [pos, prefix_end).
size_t DetectCredentialPrefix(ScanContext& ctx, const BuiltinKeyword& keyword,
                              size_t pos, size_t prefix_end);
// "Bearer" ending at `keyword_end`, then a token.
size_t DetectBearer(ScanContext& ctx, size_t keyword_end);
// An uppercase word at [pos, word_end): AWS access key ids, Twilio keys.
size_t DetectUppercaseSecret(ScanContext& ctx, size_t pos, size_t word_end);
// At '-': a PEM private key block.
size_t DetectPrivateKey(ScanContext& ctx, size_t pos);
// At '@' of scheme://user:password@host: the password.
size_t DetectConnectionString(ScanContext& ctx, size_t at);

// detect_personal.cpp.
// At '@': an email address (or a connection string's password).
size_t DetectAtSign(ScanContext& ctx, size_t at);
// After a birth-date cue ending at `cue_end`.
size_t DetectDateOfBirth(ScanContext& ctx, size_t cue_end);
// Street addresses around a number [pos, digits_end) (221B Baker Street,
// Hauptstraße 5, 12 rue de Rivoli, 建国路88号).
size_t DetectStreetAroundNumber(ScanContext& ctx, size_t pos,
                                size_t digits_end);
// A Spanish street word at [pos, word_end) then a name and a number.
size_t DetectStreetLead(ScanContext& ctx, size_t pos, size_t word_end);

// detect_passwords.cpp: a key (password, api_key, aws_secret_access_key,
// ...) matched at [pos, key_end), followed by an assignment.
size_t DetectAssignment(ScanContext& ctx, Cue cue, size_t pos, size_t key_end);

// detect_context.cpp.
// A medical term at [pos, end): a finding when a person is named nearby.
size_t DetectMedical(ScanContext& ctx, Cue cue, size_t pos, size_t end);
// "MRN" ending at `cue_end`, then a record number.
size_t DetectMedicalRecordNumber(ScanContext& ctx, size_t pos, size_t cue_end);
// A marking phrase at [pos, end), unless it is asked about or quoted.
size_t DetectMarking(ScanContext& ctx, const BuiltinKeyword& keyword,
                     size_t pos, size_t end);

}  // namespace duet::sensitive
