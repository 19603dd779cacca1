#include "request_signer.h"

#include <gtest/gtest.h>

#include "auth/credential_store.h"
#include "auth/sigv4_verifier.h"

namespace sluice::client {
namespace {

constexpr std::string_view kTarget = "Kinesis_20131202.PutRecords";
constexpr std::string_view kContentType = "application/x-amz-json-1.1";

auth::ReceivedRequest View(const SigningHeaders& signing, const std::string& body,
                           std::vector<std::pair<std::string_view, std::string_view>>& headers) {
  headers = {{"Host", "127.0.0.1:4567"},
             {"Content-Type", kContentType},
             {"X-Amz-Target", kTarget},
             {"X-Amz-Date", signing.amz_date},
             {"Authorization", signing.authorization}};
  if (!signing.security_token.empty()) {
    headers.emplace_back("X-Amz-Security-Token", signing.security_token);
  }
  return auth::ReceivedRequest{"POST", "/", headers, body};
}

class RequestSignerTest : public ::testing::Test {
 protected:
  auth::CredentialStore store_{{{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}}};
  auth::SigV4Verifier verifier_{store_, "us-east-1"};
  const std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::from_time_t(1440938160);
};

TEST_F(RequestSignerTest, TheServerVerifierAcceptsItsSignature) {
  RequestSigner signer({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}, "us-east-1",
                       "kinesis");
  const std::string body = R"({"StreamName":"trips","Records":[]})";
  SigningHeaders signing = signer.Sign({"127.0.0.1:4567", "/", kContentType, kTarget, body}, now_);
  EXPECT_EQ(signing.amz_date, "20150830T123600Z");
  EXPECT_TRUE(signing.authorization.starts_with(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="));
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  auto verified = verifier_.Verify(View(signing, body, headers), "kinesis", now_);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(*verified, "AKIDEXAMPLE");
}

TEST_F(RequestSignerTest, SessionTokenIsSentAndSigned) {
  RequestSigner signer({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token"},
                       "us-east-1", "kinesis");
  const std::string body = "{}";
  SigningHeaders signing = signer.Sign({"127.0.0.1:4567", "/", kContentType, kTarget, body}, now_);
  EXPECT_EQ(signing.security_token, "token");
  EXPECT_NE(signing.authorization.find("x-amz-security-token"), std::string::npos);
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  EXPECT_TRUE(verifier_.Verify(View(signing, body, headers), "kinesis", now_));
}

TEST_F(RequestSignerTest, ATamperedBodyFailsVerification) {
  RequestSigner signer({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""}, "us-east-1",
                       "kinesis");
  SigningHeaders signing = signer.Sign({"127.0.0.1:4567", "/", kContentType, kTarget, "{}"}, now_);
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  const std::string other = R"({"x":1})";
  EXPECT_FALSE(verifier_.Verify(View(signing, other, headers), "kinesis", now_));
}

}  // namespace
}  // namespace sluice::client
