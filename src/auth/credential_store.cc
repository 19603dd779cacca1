#include "auth/credential_store.h"

#include <yaml-cpp/yaml.h>

#include <system_error>

namespace sluice::auth {

CredentialStore::CredentialStore(const std::vector<AccessKey>& keys) {
  for (const AccessKey& key : keys) secrets_[key.access_key_id] = key.secret_access_key;
}

Result<std::vector<AccessKey>> CredentialStore::ParseKeyList(const YAML::Node& list,
                                                             std::string_view source) {
  if (!list.IsSequence()) {
    return Fail(ErrorCode::kInvalidArgument, std::string(source) + ": access keys must be a list");
  }
  std::vector<AccessKey> keys;
  for (const YAML::Node& entry : list) {
    AccessKey key{entry["access_key_id"].as<std::string>(""),
                  entry["secret_access_key"].as<std::string>("")};
    if (key.access_key_id.empty() || key.secret_access_key.empty()) {
      return Fail(
          ErrorCode::kInvalidArgument,
          std::string(source) + ": every access key needs access_key_id and secret_access_key");
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

Result<std::vector<AccessKey>> CredentialStore::ReadKeyFile(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::vector<AccessKey>{};
  const std::string source = "access key file '" + path.filename().string() + "'";
  try {
    return ParseKeyList(YAML::LoadFile(path.string()), source);
  } catch (const YAML::Exception& e) {
    return Fail(ErrorCode::kInvalidArgument, source + ": " + e.what());
  }
}

std::optional<std::string_view> CredentialStore::FindSecret(std::string_view access_key_id) const {
  auto it = secrets_.find(access_key_id);
  if (it == secrets_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sluice::auth
