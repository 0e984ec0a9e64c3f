// Checks for data that carries its own validation (check digits, check
// letters, mod 97), the lists of public example values that are never
// sensitive, and the heuristics that tell a real secret from a placeholder.
//
// All functions are pure; inputs are compact (no spaces or dashes) unless
// said otherwise. They return false for any input of the wrong shape.
//
// Thread safety: pure functions over constant tables.
#pragma once

#include <string_view>

namespace duet::sensitive {

// Luhn (mod 10) check over a string of ASCII digits.
bool LuhnValid(std::string_view digits);

enum class CardBrand {
  kNone,
  kVisa,        // 4, 13/16/19 digits
  kMastercard,  // 51-55 and 2221-2720, 16 digits
  kAmex,        // 34, 37, 15 digits
  kDiscover,    // 6011, 65, 16-19 digits
  kJcb,         // 35, 16-19 digits
  kUnionPay,    // 62, 16-19 digits
};
// The brand whose issuer prefix and length the digits have; kNone when no
// brand fits (the Luhn check is separate).
CardBrand CardBrandOf(std::string_view digits);
// Published test numbers (Stripe, Adyen, Braintree, PayPal docs) and
// numbers made of one repeated digit: public, never sensitive.
bool IsPublicTestCard(std::string_view digits);

// Expected IBAN length for a two-letter country code; 0 when unknown.
int IbanLengthFor(std::string_view country);
// Country length and mod 97 == 1. `iban`: uppercase letters and digits.
bool IbanValid(std::string_view iban);
// The example IBANs published in standards and bank documentation.
bool IsExampleIban(std::string_view iban);

// US SSN as nine digits: area not 000, 666 or 9xx, group not 00, serial
// not 0000, and not one of the numbers known to be public (078-05-1120,
// 219-09-9999).
bool UsSsnValid(std::string_view digits9);
// Spanish DNI (8 digits + check letter) or NIE (X/Y/Z + 7 digits + check
// letter), uppercase.
bool SpanishIdValid(std::string_view id);
// French NIR: 13 characters (digits; the department may be 2A or 2B) + a
// 2-digit key equal to 97 - (number mod 97), with a valid sex digit and
// month.
bool FrenchNirValid(std::string_view nir15);
// Chinese resident identity number: 17 digits + check character (digit or
// X) by ISO 7064 MOD 11-2, a region code and a real birth date.
bool ChineseResidentIdValid(std::string_view id18);
// German Steuer-ID: 11 digits, first not 0, one digit repeated two or
// three times in the first ten, ISO 7064 MOD 11,10 check digit.
bool GermanTaxIdValid(std::string_view digits11);
// Japanese My Number (個人番号): 12 digits with its check digit.
bool JapaneseMyNumberValid(std::string_view digits12);
// UK National Insurance number: 2 prefix letters (valid ones only), 6
// digits, suffix A-D; uppercase, compact.
bool UkNinoValid(std::string_view nino9);

// A token that looks generated rather than typed: no placeholder words
// ("example", "your", "xxxx", ...), no long runs or sequences, enough
// distinct characters and at least two of upper/lower/digit.
bool LooksLikeRealSecret(std::string_view token);
// A configured value that stands for a password rather than being one:
// empty, masked ("****"), a template ("<password>", "${DB_PASSWORD}",
// "{{ pw }}", "%s"), a type name ("string") or a "your_password_here".
bool IsPlaceholderValue(std::string_view value);

}  // namespace duet::sensitive
