#include "auth/sigv4_verifier.h"

#include <gtest/gtest.h>

#include "auth/sigv4.h"
#include "common/hex.h"

namespace sluice::auth {
namespace {

using std::chrono::minutes;
using std::chrono::system_clock;

constexpr std::string_view kKeyId = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kAmzDate = "20150830T123600Z";
const system_clock::time_point kSignedAt = system_clock::from_time_t(1440938160);

// A request signed with the library's own primitives, for the verifier to check.
struct SignedRequest {
  std::string body = R"({"StreamName":"trips"})";
  std::string authorization;
  std::string amz_date{kAmzDate};
  std::string content_sha;

  explicit SignedRequest(std::string_view service = "kinesis",
                         std::string_view region = "us-east-1") {
    CredentialScope scope{"20150830", std::string(region), std::string(service)};
    const std::string payload_hash = HexEncode(Sha256(body));
    SignableRequest signable{"POST",      "/", "", Headers(), "host;x-amz-date;x-amz-target",
                             payload_hash};
    std::string signature = Signature(SigningKey(kSecret, scope),
                                      StringToSign(kAmzDate, scope, CanonicalRequest(signable)));
    authorization = "AWS4-HMAC-SHA256 Credential=" + std::string(kKeyId) + "/" + scope.ToString() +
                    ", SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + signature;
  }

  std::vector<std::pair<std::string_view, std::string_view>> Headers() const {
    std::vector<std::pair<std::string_view, std::string_view>> headers = {
        {"Host", "127.0.0.1:4567"},
        {"X-Amz-Date", amz_date},
        {"X-Amz-Target", "Kinesis_20131202.ListStreams"},
        {"Content-Type", "application/x-amz-json-1.1"}};
    if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
    if (!content_sha.empty()) headers.emplace_back("X-Amz-Content-Sha256", content_sha);
    return headers;
  }

  ReceivedRequest View() const { return ReceivedRequest{"POST", "/", Headers(), body}; }
};

class SigV4VerifierTest : public ::testing::Test {
 protected:
  Result<std::string> Verify(const SignedRequest& request,
                             system_clock::time_point now = kSignedAt) {
    return verifier_.Verify(request.View(), "kinesis", now);
  }

  void ExpectRefused(const Result<std::string>& result, std::string_view wire_type,
                     std::string_view message_part) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(result.error().wire_type, wire_type);
    EXPECT_NE(result.error().message.find(message_part), std::string::npos)
        << result.error().message;
  }

  CredentialStore store_{{{std::string(kKeyId), std::string(kSecret)}}};
  SigV4Verifier verifier_{store_, "us-east-1"};
};

TEST_F(SigV4VerifierTest, AcceptsThePublishedGetVanillaRequest) {
  ReceivedRequest request{
      "GET",
      "/",
      {{"Host", "example.amazonaws.com"},
       {"X-Amz-Date", kAmzDate},
       {"Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}},
      ""};
  auto principal = verifier_.Verify(request, "service", kSignedAt);
  ASSERT_TRUE(principal) << principal.error().message;
  EXPECT_EQ(*principal, kKeyId);
}

TEST_F(SigV4VerifierTest, AcceptsASignedRequestAndReturnsTheAccessKey) {
  auto principal = Verify(SignedRequest());
  ASSERT_TRUE(principal) << principal.error().message;
  EXPECT_EQ(*principal, kKeyId);
}

TEST_F(SigV4VerifierTest, AcceptsClockSkewWithinFifteenMinutes) {
  EXPECT_TRUE(Verify(SignedRequest(), kSignedAt + minutes(14)));
  EXPECT_TRUE(Verify(SignedRequest(), kSignedAt - minutes(14)));
}

TEST_F(SigV4VerifierTest, RefusesARequestWithoutAuthorization) {
  SignedRequest request;
  request.authorization.clear();
  ExpectRefused(Verify(request), "MissingAuthenticationTokenException",
                "Missing Authentication Token");
}

TEST_F(SigV4VerifierTest, RefusesAnUnknownAlgorithmAsIncomplete) {
  SignedRequest request;
  request.authorization = "AWS3 Credential=x";
  ExpectRefused(Verify(request), "IncompleteSignatureException", "algorithm");
}

TEST_F(SigV4VerifierTest, RefusesAnAuthorizationMissingItsParts) {
  SignedRequest request;
  request.authorization = "AWS4-HMAC-SHA256 Credential=" + std::string(kKeyId) +
                          "/20150830/us-east-1/kinesis/aws4_request";
  ExpectRefused(Verify(request), "IncompleteSignatureException",
                "Authorization header requires 'Signature' parameter.");
}

TEST_F(SigV4VerifierTest, RefusesAMalformedCredential) {
  SignedRequest request;
  request.authorization =
      "AWS4-HMAC-SHA256 Credential=AKID/20150830, SignedHeaders=host, Signature=00";
  ExpectRefused(Verify(request), "IncompleteSignatureException", "5 slash-delimited");
}

TEST_F(SigV4VerifierTest, RefusesARequestWithoutADate) {
  SignedRequest request;
  request.amz_date.clear();
  auto headers = request.Headers();
  std::erase_if(headers, [](const auto& h) { return h.first == "X-Amz-Date"; });
  ReceivedRequest view{"POST", "/", headers, request.body};
  ExpectRefused(verifier_.Verify(view, "kinesis", kSignedAt), "IncompleteSignatureException",
                "X-Amz-Date");
}

TEST_F(SigV4VerifierTest, RefusesAnUnknownAccessKey) {
  CredentialStore other(std::vector<AccessKey>{{"SOMEONEELSE", "secret"}});
  SigV4Verifier verifier(other, "us-east-1");
  ExpectRefused(verifier.Verify(SignedRequest().View(), "kinesis", kSignedAt),
                "UnrecognizedClientException", "security token");
}

TEST_F(SigV4VerifierTest, RefusesATamperedBody) {
  SignedRequest request;
  request.body = R"({"StreamName":"other"})";
  ExpectRefused(Verify(request), "InvalidSignatureException", "does not match");
}

TEST_F(SigV4VerifierTest, RefusesATamperedSignature) {
  SignedRequest request;
  request.authorization.back() = request.authorization.back() == '0' ? '1' : '0';
  ExpectRefused(Verify(request), "InvalidSignatureException", "does not match");
}

TEST_F(SigV4VerifierTest, RefusesAnExpiredSignature) {
  ExpectRefused(Verify(SignedRequest(), kSignedAt + minutes(16)), "InvalidSignatureException",
                "Signature expired: 20150830T123600Z is now earlier than");
}

TEST_F(SigV4VerifierTest, RefusesASignatureFromTheFuture) {
  ExpectRefused(Verify(SignedRequest(), kSignedAt - minutes(16)), "InvalidSignatureException",
                "Signature not yet current");
}

TEST_F(SigV4VerifierTest, RefusesAnotherRegion) {
  ExpectRefused(Verify(SignedRequest("kinesis", "eu-west-1")), "InvalidSignatureException",
                "valid region");
}

TEST_F(SigV4VerifierTest, RefusesAnotherService) {
  ExpectRefused(Verify(SignedRequest("firehose")), "InvalidSignatureException",
                "correct service: 'kinesis'");
}

TEST_F(SigV4VerifierTest, RefusesAContentHashThatDoesNotMatchTheBody) {
  SignedRequest request;
  request.content_sha = std::string(64, '0');
  ExpectRefused(Verify(request), "InvalidSignatureException", "x-amz-content-sha256");
}

}  // namespace
}  // namespace sluice::auth
