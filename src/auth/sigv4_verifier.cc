#include "auth/sigv4_verifier.h"

#include <openssl/crypto.h>

#include <cctype>
#include <ctime>
#include <optional>

#include "auth/sigv4.h"
#include "common/hex.h"

namespace sluice::auth {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kMissingToken = "MissingAuthenticationTokenException";
constexpr std::string_view kIncomplete = "IncompleteSignatureException";
constexpr std::string_view kInvalid = "InvalidSignatureException";
constexpr std::string_view kUnrecognized = "UnrecognizedClientException";

tl::unexpected<Error> Refuse(std::string_view wire_type, std::string message) {
  return Fail(ErrorCode::kUnauthenticated, std::move(message), std::string(wire_type));
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::string_view> FindHeader(const ReceivedRequest& request, std::string_view name) {
  for (const auto& [header_name, value] : request.headers) {
    if (HeaderNameEquals(header_name, name)) return value;
  }
  return std::nullopt;
}

struct Authorization {
  std::string_view access_key_id;
  CredentialScope scope;
  std::string_view signed_headers;
  std::string_view signature;
};

// Splits "AKID/20150830/us-east-1/service/aws4_request" into its parts.
Result<void> ParseCredential(std::string_view credential, Authorization& out) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = credential.find('/', start);
    parts.push_back(credential.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 5 || parts[0].empty() || parts[1].size() != 8 || parts[4] != "aws4_request") {
    return Refuse(kIncomplete,
                  "Credential must have exactly 5 slash-delimited elements, e.g. "
                  "keyid/date/region/service/term, got '" +
                      std::string(credential) + "'");
  }
  out.access_key_id = parts[0];
  out.scope = CredentialScope{std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
  return Ok();
}

Result<Authorization> ParseAuthorization(std::string_view header) {
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm) {
    return Refuse(kIncomplete, "Unsupported AWS 'algorithm': '" +
                                   std::string(header.substr(0, header.find(' '))) + "'");
  }
  std::optional<std::string_view> credential, signed_headers, signature;
  std::string_view rest = header.substr(kAlgorithm.size());
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view part = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    size_t equals = part.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view name = part.substr(0, equals);
    std::string_view value = part.substr(equals + 1);
    if (name == "Credential") credential = value;
    if (name == "SignedHeaders") signed_headers = value;
    if (name == "Signature") signature = value;
  }
  std::string missing;
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) {
    return Refuse(kIncomplete, missing + "Authorization=" + std::string(kAlgorithm));
  }
  Authorization out;
  if (auto parsed = ParseCredential(*credential, out); !parsed) return Fail(parsed.error());
  out.signed_headers = *signed_headers;
  out.signature = *signature;
  return out;
}

