// Personal data without a checksum: emails, dates of birth, street
// addresses — and the look-alikes that must not fire.
#include <gtest/gtest.h>

#include "route/sensitive/scan_test_util.h"

namespace duet::testing {
namespace {

using Findings = std::vector<std::string>;

TEST(EmailTest, PeoplesAddresses) {
  EXPECT_EQ(Describe("write to jana.novak@gmail.com today"),
            (Findings{"email=jana.novak@gmail.com"}));
  EXPECT_EQ(Describe("<j.smith@acme-corp.de>"),
            (Findings{"email=j.smith@acme-corp.de"}));
  EXPECT_EQ(Describe("Author: Li Wei <li.wei+dev@mail.example-univ.edu.cn>"),
            (Findings{"email=li.wei+dev@mail.example-univ.edu.cn"}));
  EXPECT_EQ(Describe("mailto:ops-lead@northwind.io."),
            (Findings{"email=ops-lead@northwind.io"}));
  EXPECT_EQ(Describe("联系：wang_fang@qq.com。"),
            (Findings{"email=wang_fang@qq.com"}));
}

TEST(EmailTest, PlaceholdersAndLookAlikes) {
  for (const char* text : {"user@example.com",
                           "admin@example.org",
                           "a@b.example.net",
                           "jana@example.de",
                           "someone@test.com",
                           "root@localhost",
                           "foo@bar.com",
                           "noreply@github.com",
                           "no-reply@accounts.google.com",
                           "you@yourdomain.com",
                           "name@company.com",
                           "first.last@domain.com",
                           "git@github.com:duet/duet.git",
                           "ssh://git@gitlab.com/x.git",
                           "npm i @types/node",
                           "@Override",
                           "logo@2x.png",
                           "pkg@1.2.3",
                           "root@server:~$ ls",
                           "12345+jana@users.noreply.github.com",
                           "systemctl start pg_dump@15-main.service"}) {
    EXPECT_EQ(Kinds(text), Findings{}) << text;
  }
}

TEST(DateOfBirthTest, DatesAfterABirthCue) {
  EXPECT_EQ(Describe("DOB 03/11/1961"), (Findings{"date_of_birth=03/11/1961"}));
  EXPECT_EQ(Describe("She was born on 4 March 1988 in Brno."),
            (Findings{"date_of_birth=4 March 1988"}));
  EXPECT_EQ(Describe("date of birth: 1990-02-14"),
            (Findings{"date_of_birth=1990-02-14"}));
  EXPECT_EQ(Describe("born March 4, 1988"),
            (Findings{"date_of_birth=March 4, 1988"}));
  EXPECT_EQ(Describe("Geburtsdatum: 14.02.1990"),
            (Findings{"date_of_birth=14.02.1990"}));
  EXPECT_EQ(Describe("geboren am 4. März 1988"),
            (Findings{"date_of_birth=4. März 1988"}));
  EXPECT_EQ(Describe("fecha de nacimiento: 14 de febrero de 1990"),
            (Findings{"date_of_birth=14 de febrero de 1990"}));
  EXPECT_EQ(Describe("date de naissance : 14 février 1990"),
            (Findings{"date_of_birth=14 février 1990"}));
  EXPECT_EQ(Describe("生年月日：1990年2月14日"),
            (Findings{"date_of_birth=1990年2月14日"}));
  EXPECT_EQ(Describe("出生日期：1990-02-14"),
            (Findings{"date_of_birth=1990-02-14"}));
  EXPECT_EQ(Describe("D.O.B.: 11/03/61"), (Findings{"date_of_birth=11/03/61"}));
}

TEST(DateOfBirthTest, DatesWithoutACueAreNotSensitive) {
  for (const char* text :
       {"released on 03/11/1961", "meeting 1990-02-14 at 10:00", "born in 1988",
        "the date 4 March 1988 was a Friday", "date of birth field is optional",
        "DOB: 45/45/1990", "first-born children",
        "generated 2024-03-15T10:30:00Z"}) {
    EXPECT_EQ(Kinds(text), Findings{}) << text;
  }
}

TEST(StreetAddressTest, AddressesInFiveLanguages) {
  EXPECT_EQ(Describe("Sherlock lived at 221B Baker Street, London."),
            (Findings{"street_address=221B Baker Street"}));
  EXPECT_EQ(Describe("1600 Pennsylvania Avenue NW, Washington"),
            (Findings{"street_address=1600 Pennsylvania Avenue NW"}));
  EXPECT_EQ(Describe("ship to 42 Elm Rd. please"),
            (Findings{"street_address=42 Elm Rd."}));
  EXPECT_EQ(Describe("Calle Mayor 12, 28013 Madrid"),
            (Findings{"street_address=Calle Mayor 12"}));
  EXPECT_EQ(Describe("Paseo de la Castellana 259"),
            (Findings{"street_address=Paseo de la Castellana 259"}));
  EXPECT_EQ(Describe("Hauptstraße 5, 10115 Berlin"),
            (Findings{"street_address=Hauptstraße 5"}));
  EXPECT_EQ(Describe("wohnt in der Berliner Straße 12a."),
            (Findings{"street_address=Berliner Straße 12a"}));
  EXPECT_EQ(Describe("Lindenweg 3, 10115 Berlin"),
            (Findings{"street_address=Lindenweg 3"}));
  EXPECT_EQ(Describe("12 rue de Rivoli, 75001 Paris"),
            (Findings{"street_address=12 rue de Rivoli"}));
  EXPECT_EQ(Describe("地址：北京市朝阳区建国路88号"),
            (Findings{"street_address=北京市朝阳区建国路88号"}));
  EXPECT_EQ(Describe("東京都千代田区丸の内1-9-1"),
            (Findings{"street_address=東京都千代田区丸の内1-9-1"}));
  EXPECT_EQ(Describe("大阪府大阪市北区梅田3丁目"),
            (Findings{"street_address=大阪府大阪市北区梅田3丁目"}));
}

TEST(StreetAddressTest, StreetWordsWithoutAnAddress) {
  for (const char* text :
       {"Street Fighter 2 is a game", "we met on main street",
        "street_number = 5", "Top 10 street foods", "chapter 3 Road Map",
        "the 9 Supreme Court justices", "Der Weg 2 ist lang", "地铁10号线",
        "第3号", "we walked 5 blocks down Oak", "Weg 2", "in 2 Places",
        "Meet me at Alexanderplatz 3 pm."}) {
    EXPECT_EQ(Kinds(text), Findings{}) << text;
  }
}

}  // namespace
}  // namespace duet::testing
