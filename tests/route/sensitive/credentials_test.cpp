// Credentials, private keys and passwords. The tokens are random strings
// in each provider's shape, generated for these tests.
#include <gtest/gtest.h>

#include <string>

#include "route/sensitive/scan_test_util.h"

namespace duet::testing {
namespace {

using Findings = std::vector<std::string>;

TEST(CredentialTest, ProviderTokenShapes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"aws_access_key_id", "AKIAHBRPOIGF3CBFNOBM"},
      {"github_token", "ghp_wnQrS7RPeMOkIUpkDyr7OSJoRu1XXdo0cZuz"},
      {"github_token", "gho_ren68K4TunPFz46PDjqipVJIqVLB5LzxoiGF"},
      {"github_token",
       "github_pat_fWd3hjOkYRBMeyyMDHqJ38_aRUhR4IWrXPvhsBkDa9U4UqGWlG6g3Ot1OGMm"
       "jxWkI9X7H6aMuFbh7x41Zt"},
      {"gitlab_token", "glpat-EhEkk_iqq8vH2BzNZV45"},
      {"slack_token",
       "xoxb-133150983930-1031051834738-iU74KKEpYEZAmggQBwBAD3Ud"},
      {"slack_token",
       "xapp-1-AGDZVGPMM82-2624731781080-"
       "275dff6c15c0c8e9df469611a11f5125227c37"},
      {"stripe_secret_key", "sk_live_skC1ITtNZPHaQ0Jt7Qg84iqh"},
      {"stripe_secret_key", "rk_live_4gVJjrsMnTvnRO2qGFq562df"},
      {"openai_api_key", "sk-OB1rcavXiOqkVCJTBJahe84S5jIc1xLJjBictx57Y3c5wnRp"},
      {"openai_api_key",
       "sk-proj-nT0tEuw0dwQ0FIunWe8Cz6SNDCdyZQJiJSZQdoHwL9qcgMBwUYuBMGhy5Kmq"},
      {"anthropic_api_key",
       "sk-ant-api03-QOpMN0PZLqy1WwMZaMKA3P744B8vkKQlENCzsdfF8j61yX-ZFsan2Cw7gF"
       "p6r7O425u85HFJ_EJ4jKEIQOkrtDXtBi10QAA"},
      {"google_api_key", "AIza71hA1XcW9aTMX1C_CI3_dXRZv7qdYdk2r7x"},
      {"npm_token", "npm_dqyunDuvW4yrW81Aq1fEbVId8woPeX9PcWb8"},
      {"twilio_api_key", "SK760474f36e8b5359309cc6273931bdb2"},
      {"sendgrid_api_key",
       "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"},
      {"huggingface_token", "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"},
      {"jwt",
       "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAidV84ODQxIiwgImV4cC"
       "I6IDE3NjcyMjU2MDB9.jUqy8SCj3sB9Gt8Dkkh4enBXL_cNQPDceh3SEGZ9EpM"},
  };
  for (const auto& [rule, token] : cases) {
    const std::string text = "export TOKEN_VALUE " + token + "\n";
    EXPECT_EQ(Describe(text), (Findings{rule + "=" + token})) << text;
  }
}

TEST(CredentialTest, PlaceholdersAndPublicKeysAreNot) {
  for (const char* text :
       {"set OPENAI_API_KEY=sk-your-key-here", "ghp_XXXXXXXX",
        "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "api key: <YOUR_API_KEY>",
        "Stripe test key sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "publishable pk_live_51HqLyjWDarjtT1zdp7dcXk9pQ2mZr7LwT4",
        "AKIAIOSFODNN7EXAMPLE", "the sk-... prefix marks OpenAI keys",
        "sk-1234567890abcdef1234567890abcdef1234567890ab",
        "AKIAXXXXXXXXXXXXXXXX", "ask-the-team-about-the-release-plan",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibm"
        "FtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJ"
        "f36POk6yJV_adQssw5c"}) {
    EXPECT_EQ(Kinds(text), Findings{}) << text;
  }
}

TEST(CredentialTest, AwsSecretKeyNextToItsName) {
  EXPECT_EQ(Describe("aws_secret_access_key = 1C5Jau2RJtBRnlWmTSHf6pWkLUyifDLk"
                     "DmWJ6UuV\n"),
            (Findings{"aws_secret_access_key=1C5Jau2RJtBRnlWmTSHf6pWkLUyifDLkDm"
                      "WJ6UuV"}));
  EXPECT_EQ(
      Kinds("AWS_SECRET_ACCESS_KEY=\"1C5Jau2RJtBRnlWmTSHf6pWkLUyifDLkDmWJ6"
            "UuV\""),
      (Findings{"credential"}));
  EXPECT_TRUE(FindAll("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEX"
                      "AMPLEKEY")
                  .empty());
  EXPECT_TRUE(FindAll("1C5Jau2RJtBRnlWmTSHf6pWkLUyifDLkDmWJ6UuV").empty());
}

