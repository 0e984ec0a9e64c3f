#include "route/sensitive/validators.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "core/ascii.h"
#include "route/sensitive/scan_context.h"

namespace duet::sensitive {
namespace {

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsDigit(static_cast<uint8_t>(c)); });
}

int DigitAt(std::string_view s, size_t i) { return s[i] - '0'; }

int NumberAt(std::string_view s, size_t pos, size_t len) {
  int value = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    value = value * 10 + DigitAt(s, i);
  }
  return value;
}

bool PrefixBetween(std::string_view digits, size_t len, int low, int high) {
  if (digits.size() < len) {
    return false;
  }
  const int prefix = NumberAt(digits, 0, len);
  return prefix >= low && prefix <= high;
}

// Published test card numbers, sorted for binary search.
constexpr std::array<std::string_view, 62> kTestCards = [] {
  std::array<std::string_view, 62> cards = {
      "2222420000001113", "2223000048410010", "2223003122003222",
      "30569309025904",   "3056930009020004", "3530111333300000",
      "3566002020360505", "3566111111111113", "36227206271667",
      "370000000000002",  "371449635398431",  "378282246310005",
      "378734493671000",  "38520000023237",   "4000000000000002",
      "4000000000000010", "4000000000000036", "4000000000000069",
      "4000000000000077", "4000000000000101", "4000000000000119",
      "4000000000000127", "4000000000000341", "4000000000003220",
      "4000000000009995", "4000000760000002", "4000001240000000",
      "4000002500003155", "4000002760003184", "4000003800000008",
      "4000056655665556", "4005519200000004", "4009348888881881",
      "4012000033330026", "4012000077777777", "4012888888881881",
      "4111111111111111", "4111111145551142", "4166676667666746",
      "4217651111111119", "4222222222222",    "4242424242424242",
      "4444333322221111", "4500600000000061", "4917610000000000",
      "4988080000000000", "5105105105105100", "5200000000001096",
      "5200828282828210", "5425233430109903", "5431111111111111",
      "5555555555554444", "5577000055770004", "5610591081018250",
      "6011000400000000", "6011000990139424", "6011111111111117",
      "6011601160116611", "6200000000000005", "6243030000000001",
      "6250941006528599", "6331101999990016",
  };
  std::sort(cards.begin(), cards.end());
  return cards;
}();

// The example IBANs of ISO 13616, the ECBS and banks' documentation.
constexpr std::array<std::string_view, 24> kExampleIbans = {
    "AT611904300234573201",
    "BE68539007547034",
    "BE71096123456769",
    "CH9300762011623852957",
    "DE89370400440532013000",
    "DK5000400440116243",
    "ES9121000418450200051332",
    "ES7921000813610123456789",
    "FI2112345600000785",
    "FR1420041010050500013M02606",
    "FR7630006000011234567890189",
    "GB29NWBK60161331926819",
    "GB33BUKB20201555555555",
    "GB82WEST12345698765432",
    "IE29AIBK93115212345678",
    "IE64IRCE92050112345678",
    "IT60X0542811101000000123456",
    "LU280019400644750000",
    "NL02ABNA0123456789",
    "NL91ABNA0417164300",
    "NO9386011117947",
    "PL61109010140000071219812874",
    "PT50000201231234567890154",
    "SE4550000000058398257466",
};

struct IbanCountry {
  char code[3];
  int length;
};

