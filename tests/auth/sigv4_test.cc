#include "auth/sigv4.h"

#include <gtest/gtest.h>

#include "common/hex.h"

// Vectors from AWS's published SigV4 test suite (aws-sig-v4-test-suite): key AKIDEXAMPLE,
// region us-east-1, service "service", 20150830T123600Z.
namespace sluice::auth {
namespace {

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kDate = "20150830T123600Z";
const std::string kEmptyHash = HexEncode(Sha256(""));

std::string SignVector(std::string_view method, std::string_view path, std::string_view query,
                       std::string_view payload_hash = kEmptyHash) {
  SignableRequest request{method,
                          path,
                          query,
                          {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kDate}},
                          "host;x-amz-date",
                          payload_hash};
  CredentialScope scope{"20150830", "us-east-1", "service"};
  return Signature(SigningKey(kSecret, scope),
                   StringToSign(kDate, scope, CanonicalRequest(request)));
}

TEST(SigV4Test, GetVanilla) {
  EXPECT_EQ(SignVector("GET", "/", ""),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4Test, GetVanillaQueryOrderKeyCase) {
  EXPECT_EQ(SignVector("GET", "/", "Param2=value2&Param1=value1"),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Test, PostVanilla) {
  EXPECT_EQ(SignVector("POST", "/", ""),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(SigV4Test, GetUtf8) {
  EXPECT_EQ(SignVector("GET", "/\xE1\x88\xB4", ""),
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
}

TEST(SigV4Test, GetVanillaCanonicalRequestAndStringToSign) {
  SignableRequest request{"GET",
                          "/",
                          "",
                          {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kDate}},
                          "host;x-amz-date",
                          kEmptyHash};
  const std::string canonical = CanonicalRequest(request);
  EXPECT_EQ(canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(StringToSign(kDate, {"20150830", "us-east-1", "service"}, canonical),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
}

TEST(SigV4Test, CanonicalUriResolvesDotSegmentsAndEncodesOnce) {
  EXPECT_EQ(CanonicalUri(""), "/");
  EXPECT_EQ(CanonicalUri("/example/.."), "/");
  EXPECT_EQ(CanonicalUri("/./a//b/"), "/a/b/");
  EXPECT_EQ(CanonicalUri("/a b"), "/a%20b");
  // A client's percent-encoded path is encoded again, as botocore does.
  EXPECT_EQ(CanonicalUri("/%E1%88%B4"), "/%25E1%2588%25B4");
}

TEST(SigV4Test, CanonicalQuerySortsAndEncodes) {
  EXPECT_EQ(CanonicalQuery("b=2&a=1&A=0"), "A=0&a=1&b=2");
  EXPECT_EQ(CanonicalQuery("k=a%20b&flag"), "flag=&k=a%20b");
  EXPECT_EQ(CanonicalQuery("k=~_-.*"), "k=~_-.%2A");
}

TEST(SigV4Test, CanonicalHeadersTrimAndFoldWhiteSpaceAndJoinRepeats) {
  SignableRequest request{
      "GET",       "/",       "", {{"My-Header", "  a   b  "}, {"my-header", "c"}, {"Other", "x"}},
      "my-header", kEmptyHash};
  EXPECT_NE(CanonicalRequest(request).find("\nmy-header:a b,c\n"), std::string::npos);
}

}  // namespace
}  // namespace sluice::auth
