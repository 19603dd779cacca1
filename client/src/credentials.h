#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "sluice/producer.h"

namespace sluice::client {

// Reads an environment variable; nullopt when unset. Tests pass their own.
using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view name)>;

EnvironmentLookup ProcessEnvironment();

// The credentials the AWS SDKs would use, in their order: AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN), then `profile` (empty: AWS_PROFILE, else
// "default") in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
// $HOME/.aws/credentials), then in the shared config file (AWS_CONFIG_FILE, else
// $HOME/.aws/config). kNotFound when none is found; kInvalidArgument when the profile that
// has keys lacks one of them. Reads files; call off hot paths.
[[nodiscard]] Result<Credentials> ResolveCredentials(std::string_view profile,
                                                     const EnvironmentLookup& environment);

// The region the AWS SDKs would use: AWS_REGION, AWS_DEFAULT_REGION, then `region` of
// `profile` (as above) in the shared config file; nullopt when none is set.
std::optional<std::string> ResolveRegion(std::string_view profile,
                                         const EnvironmentLookup& environment);

// Parses the INI text of a shared credentials (or config) file and returns `profile`'s
// keys; kNotFound when the profile is absent or has neither key.
[[nodiscard]] Result<Credentials> ParseSharedCredentials(std::string_view text,
                                                         std::string_view profile);

}  // namespace sluice::client
