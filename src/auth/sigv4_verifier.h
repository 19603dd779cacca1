#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/credential_store.h"
#include "common/result.h"

namespace sluice::auth {

// A received request as the verifier needs it; views into the caller's buffers.
struct ReceivedRequest {
  std::string_view method;
  std::string_view target;  // request target: path plus optional "?query"
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
};

// Verifies SigV4 `Authorization` headers against a CredentialStore, with AWS's error
// types and messages. Stateless apart from the store it borrows (which must outlive it);
// safe to call from any thread.
class SigV4Verifier {
 public:
  // Requests more than this far from the server clock are refused, as AWS does.
  static constexpr std::chrono::minutes kMaxClockSkew{15};

  SigV4Verifier(const CredentialStore& store, std::string region);

  // Returns the caller's access key id, or an kUnauthenticated error whose wire_type is
  // MissingAuthenticationTokenException, IncompleteSignatureException,
  // InvalidSignatureException or UnrecognizedClientException. `service` is the signing
  // name the credential scope must carry (e.g. "kinesis").
  [[nodiscard]] Result<std::string> Verify(const ReceivedRequest& request, std::string_view service,
                                           std::chrono::system_clock::time_point now) const;

 private:
  const CredentialStore& store_;
  std::string region_;
};

}  // namespace sluice::auth
