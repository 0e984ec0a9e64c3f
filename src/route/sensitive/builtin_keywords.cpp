#include "route/sensitive/builtin_keywords.h"

#include <string>
#include <vector>

namespace duet::sensitive {
namespace {

constexpr BuiltinKeyword Prefix(std::string_view text, std::string_view rule) {
  return {text, Cue::kCredentialPrefix, rule, /*case_sensitive=*/true,
          /*whole_word=*/false};
}
constexpr BuiltinKeyword Word(std::string_view text, Cue cue) {
  return {text, cue};
}
// Matches words that begin with `text` ("diagnos" in "diagnosed").
constexpr BuiltinKeyword Stem(std::string_view text, Cue cue) {
  return {text, cue, {}, false, /*whole_word=*/false};
}
constexpr BuiltinKeyword Marking(std::string_view text, std::string_view rule) {
  return {text, Cue::kMarking, rule};
}

constexpr BuiltinKeyword kKeywords[] = {
    // Provider token prefixes; each detector checks the shape after it.
    Prefix("ghp_", "github_token"),
    Prefix("gho_", "github_token"),
    Prefix("ghu_", "github_token"),
    Prefix("ghs_", "github_token"),
    Prefix("ghr_", "github_token"),
    Prefix("github_pat_", "github_token"),
    Prefix("glpat-", "gitlab_token"),
    Prefix("xoxb-", "slack_token"),
    Prefix("xoxp-", "slack_token"),
    Prefix("xoxa-", "slack_token"),
    Prefix("xoxr-", "slack_token"),
    Prefix("xoxs-", "slack_token"),
    Prefix("xoxe-", "slack_token"),
    Prefix("xapp-", "slack_token"),
    Prefix("sk_live_", "stripe_secret_key"),
    Prefix("rk_live_", "stripe_secret_key"),
    Prefix("sk-", "openai_api_key"),  // or anthropic_api_key: sk-ant-
    Prefix("AIza", "google_api_key"),
    Prefix("eyJ", "jwt"),
    Prefix("npm_", "npm_token"),
    Prefix("SG.", "sendgrid_api_key"),
    Prefix("hf_", "huggingface_token"),

    Stem("aws_secret_access_key", Cue::kAwsSecretKey),
    Stem("aws_secret_key", Cue::kAwsSecretKey),
    Stem("secretaccesskey", Cue::kAwsSecretKey),
    Word("bearer", Cue::kBearer),

    // Keys whose value is a password or a secret.
    Stem("password", Cue::kPasswordKey),
    Stem("passwd", Cue::kPasswordKey),
    Stem("passphrase", Cue::kPasswordKey),
    Word("pgpassword", Cue::kPasswordKey),
    Word("pass", Cue::kPasswordKey),
    Word("pwd", Cue::kPasswordKey),
    Stem("passwort", Cue::kPasswordKey),
    Stem("kennwort", Cue::kPasswordKey),
    Word("contraseña", Cue::kPasswordKey),
    Word("mot de passe", Cue::kPasswordKey),
    Word("密码", Cue::kPasswordKey),
    Word("パスワード", Cue::kPasswordKey),
    Word("secret", Cue::kSecretKey),
    Word("client_secret", Cue::kSecretKey),
    Stem("api-key", Cue::kSecretKey),  // also "api_key", "api key"
    Stem("api_key", Cue::kSecretKey),
    Stem("apikey", Cue::kSecretKey),
    Word("access_token", Cue::kSecretKey),
    Word("auth_token", Cue::kSecretKey),
    Word("access_key", Cue::kSecretKey),
    Word("token", Cue::kSecretKey),

    // Cue words before a phone number.
    Word("phone", Cue::kPhone),
    Word("telephone", Cue::kPhone),
    Word("tel", Cue::kPhone),
    Word("tél", Cue::kPhone),
    Word("mobile", Cue::kPhone),
    Word("cell", Cue::kPhone),
    Word("cellphone", Cue::kPhone),
    Word("fax", Cue::kPhone),
    Word("telefon", Cue::kPhone),
    Word("telefonnummer", Cue::kPhone),
    Word("handy", Cue::kPhone),
    Word("mobil", Cue::kPhone),
    Word("téléphone", Cue::kPhone),
    Word("portable", Cue::kPhone),
    Word("teléfono", Cue::kPhone),
    Word("móvil", Cue::kPhone),
    Word("celular", Cue::kPhone),
    Word("電話", Cue::kPhone),
    Word("电话", Cue::kPhone),
    Word("手机", Cue::kPhone),
    Word("携帯", Cue::kPhone),

    // Cue words before national ids that carry no strong shape of their own.
    Word("ssn", Cue::kSsn),
    Word("social security", Cue::kSsn),
    Word("steuer-id", Cue::kSteuerId),
    Word("steuer-idnr", Cue::kSteuerId),
    Word("idnr", Cue::kSteuerId),
    Word("steueridentifikationsnummer", Cue::kSteuerId),
    Word("identifikationsnummer", Cue::kSteuerId),
    Word("tax id", Cue::kSteuerId),
    Word("マイナンバー", Cue::kMyNumber),
    Word("個人番号", Cue::kMyNumber),
    Word("my number", Cue::kMyNumber),

    // Cue words before a birth date.
    Word("dob", Cue::kDateOfBirth),
    Word("d.o.b.", Cue::kDateOfBirth),
    Word("date of birth", Cue::kDateOfBirth),
    Word("birth date", Cue::kDateOfBirth),
    Word("birthdate", Cue::kDateOfBirth),
    Word("born", Cue::kDateOfBirth),
    Word("geburtsdatum", Cue::kDateOfBirth),
    Word("geboren", Cue::kDateOfBirth),
    Word("geb.", Cue::kDateOfBirth),
    Word("fecha de nacimiento", Cue::kDateOfBirth),
    Word("nacido", Cue::kDateOfBirth),
    Word("nacida", Cue::kDateOfBirth),
    Word("date de naissance", Cue::kDateOfBirth),
    Word("né", Cue::kDateOfBirth),
    Word("née", Cue::kDateOfBirth),
    Word("生年月日", Cue::kDateOfBirth),
    Word("出生日期", Cue::kDateOfBirth),
    Word("出生年月日", Cue::kDateOfBirth),
    Word("生日", Cue::kDateOfBirth),

    Word("mrn", Cue::kMedicalRecordNumber),
    Word("medical record number", Cue::kMedicalRecordNumber),
    Word("nhc", Cue::kMedicalRecordNumber),
    Word("número de historia clínica", Cue::kMedicalRecordNumber),

    // Street words that come before the name and number (Calle Mayor 12).
    Word("calle", Cue::kStreetLead),
    Word("avenida", Cue::kStreetLead),
    Word("avda.", Cue::kStreetLead),
    Word("plaza", Cue::kStreetLead),
    Word("paseo", Cue::kStreetLead),
    Word("carrer", Cue::kStreetLead),
    Word("camino", Cue::kStreetLead),

    // Medical terms: sensitive only near a person.
    // Not "diagnostic(s)": compilers and tools emit those all day.
    Word("diagnosis", Cue::kMedicalTerm),
    Word("diagnoses", Cue::kMedicalTerm),
    Word("diagnosed", Cue::kMedicalTerm),
    Word("diagnose", Cue::kMedicalTerm),
    Stem("diagnostiqu", Cue::kMedicalTerm),
    Stem("diagnóstic", Cue::kMedicalTerm),
    Word("prescribed", Cue::kMedicalTerm),
    Stem("prescription", Cue::kMedicalTerm),
    Word("verschrieben", Cue::kMedicalTerm),
    Word("recetado", Cue::kMedicalTerm),
    Word("prescrit", Cue::kMedicalTerm),
    Word("dosage", Cue::kMedicalTerm),
    Word("egfr", Cue::kMedicalTerm),
    Word("hba1c", Cue::kMedicalTerm),
    Word("blood pressure", Cue::kMedicalTerm),
    Word("blutdruck", Cue::kMedicalTerm),
    Stem("chemotherap", Cue::kMedicalTerm),
    Word("chemo", Cue::kMedicalTerm),
    Stem("chimioth", Cue::kMedicalTerm),
    Word("quimioterapia", Cue::kMedicalTerm),
    Stem("radiotherap", Cue::kMedicalTerm),
    Word("hiv", Cue::kMedicalTerm),
    Word("depression", Cue::kMedicalTerm),
    Word("dépression", Cue::kMedicalTerm),
    Word("depresión", Cue::kMedicalTerm),
    Word("anxiety disorder", Cue::kMedicalTerm),
    Word("bipolar", Cue::kMedicalTerm),
    Stem("schizophren", Cue::kMedicalTerm),
    Word("diabetes", Cue::kMedicalTerm),
    Word("diabète", Cue::kMedicalTerm),
    Stem("cancer", Cue::kMedicalTerm),
    Stem("carcinom", Cue::kMedicalTerm),
    Stem("tumor", Cue::kMedicalTerm),
    Stem("tumour", Cue::kMedicalTerm),
    Stem("metasta", Cue::kMedicalTerm),
    Word("hypertension", Cue::kMedicalTerm),
    Word("insulin", Cue::kMedicalTerm),
    Word("metformin", Cue::kMedicalTerm),
    Word("lisinopril", Cue::kMedicalTerm),
    Word("sertraline", Cue::kMedicalTerm),
    Word("warfarin", Cue::kMedicalTerm),
    Stem("antidepress", Cue::kMedicalTerm),
    Word("icd-10", Cue::kMedicalTerm),
    Word("historia clínica", Cue::kMedicalTerm),
    Word("insuficiencia", Cue::kMedicalTerm),
    Word("anticoagulada", Cue::kMedicalTerm),
    Word("anticoagulado", Cue::kMedicalTerm),
    Word("dossier médical", Cue::kMedicalTerm),
    Word("krankenakte", Cue::kMedicalTerm),
    Word("medical history", Cue::kMedicalTerm),
    Word("诊断", Cue::kMedicalTerm),
    Word("診断", Cue::kMedicalTerm),
    Word("确诊", Cue::kMedicalTerm),
    Word("处方", Cue::kMedicalTerm),
    Word("処方", Cue::kMedicalTerm),
    Word("化疗", Cue::kMedicalTerm),
    Word("糖尿病", Cue::kMedicalTerm),
    Word("高血压", Cue::kMedicalTerm),
    Word("高血圧", Cue::kMedicalTerm),
    Word("抑郁症", Cue::kMedicalTerm),
    Word("うつ病", Cue::kMedicalTerm),
    Word("癌症", Cue::kMedicalTerm),
    Word("病历", Cue::kMedicalTerm),
    Word("mg", Cue::kDose),
    Word("mcg", Cue::kDose),

    // Confidentiality markings.
    Marking("privileged & confidential", "marking:privileged"),
    Marking("privileged and confidential", "marking:privileged"),
    Marking("attorney-client privileged", "marking:privileged"),
    Marking("attorney-client communication", "marking:privileged"),
    Marking("attorney work product", "marking:privileged"),
    Marking("legally privileged", "marking:privileged"),
    Marking("do not distribute", "marking:do_not_distribute"),
    Marking("do not forward", "marking:do_not_distribute"),
    Marking("not for distribution", "marking:do_not_distribute"),
    Marking("not for external distribution", "marking:do_not_distribute"),
    Marking("internal-only", "marking:internal"),
    Marking("internal use only", "marking:internal"),
    Marking("company confidential", "marking:confidential"),
    Marking("strictly confidential", "marking:confidential"),
    Marking("highly confidential", "marking:confidential"),
    Marking("contains confidential", "marking:confidential"),
    Marking("proprietary and confidential", "marking:proprietary"),
    Marking("proprietary & confidential", "marking:proprietary"),
    Marking("confidential and proprietary", "marking:proprietary"),
    Marking("confidential & proprietary", "marking:proprietary"),
    Marking("under nda", "marking:nda"),
    Marking("under an nda", "marking:nda"),
    Marking("under a non-disclosure agreement", "marking:nda"),
    Marking("nda-protected", "marking:nda"),
    Marking("covered by nda", "marking:nda"),
    Marking("covered by an nda", "marking:nda"),
    Marking("subject to nda", "marking:nda"),
    Marking("subject to an nda", "marking:nda"),
    Marking("bajo nda", "marking:nda"),
    Marking("bajo acuerdo de confidencialidad", "marking:nda"),
    Marking("sous nda", "marking:nda"),
    Marking("sous accord de confidentialité", "marking:nda"),
    Marking("unter nda", "marking:nda"),
    Marking("trade secret", "marking:trade_secret"),
    Marking("streng vertraulich", "marking:confidential"),
    Marking("vertraulich", "marking:confidential"),
    Marking("nur für den internen gebrauch", "marking:internal"),
    Marking("nur für den dienstgebrauch", "marking:internal"),
    Marking("confidencial", "marking:confidential"),
    Marking("estrictamente confidencial", "marking:confidential"),
    Marking("uso interno", "marking:internal"),
    Marking("confidentiel", "marking:confidential"),
    Marking("strictement confidentiel", "marking:confidential"),
    Marking("diffusion restreinte", "marking:restricted"),
    Marking("usage interne", "marking:internal"),
    Marking("机密", "marking:confidential"),
    Marking("绝密", "marking:confidential"),
    Marking("保密", "marking:confidential"),
    Marking("内部资料", "marking:internal"),
    Marking("社外秘", "marking:internal"),
    Marking("部外秘", "marking:internal"),
    Marking("機密", "marking:confidential"),
    Marking("極秘", "marking:confidential"),
    {"CONFIDENTIAL", Cue::kMarkingLabel, "marking:confidential", true},
    {"Confidential", Cue::kMarkingLabel, "marking:confidential", true},
};

}  // namespace

std::span<const BuiltinKeyword> BuiltinKeywords() { return kKeywords; }

std::vector<KeywordMatcher::Keyword> BuiltinMatcherKeywords() {
  std::vector<KeywordMatcher::Keyword> keywords;
  for (size_t i = 0; i < std::size(kKeywords); ++i) {
    const BuiltinKeyword& keyword = kKeywords[i];
    keywords.push_back({std::string(keyword.text), static_cast<uint32_t>(i),
                        keyword.case_sensitive, keyword.whole_word});
  }
  return keywords;
}

const KeywordMatcher& BuiltinMatcher() {
  static const KeywordMatcher* const matcher =
      new KeywordMatcher(BuiltinMatcherKeywords());
  return *matcher;
}

}  // namespace duet::sensitive
