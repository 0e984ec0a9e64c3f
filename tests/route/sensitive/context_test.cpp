// Findings that depend on context: medical terms near a named person, and
// confidentiality markings that are applied rather than asked about.
#include <gtest/gtest.h>

#include "route/sensitive/scan_test_util.h"

namespace duet::testing {
namespace {

using Findings = std::vector<std::string>;

TEST(MedicalRecordTest, MedicalTermsNearAPerson) {
  EXPECT_EQ(Describe("Jana Novak was diagnosed with type 2 diabetes."),
            (Findings{"medical_record=Jana Novak was diagnosed"}));
  EXPECT_EQ(Kinds("Patient: Tomas Berg. Prescribed metformin 500 mg twice "
                  "daily."),
            (Findings{"medical_record"}));
  EXPECT_EQ(Kinds("Mrs. Alvarez, eGFR 38, HbA1c 7.9%"),
            (Findings{"medical_record"}));
  EXPECT_EQ(Kinds("Herr Schmidt: Diagnose Depression, Sertralin 50 mg"),
            (Findings{"medical_record"}));
  EXPECT_EQ(Kinds("Sra. Pérez — diagnóstico: hipertensión"),
            (Findings{"medical_record"}));
  EXPECT_EQ(Kinds("Señor Gómez recibe quimioterapia."),
            (Findings{"medical_record"}));
  EXPECT_EQ(Kinds("Mme Laurent suit une chimiothérapie depuis mars."),
            (Findings{"medical_record"}));
  EXPECT_EQ(Kinds("患者王伟，诊断为糖尿病。"), (Findings{"medical_record"}));
  EXPECT_EQ(Kinds("田中さんは高血圧と診断された。"),
            (Findings{"medical_record"}));
  EXPECT_EQ(Describe("MRN: 00482913"),
            (Findings{"medical_record_number=00482913"}));
}

TEST(MedicalRecordTest, GenericMedicalQuestionsAreNot) {
  for (const char* text :
       {"is metformin safe with low eGFR?",
        "What is a normal HbA1c for type 2 diabetes?",
        "Explain how chemotherapy works.",
        "The Great Depression started in 1929.",
        "Run the network diagnostics and collect the logs.",
        "Take 2 mg of melatonin before bed?", "How does HIV spread?",
        "mrn is a field name",
        "Alexandre Oliva responded: no diagnostic is required here.",
        "#pragma GCC diagnostic push"}) {
    EXPECT_EQ(Kinds(text), Findings{}) << text;
  }
}

TEST(ConfidentialMarkingTest, Markings) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"PRIVILEGED & CONFIDENTIAL\nMemo to the board", "marking:privileged"},
      {"This email is attorney-client privileged.", "marking:privileged"},
      {"Confidential — do not distribute.", "marking:confidential"},
      {"Draft, internal only.", "marking:internal"},
      {"Company Confidential: Q3 roadmap", "marking:confidential"},
      {"These figures are under NDA.", "marking:nda"},
      {"NDA-protected material follows.", "marking:nda"},
      {"Proprietary and Confidential", "marking:proprietary"},
      {"The recipe is a trade secret.", "marking:trade_secret"},
      {"STRENG VERTRAULICH", "marking:confidential"},
      {"Bitte vertraulich behandeln.", "marking:confidential"},
      {"Nur für den internen Gebrauch.", "marking:internal"},
      {"Documento confidencial.", "marking:confidential"},
      {"Solo para uso interno.", "marking:internal"},
      {"Document confidentiel, diffusion restreinte.", "marking:confidential"},
      {"本文件为公司机密。", "marking:confidential"},
      {"以下内容请保密。", "marking:confidential"},
      {"内部资料，请勿外传", "marking:internal"},
      {"【社外秘】新製品の計画", "marking:internal"},
      {"機密情報を含みます。", "marking:confidential"},
      {"極秘", "marking:confidential"},
      {"CONFIDENTIAL", "marking:confidential"},
      {"## Confidential\nQ3 numbers", "marking:confidential"},
  };
  for (const auto& [text, rule] : cases) {
    const std::vector<SensitiveFinding> findings = FindAll(text);
    ASSERT_FALSE(findings.empty()) << text;
    EXPECT_EQ(findings[0].rule, rule) << text;
    EXPECT_EQ(findings[0].kind, SensitiveKind::kConfidentialMarking);
  }
}

TEST(ConfidentialMarkingTest, QuestionsAndMentionsAreNot) {
  for (const char* text :
       {"how do I keep my diary confidential?", "what is an NDA?",
        "explain attorney-client privilege",
        "What does 'internal only' mean on a document?",
        "Is a trade secret better than a patent?",
        "Was bedeutet streng vertraulich?", "¿Qué significa uso interno?",
        "保密协议是什么？", "<div class=\"internal-only\">",
        "Keep this Confidential between us", "confidential computing",
        "  // For internal use only\n  kSslPeerClosed,",
        "  class __shim; // For internal use only.\n",
        "Special file types for internal use (not MIME types)",
        "The internal only flag is deprecated.",
        "Explain the difference between confidential and secret."}) {
    EXPECT_EQ(Kinds(text), Findings{}) << text;
  }
}

// Found missing when the scanner first ran over the routing corpus
// (data/routing/corpus: es-0112, es-0137, fr-0194, zh-0077).
TEST(CorpusRegressionTest, RecordsMarkingsPasswordsAndDatesFromRealPrompts) {
  EXPECT_EQ(Kinds("Paciente: Rosa María Ibáñez Soler, 74 años, NHC 2231876. Ingresa por "
                  "insuficiencia cardíaca descompensada."),
            Findings{"medical_record"});
  EXPECT_EQ(Kinds("Documentación bajo NDA con el cliente. Cruza estos tres informes."),
            Findings{"confidential_marking"});
  EXPECT_EQ(Kinds("« Le login admin du NAS reste admin / mot de passe : Brioche_84!Lagny. »"),
            Findings{"password"});
  EXPECT_EQ(Kinds("张海燕，出生日期 1985 年 6 月 11 日，2012 年加入公司"),
            Findings{"date_of_birth"});
  // And code that looked like a password (en-0062, ja-0036).
  EXPECT_EQ(Kinds("$res = mysqli_query($conn, \"SELECT * FROM users WHERE name='$user' AND "
                  "pass='$pass'\");"),
            Findings{});
  EXPECT_EQ(Kinds("$sql = \"SELECT * FROM users WHERE password = '\" . md5($_POST['password']) "
                  ". \"'\";"),
            Findings{});
}

}  // namespace
}  // namespace duet::testing
