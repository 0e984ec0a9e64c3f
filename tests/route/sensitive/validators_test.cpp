// The checks behind the scanner's validated kinds, tested directly with
// synthetic numbers (computed to pass or fail each check).
#include "route/sensitive/validators.h"

#include <gtest/gtest.h>

namespace duet::sensitive {
namespace {

TEST(ValidatorsTest, Luhn) {
  EXPECT_TRUE(LuhnValid("4532015112830366"));
  EXPECT_TRUE(LuhnValid("79927398713"));  // the textbook example
  EXPECT_TRUE(LuhnValid("0"));
  EXPECT_FALSE(LuhnValid("4532015112830367"));
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("4532 0151 1283 0366"));  // compact digits only
}

TEST(ValidatorsTest, CardBrandsByPrefixAndLength) {
  EXPECT_EQ(CardBrandOf("4532015112830366"), CardBrand::kVisa);
  EXPECT_EQ(CardBrandOf("4532015112836"), CardBrand::kVisa);    // 13 digits
  EXPECT_EQ(CardBrandOf("453201511283036"), CardBrand::kNone);  // 15
  EXPECT_EQ(CardBrandOf("5182736491058275"), CardBrand::kMastercard);
  EXPECT_EQ(CardBrandOf("2720148392650174"), CardBrand::kMastercard);
  EXPECT_EQ(CardBrandOf("2721148392650174"), CardBrand::kNone);
  EXPECT_EQ(CardBrandOf("379284615304725"), CardBrand::kAmex);
  EXPECT_EQ(CardBrandOf("349284615304725"), CardBrand::kAmex);
  EXPECT_EQ(CardBrandOf("6011872635491828"), CardBrand::kDiscover);
  EXPECT_EQ(CardBrandOf("6510293847561034"), CardBrand::kDiscover);
  EXPECT_EQ(CardBrandOf("3582138465091278"), CardBrand::kJcb);
  EXPECT_EQ(CardBrandOf("6217384950618276"), CardBrand::kUnionPay);
  EXPECT_EQ(CardBrandOf("1700000000000000"), CardBrand::kNone);
  EXPECT_EQ(CardBrandOf("9182736491058275"), CardBrand::kNone);
}

TEST(ValidatorsTest, PublicTestCards) {
  EXPECT_TRUE(IsPublicTestCard("4242424242424242"));
  EXPECT_TRUE(IsPublicTestCard("4000056655665556"));
  EXPECT_TRUE(IsPublicTestCard("5555555555554444"));
  EXPECT_TRUE(IsPublicTestCard("4111111111111111"));
  EXPECT_TRUE(IsPublicTestCard("378282246310005"));
  EXPECT_TRUE(IsPublicTestCard("6011111111111117"));
  EXPECT_TRUE(IsPublicTestCard("4444444444444444"));  // one repeated digit
  EXPECT_FALSE(IsPublicTestCard("4532015112830366"));
}

TEST(ValidatorsTest, IbanMod97AndCountryLength) {
  EXPECT_TRUE(IbanValid("DE50526018159083016613"));
  EXPECT_TRUE(IbanValid("GB07OLJH23194875749118"));
  EXPECT_TRUE(IbanValid("FR551860913909P3E2Z8IQ9Y794"));
  EXPECT_TRUE(IbanValid("NL57JWMV5075291703"));
  EXPECT_TRUE(IbanValid("BE58423667127684"));
  EXPECT_FALSE(IbanValid("DE51526018159083016613"));  // check digits
  EXPECT_FALSE(IbanValid("DE5052601815908301661"));   // one short
  EXPECT_FALSE(IbanValid("ZZ50526018159083016613"));  // no such country
  EXPECT_FALSE(IbanValid("de50526018159083016613"));  // uppercase only
  EXPECT_EQ(IbanLengthFor("DE"), 22);
  EXPECT_EQ(IbanLengthFor("NO"), 15);
  EXPECT_EQ(IbanLengthFor("US"), 0);
}

TEST(ValidatorsTest, ExampleIbansAreValidButPublic) {
  for (const char* iban : {"DE89370400440532013000", "GB82WEST12345698765432",
                           "GB29NWBK60161331926819", "NL91ABNA0417164300"}) {
    EXPECT_TRUE(IbanValid(iban)) << iban;
    EXPECT_TRUE(IsExampleIban(iban)) << iban;
  }
  EXPECT_FALSE(IsExampleIban("DE50526018159083016613"));
}

TEST(ValidatorsTest, UsSsnRules) {
  EXPECT_TRUE(UsSsnValid("123456789"));
  EXPECT_TRUE(UsSsnValid("665123456"));
  EXPECT_FALSE(UsSsnValid("000123456"));  // area 000
  EXPECT_FALSE(UsSsnValid("666123456"));  // area 666
  EXPECT_FALSE(UsSsnValid("912345678"));  // area 9xx
  EXPECT_FALSE(UsSsnValid("123006789"));  // group 00
  EXPECT_FALSE(UsSsnValid("123450000"));  // serial 0000
  EXPECT_FALSE(UsSsnValid("078051120"));  // the Woolworth wallet card
  EXPECT_FALSE(UsSsnValid("12345678"));
}

TEST(ValidatorsTest, SpanishDniAndNieCheckLetters) {
  EXPECT_TRUE(SpanishIdValid("48213576X"));
  EXPECT_TRUE(SpanishIdValid("12345678Z"));
  EXPECT_FALSE(SpanishIdValid("12345678A"));
  EXPECT_FALSE(SpanishIdValid("00000000T"));
  EXPECT_TRUE(SpanishIdValid("X1234567L"));
  EXPECT_TRUE(SpanishIdValid("Y7654321G"));
  EXPECT_TRUE(SpanishIdValid("Z2468013A"));
  EXPECT_FALSE(SpanishIdValid("X1234567M"));
  EXPECT_FALSE(SpanishIdValid("12345678z"));
}

TEST(ValidatorsTest, FrenchNirKey) {
  EXPECT_TRUE(FrenchNirValid("285057800608441"));
  EXPECT_TRUE(FrenchNirValid("193047512345653"));
  EXPECT_TRUE(FrenchNirValid("285052A00608482"));  // Corsica
  EXPECT_FALSE(FrenchNirValid("285057800608442"));
  EXPECT_FALSE(FrenchNirValid("385057800608441"));  // sex digit
  EXPECT_FALSE(FrenchNirValid("285157800608441"));  // month 15
}

TEST(ValidatorsTest, ChineseResidentIdChecksum) {
  EXPECT_TRUE(ChineseResidentIdValid("11010519491231002X"));
  EXPECT_TRUE(ChineseResidentIdValid("440304198802141236"));
  EXPECT_TRUE(ChineseResidentIdValid("11010519491231002x"));
  EXPECT_FALSE(ChineseResidentIdValid("440304198802141237"));
  EXPECT_FALSE(ChineseResidentIdValid("440304198802301236"));  // Feb 30
  EXPECT_FALSE(ChineseResidentIdValid("940304198802141236"));  // region
}

TEST(ValidatorsTest, GermanTaxId) {
  EXPECT_TRUE(GermanTaxIdValid("86095742719"));
  EXPECT_FALSE(GermanTaxIdValid("86095742718"));  // check digit
  EXPECT_FALSE(GermanTaxIdValid("47152098365"));  // no repeated digit
  EXPECT_FALSE(GermanTaxIdValid("06095742719"));  // leading zero
}

TEST(ValidatorsTest, JapaneseMyNumber) {
  EXPECT_TRUE(JapaneseMyNumberValid("123456789018"));
  EXPECT_TRUE(JapaneseMyNumberValid("876543210989"));
  EXPECT_FALSE(JapaneseMyNumberValid("123456789012"));
  EXPECT_FALSE(JapaneseMyNumberValid("12345678901"));
}

TEST(ValidatorsTest, UkNinoPrefixesAndSuffix) {
  EXPECT_TRUE(UkNinoValid("AB123456C"));
  EXPECT_TRUE(UkNinoValid("JG103759A"));
  EXPECT_FALSE(UkNinoValid("QQ123456C"));  // Q is never a first letter
  EXPECT_FALSE(UkNinoValid("AO123456C"));  // O is never a second letter
  EXPECT_FALSE(UkNinoValid("GB123456C"));  // banned prefix
  EXPECT_FALSE(UkNinoValid("AB123456E"));  // suffix A-D
}

TEST(ValidatorsTest, RealSecretsAndPlaceholders) {
  EXPECT_TRUE(LooksLikeRealSecret("Xk9pQ2mZr7LwT4vB8nCj5HdF"));
  EXPECT_TRUE(LooksLikeRealSecret("9f3c2a7b1e8d4f60a5c3b2e1d7f8a9c0"));
  EXPECT_FALSE(LooksLikeRealSecret("XXXXXXXXXXXXXXXXXXXXXXXX"));
  EXPECT_FALSE(LooksLikeRealSecret("your-api-key-goes-here-123"));
  EXPECT_FALSE(LooksLikeRealSecret("abcdefghijklmnopqrstuvwxyz"));  // one class
  EXPECT_FALSE(LooksLikeRealSecret("AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(LooksLikeRealSecret("sk1234567890abcdef"));
}

TEST(ValidatorsTest, PlaceholderValues) {
  for (const char* value :
       {"", "****", "xxx", "...", "<password>", "${DB_PASSWORD}",
        "$DB_PASSWORD", "{{ db_password }}", "%s", "your_password_here",
        "YourPasswordHere", "null", "string", "[REDACTED]", "•••", "password",
        "nullptr", "no"}) {
    EXPECT_TRUE(IsPlaceholderValue(value)) << value;
  }
  for (const char* value : {"hunter2", "changeme", "S3cure!pass", "pass"}) {
    EXPECT_FALSE(IsPlaceholderValue(value)) << value;
  }
}

}  // namespace
}  // namespace duet::sensitive