// Parses the basic ISO-8601 form SigV4 uses, "20150830T123600Z".
std::optional<std::chrono::system_clock::time_point> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  auto number = [&](size_t pos, size_t len) -> std::optional<int> {
    int value = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto year = number(0, 4), month = number(4, 2), day = number(6, 2);
  auto hour = number(9, 2), minute = number(11, 2), second = number(13, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Status CheckClockSkew(std::string_view amz_date, std::chrono::system_clock::time_point signed_at,
                      std::chrono::system_clock::time_point now) {
  const auto skew = SigV4Verifier::kMaxClockSkew;
  if (signed_at < now - skew) {
    return Refuse(kInvalid, "Signature expired: " + std::string(amz_date) +
                                " is now earlier than " + FormatAmzDate(now - skew) + " (" +
                                FormatAmzDate(now) + " - 15 min.)");
  }
  if (signed_at > now + skew) {
    return Refuse(kInvalid, "Signature not yet current: " + std::string(amz_date) +
                                " is still later than " + FormatAmzDate(now + skew) + " (" +
                                FormatAmzDate(now) + " + 15 min.)");
  }
  return Ok();
}

Status CheckScope(const CredentialScope& scope, std::string_view amz_date, std::string_view region,
                  std::string_view service) {
  if (scope.date != amz_date.substr(0, 8)) {
    return Refuse(kInvalid,
                  "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                  "version of date from HTTP: '" +
                      scope.date + "' != '" + std::string(amz_date.substr(0, 8)) + "', from '" +
                      std::string(amz_date) + "'.");
  }
  if (scope.region != region) {
    return Refuse(kInvalid, "Credential should be scoped to a valid region, not '" + scope.region +
                                "'. Valid region: '" + std::string(region) + "'.");
  }
  if (scope.service != service) {
    return Refuse(kInvalid, "Credential should be scoped to correct service: '" +
                                std::string(service) + "'.");
  }
  return Ok();
}

// The payload hash to sign with: the client's x-amz-content-sha256 when it sent one (which
// must then match the body), otherwise the hash of the body.
Result<std::string> PayloadHash(const ReceivedRequest& request) {
  std::string body_hash = HexEncode(Sha256(request.body));
  std::optional<std::string_view> declared = FindHeader(request, "x-amz-content-sha256");
  if (declared && *declared != "UNSIGNED-PAYLOAD" && *declared != body_hash) {
    return Refuse(kInvalid,
                  "The provided 'x-amz-content-sha256' header does not match what "
                  "was computed.");
  }
  if (declared) return std::string(*declared);
  return body_hash;
}

}  // namespace

SigV4Verifier::SigV4Verifier(const CredentialStore& store, std::string region)
    : store_(store), region_(std::move(region)) {}

Result<std::string> SigV4Verifier::Verify(const ReceivedRequest& request, std::string_view service,
                                          std::chrono::system_clock::time_point now) const {
  std::optional<std::string_view> header = FindHeader(request, "authorization");
  if (!header) return Refuse(kMissingToken, "Missing Authentication Token");
  auto authorization = ParseAuthorization(*header);
  if (!authorization) return Fail(authorization.error());

  std::optional<std::string_view> amz_date = FindHeader(request, "x-amz-date");
  if (!amz_date) {
    return Refuse(kIncomplete,
                  "Authorization header requires existence of either a "
                  "'X-Amz-Date' or a 'Date' header. Authorization=" +
                      std::string(kAlgorithm));
  }
  auto signed_at = ParseAmzDate(*amz_date);
  if (!signed_at) {
    return Refuse(kIncomplete, "X-Amz-Date '" + std::string(*amz_date) +
                                   "' is not in the ISO-8601 basic format YYYYMMDD'T'HHMMSS'Z'");
  }
  if (auto ok = CheckScope(authorization->scope, *amz_date, region_, service); !ok) {
    return Fail(ok.error());
  }
  std::optional<std::string_view> secret = store_.FindSecret(authorization->access_key_id);
  if (!secret) {
    return Refuse(kUnrecognized, "The security token included in the request is invalid.");
  }
  if (auto ok = CheckClockSkew(*amz_date, *signed_at, now); !ok) return Fail(ok.error());
  auto payload_hash = PayloadHash(request);
  if (!payload_hash) return Fail(payload_hash.error());

  std::string_view target = request.target;
  size_t question = target.find('?');
  SignableRequest signable{request.method,
                           target.substr(0, question),
                           question == std::string_view::npos ? "" : target.substr(question + 1),
                           request.headers,
                           authorization->signed_headers,
                           *payload_hash};
  std::string expected =
      Signature(SigningKey(*secret, authorization->scope),
                StringToSign(*amz_date, authorization->scope, CanonicalRequest(signable)));
  const std::string_view given = authorization->signature;
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return Refuse(kInvalid,
                  "The request signature we calculated does not match the signature "
                  "you provided. Check your AWS Secret Access Key and signing method. "
                  "Consult the service documentation for details.");
  }
  return std::string(authorization->access_key_id);
}

}  // namespace sluice::auth
