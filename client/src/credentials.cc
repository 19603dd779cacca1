#include "credentials.h"

#include <cstdlib>
#include <fstream>
#include <map>
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

// One of the two shared files: the variable that names it, else its place under $HOME.
struct SharedFile {
  std::string_view variable;
  std::string_view home_path;
};
constexpr SharedFile kCredentialsFile{"AWS_SHARED_CREDENTIALS_FILE", "/.aws/credentials"};
constexpr SharedFile kConfigFile{"AWS_CONFIG_FILE", "/.aws/config"};

// The file's text; nullopt when it is not there or cannot be read.
std::optional<std::string> ReadSharedFile(const SharedFile& which,
                                          const EnvironmentLookup& environment) {
  std::string path;
  if (auto named = NonEmpty(environment, which.variable)) {
    path = *named;
  } else if (auto home = NonEmpty(environment, "HOME")) {
    path = *home + std::string(which.home_path);
  } else {
    return std::nullopt;
  }
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string ProfileName(std::string_view profile, const EnvironmentLookup& environment) {
  if (!profile.empty()) return std::string(profile);
  return NonEmpty(environment, "AWS_PROFILE").value_or("default");
}

using ProfileSettings = std::map<std::string, std::string, std::less<>>;

// The key = value lines of section `profile` ("[name]", or the config file's
// "[profile name]"); nullopt when there is no such section.
std::optional<ProfileSettings> ParseProfile(std::string_view text, std::string_view profile) {
  std::optional<ProfileSettings> settings;
  bool in_profile = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      // "[name]", maybe followed by a comment, as botocore reads it.
      const size_t close = line.find(']');
      if (close == std::string_view::npos) continue;
      std::string_view name = Trim(line.substr(1, close - 1));
      if (name.starts_with("profile ")) name = Trim(name.substr(8));
      in_profile = name == profile;
      if (in_profile && !settings) settings.emplace();
      continue;
    }
    if (!in_profile) continue;
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    (*settings)[std::string(Trim(line.substr(0, equals)))] =
        std::string(Trim(line.substr(equals + 1)));
  }
  return settings;
}

std::string Setting(const ProfileSettings& settings, std::string_view key) {
  auto it = settings.find(key);
  return it == settings.end() ? std::string() : it->second;
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
  std::optional<ProfileSettings> settings = ParseProfile(text, profile);
  if (!settings) {
    return Fail(ErrorCode::kNotFound,
                "profile '" + std::string(profile) + "' not found in the shared credentials file");
  }
  Credentials credentials{Setting(*settings, "aws_access_key_id"),
                          Setting(*settings, "aws_secret_access_key"),
                          Setting(*settings, "aws_session_token")};
  if (credentials.access_key_id.empty() && credentials.secret_access_key.empty()) {
    // A config-file profile often holds only its region.
    return Fail(ErrorCode::kNotFound, "profile '" + std::string(profile) + "' has no keys");
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
  const std::string name = ProfileName(profile, environment);
  for (const SharedFile& file : {kCredentialsFile, kConfigFile}) {
    std::optional<std::string> text = ReadSharedFile(file, environment);
    if (!text) continue;
    auto credentials = ParseSharedCredentials(*text, name);
    if (credentials || credentials.error().code != ErrorCode::kNotFound) return credentials;
  }
  return Fail(ErrorCode::kNotFound,
              "no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and "
              "profile '" +
                  name + "' has no keys in the shared credentials or config file");
}

std::optional<std::string> ResolveRegion(std::string_view profile,
                                         const EnvironmentLookup& environment) {
  if (auto region = NonEmpty(environment, "AWS_REGION")) return region;
  if (auto region = NonEmpty(environment, "AWS_DEFAULT_REGION")) return region;
  std::optional<std::string> text = ReadSharedFile(kConfigFile, environment);
  if (!text) return std::nullopt;
  std::optional<ProfileSettings> settings = ParseProfile(*text, ProfileName(profile, environment));
  if (!settings) return std::nullopt;
  std::string region = Setting(*settings, "region");
  if (region.empty()) return std::nullopt;
  return region;
}

}  // namespace sluice::client
