#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// AWS Signature Version 4 primitives: the canonical request, the string to sign, the
// signing key and the signature, as the AWS General Reference ("Create a signed AWS API
// request") defines them. Pure functions; no I/O, no clock.
namespace sluice::auth {

using Sha256Digest = std::array<uint8_t, 32>;

// One HTTP request as SigV4 sees it. `headers` holds every header the client sent; the
// canonical form uses only those named in `signed_headers` (lower-case, ';'-separated).
struct SignableRequest {
  std::string_view method;
  std::string_view path;   // raw request path, without the query string
  std::string_view query;  // raw query string, without '?'
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view signed_headers;
  std::string_view payload_hash;  // hex SHA-256 of the body (or x-amz-content-sha256)
};

// The credential scope of a signature: "<date>/<region>/<service>/aws4_request".
struct CredentialScope {
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;

  std::string ToString() const;
};

// HTTP header names compare without regard to ASCII case.
bool HeaderNameEquals(std::string_view a, std::string_view b);

Sha256Digest Sha256(std::string_view data);
Sha256Digest HmacSha256(std::span<const uint8_t> key, std::string_view data);

// Canonical URI for every service but S3: the path as sent, with empty, `.` and `..`
// segments resolved, and each segment URI-encoded (so a client's percent-encoded path is
// encoded a second time, as SigV4 specifies and botocore does).
std::string CanonicalUri(std::string_view raw_path);
// Parameters sorted by encoded name then value, each name and value URI-encoded once.
std::string CanonicalQuery(std::string_view raw_query);
std::string CanonicalRequest(const SignableRequest& request);
std::string StringToSign(std::string_view amz_date, const CredentialScope& scope,
                         std::string_view canonical_request);
Sha256Digest SigningKey(std::string_view secret_access_key, const CredentialScope& scope);
// Lower-case hex of HMAC-SHA256(signing_key, string_to_sign).
std::string Signature(const Sha256Digest& signing_key, std::string_view string_to_sign);
// The basic ISO-8601 UTC form SigV4 dates take (X-Amz-Date), e.g. "20150830T123600Z".
std::string FormatAmzDate(std::chrono::system_clock::time_point time);

}  // namespace sluice::auth