// From the SWIFT IBAN registry.
constexpr IbanCountry kIbanCountries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20},
    {"BE", 16}, {"BG", 22}, {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21},
    {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"DO", 28},
    {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
    {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28},
    {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32},
    {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24},
    {"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18},
    {"NO", 15}, {"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29},
    {"RO", 24}, {"RS", 22}, {"SA", 24}, {"SC", 31}, {"SE", 24}, {"SI", 19},
    {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24},
    {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

// Remainder mod 97 of a decimal number given as digits, continuing from
// `remainder`.
int Mod97(std::string_view digits, int remainder) {
  for (char c : digits) {
    remainder = (remainder * 10 + (c - '0')) % 97;
  }
  return remainder;
}

bool ValidDate(int year, int month, int day) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) {
    return false;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month != 2 || day <= 28 || leap;
}

bool ContainsAny(std::string_view lower,
                 std::initializer_list<std::string_view> fragments) {
  return std::any_of(fragments.begin(), fragments.end(),
                     [&](std::string_view f) {
                       return lower.find(f) != std::string_view::npos;
                     });
}

}  // namespace

bool LuhnValid(std::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) {
    return false;
  }
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = DigitAt(digits, i);
    if (twice) {
      d *= 2;
      if (d > 9) {
        d -= 9;
      }
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

CardBrand CardBrandOf(std::string_view digits) {
  const size_t n = digits.size();
  if (n < 13 || n > 19 || !AllDigits(digits)) {
    return CardBrand::kNone;
  }
  if (digits[0] == '4') {
    return (n == 13 || n == 16 || n == 19) ? CardBrand::kVisa
                                           : CardBrand::kNone;
  }
  if (n == 15 &&
      (PrefixBetween(digits, 2, 34, 34) || PrefixBetween(digits, 2, 37, 37))) {
    return CardBrand::kAmex;
  }
  if (n == 16 && (PrefixBetween(digits, 2, 51, 55) ||
                  PrefixBetween(digits, 4, 2221, 2720))) {
    return CardBrand::kMastercard;
  }
  if (n < 16) {
    return CardBrand::kNone;
  }
  if (PrefixBetween(digits, 4, 6011, 6011) ||
      PrefixBetween(digits, 2, 65, 65)) {
    return CardBrand::kDiscover;
  }
  if (PrefixBetween(digits, 2, 35, 35)) {
    return CardBrand::kJcb;
  }
  if (PrefixBetween(digits, 2, 62, 62)) {
    return CardBrand::kUnionPay;
  }
  return CardBrand::kNone;
}

bool IsPublicTestCard(std::string_view digits) {
  if (!digits.empty() &&
      digits.find_first_not_of(digits[0]) == std::string_view::npos) {
    return true;
  }
  return std::binary_search(kTestCards.begin(), kTestCards.end(), digits);
}

int IbanLengthFor(std::string_view country) {
  for (const IbanCountry& entry : kIbanCountries) {
    if (country == entry.code) {
      return entry.length;
    }
  }
  return 0;
}

bool IbanValid(std::string_view iban) {
  if (iban.size() < 15 ||
      IbanLengthFor(iban.substr(0, 2)) != static_cast<int>(iban.size())) {
    return false;
  }
  if (!IsDigit(iban[2]) || !IsDigit(iban[3])) {
    return false;
  }
  // Rearranged: BBAN, then country and check digits; letters are 10..35.
  int remainder = 0;
  auto feed = [&remainder](char c) {
    const uint8_t b = static_cast<uint8_t>(c);
    if (IsDigit(b)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
      return true;
    }
    if (!IsUpper(b)) {
      return false;
    }
    remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    return true;
  };
  for (size_t i = 4; i < iban.size(); ++i) {
    if (!feed(iban[i])) {
      return false;
    }
  }
  for (size_t i = 0; i < 4; ++i) {
    if (!feed(iban[i])) {
      return false;
    }
  }
  return remainder == 1;
}

bool IsExampleIban(std::string_view iban) {
  return std::find(kExampleIbans.begin(), kExampleIbans.end(), iban) !=
         kExampleIbans.end();
}

bool UsSsnValid(std::string_view digits9) {
  if (digits9.size() != 9 || !AllDigits(digits9)) {
    return false;
  }
  const int area = NumberAt(digits9, 0, 3);
  const int group = NumberAt(digits9, 3, 2);
  const int serial = NumberAt(digits9, 5, 4);
  if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) {
    return false;
  }
  // Printed on sample cards and in advertising: public for decades.
  return digits9 != "078051120" && digits9 != "219099999";
}

bool SpanishIdValid(std::string_view id) {
  static constexpr std::string_view kLetters = "TRWAGMYFPDXBNJZSQVHLCKE";
  if (id.size() != 9 || !IsUpper(static_cast<uint8_t>(id[8]))) {
    return false;
  }
  std::string digits(id.substr(0, 8));
  if (digits[0] == 'X' || digits[0] == 'Y' || digits[0] == 'Z') {
    digits[0] = static_cast<char>('0' + (digits[0] - 'X'));  // NIE
  }
  if (!AllDigits(digits) || digits == "00000000") {
    return false;
  }
  return kLetters[std::stoul(digits) % 23] == id[8];
}

bool FrenchNirValid(std::string_view nir15) {
  if (nir15.size() != 15) {
    return false;
  }
  std::string number(nir15.substr(0, 13));
  // Corsica: departments 2A and 2B count as 19 and 18 for the key.
  if (number[5] == '2' && (number[6] == 'A' || number[6] == 'B')) {
    number[5] = '1';
    number[6] = number[6] == 'A' ? '9' : '8';
  }
  if (!AllDigits(number) || !AllDigits(nir15.substr(13))) {
    return false;
  }
  const char sex = number[0];
  const int month = NumberAt(number, 3, 2);
  if ((sex != '1' && sex != '2' && sex != '7' && sex != '8') ||
      !((month >= 1 && month <= 12) || (month >= 20 && month <= 42))) {
    return false;
  }
  const int key = 97 - Mod97(number, 0);
  return key == NumberAt(nir15, 13, 2);
}

bool ChineseResidentIdValid(std::string_view id18) {
  static constexpr int kWeights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                       3, 7, 9,  10, 5, 8, 4, 2};
  static constexpr std::string_view kCheck = "10X98765432";
  if (id18.size() != 18 || !AllDigits(id18.substr(0, 17))) {
    return false;
  }
  if (id18[0] < '1' || id18[0] > '8') {
    return false;
  }
  const int year = NumberAt(id18, 6, 4);
  if (year < 1900 || year > 2099 ||
      !ValidDate(year, NumberAt(id18, 10, 2), NumberAt(id18, 12, 2))) {
    return false;
  }
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    sum += DigitAt(id18, i) * kWeights[i];
  }
  const char last = id18[17] == 'x' ? 'X' : id18[17];
  return kCheck[sum % 11] == last;
}

