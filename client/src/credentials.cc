#include "credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sluice::client {

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<std::string> NonEmpty(const EnvironmentLookup& environment, std::string_view name) {
  std::optional<std::string> value = environment(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

}  // namespace

EnvironmentLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Credentials> ParseSharedCredentials(std::string_view text, std::string_view profile) {
  bool found = false;
  bool in_profile = false;
  Credentials credentials;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      std::string_view name = Trim(line.substr(1, line.size() - 2));
      // The config-file spelling "[profile name]" is accepted too.
      if (name.starts_with("profile ")) name = Trim(name.substr(8));
      in_profile = name == profile;
      found = found || in_profile;
      continue;
    }
    if (!in_profile) continue;
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    std::string_view key = Trim(line.substr(0, equals));
    std::string value(Trim(line.substr(equals + 1)));
    if (key == "aws_access_key_id") credentials.access_key_id = value;
    if (key == "aws_secret_access_key") credentials.secret_access_key = value;
    if (key == "aws_session_token") credentials.session_token = value;
  }
  if (!found) {
    return Fail(ErrorCode::kNotFound,
                "profile '" + std::string(profile) + "' not found in the shared credentials file");
  }
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "profile '" + std::string(profile) + "' lacks aws_access_key_id or aws_secret_access_key");
  }
  return credentials;
}

Result<Credentials> ResolveCredentials(std::string_view profile,
                                       const EnvironmentLookup& environment) {
  std::optional<std::string> key_id = NonEmpty(environment, "AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = NonEmpty(environment, "AWS_SECRET_ACCESS_KEY");
  if (key_id && secret) {
    return Credentials{*key_id, *secret, NonEmpty(environment, "AWS_SESSION_TOKEN").value_or("")};
  }
  std::string profile_name(profile);
  if (profile_name.empty()) profile_name = NonEmpty(environment, "AWS_PROFILE").value_or("default");
  std::string path;
  if (auto file = NonEmpty(environment, "AWS_SHARED_CREDENTIALS_FILE")) {
    path = *file;
  } else if (auto home = NonEmpty(environment, "HOME")) {
    path = *home + "/.aws/credentials";
  }
  if (path.empty()) {
    return Fail(ErrorCode::kNotFound,
                "no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and "
                "there is no HOME for ~/.aws/credentials");
  }
  std::ifstream file(path);
  if (!file) {
    return Fail(ErrorCode::kNotFound,
                "no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and "
                "the shared credentials file cannot be read");
  }
  std::stringstream text;
  text << file.rdbuf();
  return ParseSharedCredentials(text.str(), profile_name);
}

}  // namespace sluice::client