TEST(CredentialTest, BearerTokensAndConnectionStrings) {
  EXPECT_EQ(
      Describe("curl -H 'Authorization: Bearer gttMkFp1CW54M2NhmABHkuEwj"
               "ua058LeDKK6jDHz' https://api"),
      (Findings{"bearer_token=gttMkFp1CW54M2NhmABHkuEwjua058LeDKK6jDHz"}));
  EXPECT_TRUE(FindAll("Authorization: Bearer $TOKEN").empty());
  EXPECT_TRUE(FindAll("Authorization: Bearer <token>").empty());
  EXPECT_TRUE(FindAll("use a bearer token in the header").empty());

  EXPECT_EQ(Describe("DATABASE_URL=postgres://app:Tr0ub4dor3@db.internal:5432/"
                     "prod"),
            (Findings{"connection_string_password=Tr0ub4dor3"}));
  EXPECT_EQ(Describe("postgres://user:pass@host/db"),
            (Findings{"connection_string_password=pass"}));
  EXPECT_EQ(Describe("mongodb+srv://svc:k9Xw2pQ7@cluster0.ab1cd.mongodb.net/"),
            (Findings{"connection_string_password=k9Xw2pQ7"}));
  EXPECT_TRUE(FindAll("postgres://user:${DB_PASSWORD}@host/db").empty());
  EXPECT_TRUE(FindAll("redis://:****@cache:6379").empty());
  EXPECT_TRUE(FindAll("https://github.com/duet/duet").empty());
}

