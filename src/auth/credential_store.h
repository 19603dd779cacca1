#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace YAML {
class Node;
}

namespace sluice::auth {

struct AccessKey {
  std::string access_key_id;
  std::string secret_access_key;
};

// The access keys the server accepts. Immutable after construction, so it is safe to
// share between threads without locking. Empty means the server runs open.
class CredentialStore {
 public:
  CredentialStore() = default;
  explicit CredentialStore(const std::vector<AccessKey>& keys);

  // Reads a YAML list of maps with `access_key_id` and `secret_access_key`; `source`
  // names where it came from in error messages.
  [[nodiscard]] static Result<std::vector<AccessKey>> ParseKeyList(const YAML::Node& list,
                                                                   std::string_view source);
  // Reads keys from a YAML file, a list of maps with `access_key_id` and
  // `secret_access_key` (see docs/configuration.md). A missing file yields no keys.
  [[nodiscard]] static Result<std::vector<AccessKey>> ReadKeyFile(
      const std::filesystem::path& path);

  // The secret for `access_key_id`, or nullopt when the key is unknown.
  std::optional<std::string_view> FindSecret(std::string_view access_key_id) const;
  bool empty() const { return secrets_.empty(); }
  size_t size() const { return secrets_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> secrets_;
};

}  // namespace sluice::auth
