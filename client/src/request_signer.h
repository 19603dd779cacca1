#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "auth/sigv4.h"
#include "sluice/producer.h"

namespace sluice::client {

// The headers a signed AWS JSON request carries besides Host, Content-Type and
// X-Amz-Target.
struct SigningHeaders {
  std::string amz_date;        // X-Amz-Date
  std::string authorization;   // Authorization
  std::string security_token;  // X-Amz-Security-Token; empty for long-term keys
};

// What one AWS JSON request looks like to the signer.
struct JsonRequestToSign {
  std::string_view host;  // the Host header as sent
  std::string_view path;
  std::string_view content_type;
  std::string_view target;  // X-Amz-Target
  std::string_view body;
};

// Signs POST requests with SigV4 (auth/sigv4.h), signing content-type, host, x-amz-date,
// x-amz-target and, with a session token, x-amz-security-token. Caches the day's signing
// key. Thread-safe.
class RequestSigner {
 public:
  RequestSigner(Credentials credentials, std::string region, std::string service);

  SigningHeaders Sign(const JsonRequestToSign& request,
                      std::chrono::system_clock::time_point now) const;

 private:
  auth::Sha256Digest KeyFor(const auth::CredentialScope& scope) const;

  const Credentials credentials_;
  const std::string region_;
  const std::string service_;
  mutable std::mutex mutex_;
  mutable std::string key_date_;      // guarded by mutex_
  mutable auth::Sha256Digest key_{};  // guarded by mutex_
};

}  // namespace sluice::client