TEST(PrivateKeyTest, PemBlocks) {
  const std::string body =
      "bB2LOaUm6ETTJBIPKspOmL/TketJcB93sE2zZ/FFgIp+cBSZCuNuvFKaQAYXOvas\n"
      "1tyTlvMF/8Os0kSTCsPBLHiEpnHqRy7/lW+i0H34F3hZaFVSqxrbKVRpsX5JqfFm\n";
  for (const char* type :
       {"", "RSA ", "EC ", "OPENSSH ", "DSA ", "ENCRYPTED "}) {
    const std::string block = std::string("-----BEGIN ") + type +
                              "PRIVATE KEY-----\n" + body + "-----END " + type +
                              "PRIVATE KEY-----";
    const std::string text = "key.pem:\n" + block + "\ntrailing";
    EXPECT_EQ(Describe(text), (Findings{"pem_private_key=" + block})) << type;
  }
  EXPECT_EQ(Kinds("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + body),
            (Findings{"private_key"}));
}

TEST(PrivateKeyTest, HeadersWithoutKeyMaterialAndPublicKeys) {
  EXPECT_TRUE(FindAll("a file that starts with -----BEGIN RSA PRIVATE KEY----- "
                      "is a private key")
                  .empty());
  EXPECT_TRUE(FindAll("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE "
                      "KEY-----")
                  .empty());
  EXPECT_TRUE(FindAll("-----BEGIN PUBLIC KEY-----\nbB2LOaUm6ETTJBIPKspOmL/Tke"
                      "tJcB93sE2zZ/FFgIp+cBSZCuNuvFKaQ\n-----END PUBLIC KEY----"
                      "-")
                  .empty());
  EXPECT_TRUE(FindAll("--------------- ----- -- x").empty());
}

TEST(PasswordTest, AssignmentsInConfigLikeText) {
  EXPECT_EQ(Describe("password=hunter2"),
            (Findings{"password_assignment=hunter2"}));
  EXPECT_EQ(Describe("passwd: s3cr3t!\n"),
            (Findings{"password_assignment=s3cr3t!"}));
  EXPECT_EQ(Describe("{\"password\": \"correct horse battery\"}"),
            (Findings{"password_assignment=correct horse battery"}));
  EXPECT_EQ(Describe("DB_PASSWORD=changeme"),
            (Findings{"password_assignment=changeme"}));
  EXPECT_EQ(Describe("pwd=Xq7!kk"), (Findings{"password_assignment=Xq7!kk"}));
  EXPECT_EQ(Describe("MYSQL_PWD=Xq7!kk9"),
            (Findings{"password_assignment=Xq7!kk9"}));
  EXPECT_EQ(Describe("spring.datasource.password=Sp1ng!"),
            (Findings{"password_assignment=Sp1ng!"}));
  EXPECT_EQ(Describe("PGPASSWORD=pg9secret psql -h db"),
            (Findings{"password_assignment=pg9secret"}));
  EXPECT_EQ(Describe("Passwort: Geheim2024"),
            (Findings{"password_assignment=Geheim2024"}));
  EXPECT_EQ(Describe("contraseña: Clave_99"),
            (Findings{"password_assignment=Clave_99"}));
  EXPECT_EQ(Describe("mot de passe : Soleil42"),
            (Findings{"password_assignment=Soleil42"}));
  EXPECT_EQ(Describe("密码：abc12345"),
            (Findings{"password_assignment=abc12345"}));
  EXPECT_EQ(Describe("パスワード：tokyo2024"),
            (Findings{"password_assignment=tokyo2024"}));
  EXPECT_EQ(Describe("my password is hunter2."),
            (Findings{"password_assignment=hunter2"}));
  EXPECT_EQ(Describe("<password>Pa55word</password>"),
            (Findings{"password_assignment=Pa55word"}));
  EXPECT_EQ(Describe("\"{\\\"password\\\": \\\"n3st3d\\\"}\""),
            (Findings{"password_assignment=n3st3d"}));
}

TEST(PasswordTest, SecretsAndApiKeysByName) {
  EXPECT_EQ(Describe("api_key = \"9f3c2a7b1e8d4f60a5c3b2e1d7f8a9c0\""),
            (Findings{"secret_assignment=9f3c2a7b1e8d4f60a5c3b2e1d7f8a9c0"}));
  EXPECT_EQ(Describe("client_secret: Xk9pQ2mZr7LwT4vB8nCj"),
            (Findings{"secret_assignment=Xk9pQ2mZr7LwT4vB8nCj"}));
  EXPECT_EQ(Describe("SECRET_KEY='Xk9pQ2mZr7LwT4vB8nCj5HdF'"),
            (Findings{"secret_assignment=Xk9pQ2mZr7LwT4vB8nCj5HdF"}));
  EXPECT_EQ(Describe("secret=hunter22"),
            (Findings{"secret_assignment=hunter22"}));
  EXPECT_TRUE(FindAll("secret: true").empty());
  EXPECT_TRUE(FindAll("secret: 3600").empty());
  EXPECT_TRUE(FindAll("token: 5").empty());
  EXPECT_TRUE(FindAll("random_device(const std::string& __token = \"mt19937\")")
                  .empty());
  EXPECT_TRUE(FindAll("U_UNEXPECTED_TOKEN=0x10100,").empty());
  EXPECT_TRUE(FindAll("{'x-api-key': 'key-123'}").empty());
  EXPECT_TRUE(FindAll("max_tokens=1024").empty());
  EXPECT_TRUE(FindAll("token_type: Bearer").empty());
  EXPECT_TRUE(FindAll("The secret is to keep going.").empty());
  EXPECT_TRUE(FindAll("{'token_embd': 'Token embedding'}").empty());
}

TEST(PasswordTest, NotPasswords) {
  for (const char* text : {"password=",
                           "password: ****",
                           "password: <password>",
                           "password=${DB_PASSWORD}",
                           "password: your_password_here",
                           "password: xxx",
                           "password: ...",
                           "passwords like password123 are weak",
                           "Password: use at least 12 characters",
                           "password: string;",
                           "password = os.getenv(\"DB_PASSWORD\")",
                           "password = config.password",
                           "self.password = password",
                           "if password == expected:",
                           "password_min_length: 12",
                           "\"password\": {\"type\": \"string\"}",
                           "PWD=/home/jana/project",
                           "the password is secure",
                           "bypass=1234",
                           "passing: 12345",
                           "pc2.first_pass = 1;",
                           "size_t n_pass = 0;",
                           "using namespace ov::pass::pattern;",
                           "pass_desc = {};",
                           "const char *password = nullptr",
                           "PasswordAuthentication=no",
                           "printf(ok ? \"PASS\" : \"FAIL\")",
                           "auth = digest_auth_password_ : other_password_;",
                           "http://user:password@host",
                           "<user>@<pass>:<host>"}) {
    EXPECT_EQ(Kinds(text), Findings{}) << text;
  }
}

}  // namespace
}  // namespace duet::testing
