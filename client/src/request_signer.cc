#include "request_signer.h"

#include <utility>
#include <vector>

#include "common/hex.h"

namespace sluice::client {

RequestSigner::RequestSigner(Credentials credentials, std::string region, std::string service)
    : credentials_(std::move(credentials)),
      region_(std::move(region)),
      service_(std::move(service)) {}

auth::Sha256Digest RequestSigner::KeyFor(const auth::CredentialScope& scope) const {
  std::lock_guard lock(mutex_);
  if (key_date_ != scope.date) {
    key_ = auth::SigningKey(credentials_.secret_access_key, scope);
    key_date_ = scope.date;
  }
  return key_;
}

SigningHeaders RequestSigner::Sign(const JsonRequestToSign& request,
                                   std::chrono::system_clock::time_point now) const {
  SigningHeaders out;
  out.amz_date = auth::FormatAmzDate(now);
  out.security_token = credentials_.session_token;
  const auth::CredentialScope scope{out.amz_date.substr(0, 8), region_, service_};

  std::vector<std::pair<std::string_view, std::string_view>> headers = {
      {"content-type", request.content_type},
      {"host", request.host},
      {"x-amz-date", out.amz_date},
      {"x-amz-target", request.target}};
  std::string_view signed_headers = "content-type;host;x-amz-date;x-amz-target";
  if (!out.security_token.empty()) {
    headers.emplace_back("x-amz-security-token", out.security_token);
    signed_headers = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
  }
  const std::string payload_hash = HexEncode(auth::Sha256(request.body));
  const auth::SignableRequest signable{"POST",  request.path,   "",
                                       headers, signed_headers, payload_hash};
  const std::string string_to_sign =
      auth::StringToSign(out.amz_date, scope, auth::CanonicalRequest(signable));
  out.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials_.access_key_id + "/" +
                      scope.ToString() + ", SignedHeaders=" + std::string(signed_headers) +
                      ", Signature=" + auth::Signature(KeyFor(scope), string_to_sign);
  return out;
}

}  // namespace sluice::client
