// Numbers with a shape and a check: payment cards, IBANs, national ids,
// phone numbers. Every number here is synthetic, computed to pass (or
// fail) its check.
#include <gtest/gtest.h>

#include "route/sensitive/scan_test_util.h"

namespace duet::testing {
namespace {

using Findings = std::vector<std::string>;

TEST(PaymentCardTest, ValidCardsInCommonLayouts) {
  EXPECT_EQ(Describe("card: 4532015112830366"),
            (Findings{"luhn_card=4532015112830366"}));
  EXPECT_EQ(Describe("Visa 4532 0151 1283 0366 exp 04/27"),
            (Findings{"luhn_card=4532 0151 1283 0366"}));
  EXPECT_EQ(Describe("MC 5182-7364-9105-8275."),
            (Findings{"luhn_card=5182-7364-9105-8275"}));
  EXPECT_EQ(Describe("amex 3792 846153 04725"),
            (Findings{"luhn_card=3792 846153 04725"}));
  EXPECT_EQ(Describe("{\"pan\":\"6011872635491828\"}"),
            (Findings{"luhn_card=6011872635491828"}));
  EXPECT_EQ(Kinds("JCB 3582138465091278, UnionPay 6217384950618276"),
            (Findings{"payment_card", "payment_card"}));
  EXPECT_EQ(Kinds("2720 1483 9265 0174"), (Findings{"payment_card"}));
}

TEST(PaymentCardTest, NotCards) {
  EXPECT_TRUE(FindAll("4532015112830367").empty());  // fails Luhn
  EXPECT_TRUE(FindAll("9182736491058275").empty());  // no issuer prefix
  EXPECT_TRUE(FindAll("ts=1700000000000000 took 12ms").empty());
  EXPECT_TRUE(FindAll("4532 0151 12 830366").empty());  // odd grouping
  EXPECT_TRUE(FindAll("pi = 3.4532015112830366").empty());
  EXPECT_TRUE(FindAll("id_4532015112830366x").empty());
}

TEST(PaymentCardTest, PublishedTestCardsAreNeverSensitive) {
  for (const char* text :
       {"Use 4242 4242 4242 4242 with any CVC", "4000 0566 5566 5556",
        "5555555555554444", "4111-1111-1111-1111", "amex 378282246310005",
        "6011 1111 1111 1117"}) {
    EXPECT_TRUE(FindAll(text).empty()) << text;
  }
}

TEST(IbanTest, ValidIbansCompactAndGrouped) {
  EXPECT_EQ(Describe("IBAN: DE50 5260 1815 9083 0166 13, BIC ..."),
            (Findings{"iban=DE50 5260 1815 9083 0166 13"}));
  EXPECT_EQ(Describe("pay to GB07OLJH23194875749118."),
            (Findings{"iban=GB07OLJH23194875749118"}));
  for (const char* iban :
       {"FR55 1860 9139 09P3 E2Z8 IQ9Y 794", "ES20 8219 9351 8190 9378 6579",
        "IT18N2527601895LMVT45HU43JS", "NL57 JWMV 5075 2917 03",
        "BE58 4236 6712 7684", "CH76 2684 6MOE 95B9 EE0V B",
        "AT54 4402 6859 9528 9078", "PL49666617603137215901092815",
        "SE62 9013 9624 5957 1177 7741", "IE11 EDXK 4728 0385 2808 41",
        "PT51 4852 5388 8539 3363 3875 0"}) {
    EXPECT_EQ(Kinds(iban), (Findings{"iban"})) << iban;
  }
}

TEST(IbanTest, NotIbans) {
  EXPECT_TRUE(FindAll("DE51 5260 1815 9083 0166 13").empty());  // mod 97
  EXPECT_TRUE(FindAll("DE50 5260 1815 9083 0166").empty());     // short
  EXPECT_TRUE(FindAll("DE89 3704 0044 0532 0130 00").empty());  // example
  EXPECT_TRUE(FindAll("GB82 WEST 1234 5698 7654 32").empty());  // example
  EXPECT_TRUE(FindAll("US12 3456 7890 1234 5678 90").empty());
}

TEST(NationalIdTest, UsSsn) {
  EXPECT_EQ(Describe("SSN: 123-45-6789"), (Findings{"us_ssn=123-45-6789"}));
  EXPECT_EQ(Describe("her number is 536-21-7788."),
            (Findings{"us_ssn=536-21-7788"}));
  EXPECT_EQ(Describe("SSN 536217788"), (Findings{"us_ssn=536217788"}));
  EXPECT_EQ(Describe("social security number: 536 21 7788"),
            (Findings{"us_ssn=536 21 7788"}));
  EXPECT_TRUE(FindAll("id 536217788").empty());  // bare nine digits
  EXPECT_TRUE(FindAll("666-12-3456 000-12-3456 912-34-5678").empty());
  EXPECT_TRUE(FindAll("123-00-6789 123-45-0000").empty());
  EXPECT_TRUE(FindAll("call 555-123-4567").empty());  // not 3-2-4
  EXPECT_TRUE(FindAll("2023-45-6789-1").empty());
}

TEST(NationalIdTest, SpanishDniAndNie) {
  EXPECT_EQ(Describe("DNI 48213576X"), (Findings{"es_dni=48213576X"}));
  EXPECT_EQ(Describe("dni: 12345678-Z"), (Findings{"es_dni=12345678-Z"}));
  EXPECT_EQ(Describe("NIE X1234567L"), (Findings{"es_nie=X1234567L"}));
  EXPECT_EQ(Describe("NIE Y-7654321-G."), (Findings{"es_nie=Y-7654321-G"}));
  EXPECT_TRUE(FindAll("12345678A").empty());  // wrong letter
  EXPECT_TRUE(FindAll("X1234567M").empty());
  EXPECT_TRUE(FindAll("build 12345678Z9").empty());
}

TEST(NationalIdTest, FrenchNir) {
  EXPECT_EQ(Describe("NIR 2 85 05 78 006 084 41"),
            (Findings{"fr_nir=2 85 05 78 006 084 41"}));
  EXPECT_EQ(Describe("sécu: 193047512345653"),
            (Findings{"fr_nir=193047512345653"}));
  EXPECT_EQ(Describe("2 85 05 2A 006 084 82"),
            (Findings{"fr_nir=2 85 05 2A 006 084 82"}));
  EXPECT_TRUE(FindAll("285057800608442").empty());  // key
  EXPECT_TRUE(FindAll("2 8 5 0 5 7 8 0 0 6 0 8 4 4 1").empty());
}

TEST(NationalIdTest, ChineseResidentId) {
  EXPECT_EQ(Describe("身份证号：11010519491231002X"),
            (Findings{"cn_resident_id=11010519491231002X"}));
  EXPECT_EQ(Describe("id 440304198802141236 ok"),
            (Findings{"cn_resident_id=440304198802141236"}));
  EXPECT_TRUE(FindAll("440304198802141237").empty());
}

TEST(NationalIdTest, UkNino) {
  EXPECT_EQ(Describe("NI number AB123456C"), (Findings{"uk_nino=AB123456C"}));
  EXPECT_EQ(Describe("NINO: JG 10 37 59 A"),
            (Findings{"uk_nino=JG 10 37 59 A"}));
  EXPECT_TRUE(FindAll("QQ123456C GB123456A AB123456E").empty());
  EXPECT_TRUE(FindAll("model AB1234").empty());
}

TEST(NationalIdTest, SteuerIdAndMyNumberNeedACue) {
  EXPECT_EQ(Describe("Steuer-ID: 86 095 742 719"),
            (Findings{"de_steuer_id=86 095 742 719"}));
  EXPECT_EQ(Describe("Steueridentifikationsnummer 86095742719"),
            (Findings{"de_steuer_id=86095742719"}));
  EXPECT_TRUE(FindAll("order 86095742719").empty());
  EXPECT_TRUE(FindAll("Steuer-ID: 86095742718").empty());
  EXPECT_EQ(Describe("マイナンバー：1234 5678 9018"),
            (Findings{"jp_my_number=1234 5678 9018"}));
  EXPECT_EQ(Describe("個人番号 876543210989"),
            (Findings{"jp_my_number=876543210989"}));
  EXPECT_TRUE(FindAll("invoice 123456789018").empty());
  EXPECT_TRUE(FindAll("マイナンバー 123456789012").empty());
}

TEST(PhoneTest, InternationalFormats) {
  for (const char* phone :
       {"+1 (415) 555-0132", "+44 20 7946 0958", "+49 30 1234567",
        "+33 1 23 45 67 89", "+86 138 0013 8000", "+81 90-1234-5678",
        "+44 (0)20 7946 0958", "+14155550132"}) {
    const std::string text = std::string("call me at ") + phone + ".";
    EXPECT_EQ(Describe(text), (Findings{std::string("phone=") + phone}))
        << text;
  }
}

TEST(PhoneTest, NationalFormatsAfterACueWord) {
  EXPECT_EQ(Describe("Phone: (415) 555-0132"),
            (Findings{"phone=(415) 555-0132"}));
  EXPECT_EQ(Describe("Tel. 030 1234567"), (Findings{"phone=030 1234567"}));
  EXPECT_EQ(Describe("Telefon: 030/1234567"), (Findings{"phone=030/1234567"}));
  EXPECT_EQ(Describe("téléphone : 01 23 45 67 89"),
            (Findings{"phone=01 23 45 67 89"}));
  EXPECT_EQ(Describe("móvil 612 345 678"), (Findings{"phone=612 345 678"}));
  EXPECT_EQ(Describe("Handy 0171 2345678"), (Findings{"phone=0171 2345678"}));
  EXPECT_EQ(Describe("電話：03-1234-5678"), (Findings{"phone=03-1234-5678"}));
  EXPECT_EQ(Describe("手机 13800138000"), (Findings{"phone=13800138000"}));
  EXPECT_EQ(Describe("mobile number: 0412 345 678"),
            (Findings{"phone=0412 345 678"}));
}

TEST(PhoneTest, NumbersThatAreNotPhones) {
  for (const char* text :
       {"version 4.15.5550132", "released 2024-03-15T10:30:00+01:00",
        "order #4155550132 shipped", "server 192.168.100.200 port 8080",
        "x = 3 + 4155550132", "v1.2.3+20240315", "int n = 4155550132;",
        "phone home 2 times", "tel 2024-03-15", "Tel: 192.168.1.10",
        "timezone +05:30", "1e+10"}) {
    EXPECT_EQ(Kinds(text), Findings{}) << text;
  }
}

}  // namespace
}  // namespace duet::testing