bool GermanTaxIdValid(std::string_view digits11) {
  if (digits11.size() != 11 || !AllDigits(digits11) || digits11[0] == '0') {
    return false;
  }
  std::array<int, 10> counts{};
  for (size_t i = 0; i < 10; ++i) {
    ++counts[DigitAt(digits11, i)];
  }
  int repeated = 0;
  for (int count : counts) {
    if (count > 3) {
      return false;
    }
    if (count >= 2) {
      ++repeated;
    }
  }
  if (repeated != 1) {
    return false;
  }
  for (size_t i = 0; i + 2 < 10; ++i) {
    if (digits11[i] == digits11[i + 1] && digits11[i] == digits11[i + 2]) {
      return false;
    }
  }
  int product = 10;
  for (size_t i = 0; i < 10; ++i) {
    int sum = (DigitAt(digits11, i) + product) % 10;
    if (sum == 0) {
      sum = 10;
    }
    product = (sum * 2) % 11;
  }
  int check = 11 - product;
  if (check == 10) {
    check = 0;
  }
  return check == DigitAt(digits11, 10);
}

bool JapaneseMyNumberValid(std::string_view digits12) {
  if (digits12.size() != 12 || !AllDigits(digits12)) {
    return false;
  }
  // P(n) is the n-th digit from the right before the check digit; its
  // weight Q(n) is n + 1 for n <= 6 and n - 5 above.
  int sum = 0;
  for (int n = 1; n <= 11; ++n) {
    const int digit = DigitAt(digits12, static_cast<size_t>(11 - n));
    sum += digit * (n <= 6 ? n + 1 : n - 5);
  }
  const int remainder = sum % 11;
  const int check = remainder <= 1 ? 0 : 11 - remainder;
  return check == DigitAt(digits12, 11);
}

bool UkNinoValid(std::string_view nino9) {
  if (nino9.size() != 9) {
    return false;
  }
  const char first = nino9[0];
  const char second = nino9[1];
  if (!IsUpper(static_cast<uint8_t>(first)) ||
      !IsUpper(static_cast<uint8_t>(second)) ||
      std::string_view("DFIQUV").find(first) != std::string_view::npos ||
      std::string_view("DFIOQUV").find(second) != std::string_view::npos) {
    return false;
  }
  const std::string_view prefix = nino9.substr(0, 2);
  for (std::string_view banned : {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}) {
    if (prefix == banned) {
      return false;
    }
  }
  return AllDigits(nino9.substr(2, 6)) && nino9[8] >= 'A' && nino9[8] <= 'D';
}

bool LooksLikeRealSecret(std::string_view token) {
  const std::string lower = AsciiLowered(token);
  if (ContainsAny(lower, {"example", "xxxx", "your", "placeholder", "dummy",
                          "sample", "redacted", "insert", "here", "fake",
                          "0123456", "1234567", "abcdefg", "changeme"})) {
    return false;
  }
  std::array<bool, 256> seen{};
  int distinct = 0;
  bool upper = false, lower_case = false, digit = false;
  size_t run = 1;
  for (size_t i = 0; i < token.size(); ++i) {
    const uint8_t c = static_cast<uint8_t>(token[i]);
    if (!seen[c]) {
      seen[c] = true;
      ++distinct;
    }
    upper |= IsUpper(c);
    lower_case |= IsLower(c);
    digit |= IsDigit(c);
    run = (i > 0 && token[i] == token[i - 1]) ? run + 1 : 1;
    if (run >= 5) {
      return false;
    }
  }
  const size_t wanted = std::min<size_t>(10, token.size() / 3);
  return static_cast<size_t>(distinct) >= wanted &&
         int{upper} + int{lower_case} + int{digit} >= 2;
}

bool IsPlaceholderValue(std::string_view value) {
  if (value.empty()) {
    return true;
  }
  if (value.find_first_not_of("*xX.#?_-\xE2\x80\xA2\xA6") ==
      std::string_view::npos) {
    return true;  // "****", "xxx", "...", "•••" and the like
  }
  const char first = value.front();
  const char last = value.back();
  if ((first == '<' && last == '>') || (first == '[' && last == ']') ||
      (first == '{' && last == '}') || (first == '(' && last == ')')) {
    return true;
  }
  if (value.starts_with("${") || value.starts_with("$(") ||
      value.starts_with("%(") || value.starts_with("{{") || value == "%s") {
    return true;
  }
  if (first == '$' && value.size() > 1 &&
      std::all_of(value.begin() + 1, value.end(), [](char c) {
        const uint8_t b = static_cast<uint8_t>(c);
        return IsUpper(b) || IsDigit(b) || c == '_';
      })) {
    return true;  // $DB_PASSWORD
  }
  const std::string lower = AsciiLowered(value);
  static constexpr std::string_view kWords[] = {
      "null",          "none",         "nil",
      "undefined",     "true",         "false",
      "string",        "str",          "int",
      "bool",          "boolean",      "required",
      "optional",      "redacted",     "hidden",
      "masked",        "todo",         "tbd",
      "n/a",           "placeholder",  "example",
      "env",           "secret_here",  "password_here",
      "your_password", "yourpassword", "password",
      "passwd",        "secret",       "nullptr",
      "yes",           "no",           "on",
      "off",
  };
  for (std::string_view word : kWords) {
    if (lower == word) {
      return true;
    }
  }
  return ContainsAny(lower, {"example", "placeholder"}) ||
         (lower.find("your") != std::string::npos &&
          ContainsAny(lower, {"pass", "secret", "key", "token", "pwd"}));
}

}  // namespace duet::sensitive
