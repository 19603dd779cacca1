#include "credentials.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace sluice::client {
namespace {

class CredentialsTest : public ::testing::Test {
 protected:
  EnvironmentLookup Environment() {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }

  std::string WriteFile(const std::string& text, const std::string& kind = "credentials") {
    std::string path = ::testing::TempDir() + "/" + kind + "-" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::ofstream(path) << text;
    return path;
  }

  std::map<std::string, std::string> env_;
};

constexpr std::string_view kFile =
    "# comment\n"
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULT\n"
    "aws_secret_access_key=default-secret\n"
    "\n"
    "[profile work]\r\n"
    "aws_access_key_id = AKIDWORK\r\n"
    "aws_secret_access_key = work-secret\r\n"
    "aws_session_token = work-token\r\n"
    "[broken]\n"
    "aws_access_key_id = AKIDBROKEN\n";

TEST_F(CredentialsTest, EnvironmentVariablesComeFirst) {
  env_ = {{"AWS_ACCESS_KEY_ID", "AKIDENV"},
          {"AWS_SECRET_ACCESS_KEY", "env-secret"},
          {"AWS_SESSION_TOKEN", "env-token"},
          {"AWS_SHARED_CREDENTIALS_FILE", WriteFile(std::string(kFile))}};
  auto credentials = ResolveCredentials("", Environment());
  ASSERT_TRUE(credentials) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "AKIDENV");
  EXPECT_EQ(credentials->secret_access_key, "env-secret");
  EXPECT_EQ(credentials->session_token, "env-token");
}

TEST_F(CredentialsTest, SharedFileDefaultProfile) {
  env_ = {{"AWS_SHARED_CREDENTIALS_FILE", WriteFile(std::string(kFile))}};
  auto credentials = ResolveCredentials("", Environment());
  ASSERT_TRUE(credentials) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(credentials->secret_access_key, "default-secret");
  EXPECT_TRUE(credentials->session_token.empty());
}

TEST_F(CredentialsTest, SharedFileProfileFromEnvironmentOrConfig) {
  env_ = {{"AWS_SHARED_CREDENTIALS_FILE", WriteFile(std::string(kFile))}, {"AWS_PROFILE", "work"}};
  auto from_env = ResolveCredentials("", Environment());
  ASSERT_TRUE(from_env) << from_env.error().message;
  EXPECT_EQ(from_env->access_key_id, "AKIDWORK");
  EXPECT_EQ(from_env->session_token, "work-token");
  auto explicit_profile = ResolveCredentials("default", Environment());
  ASSERT_TRUE(explicit_profile);
  EXPECT_EQ(explicit_profile->access_key_id, "AKIDDEFAULT");
}

TEST_F(CredentialsTest, HomeDirectoryFile) {
  const std::string home = ::testing::TempDir() + "/home-credentials";
  std::filesystem::create_directories(home + "/.aws");
  std::ofstream(home + "/.aws/credentials") << kFile;
  env_ = {{"HOME", home}};
  auto credentials = ResolveCredentials("", Environment());
  ASSERT_TRUE(credentials) << credentials.error().message;
  EXPECT_EQ(credentials->access_key_id, "AKIDDEFAULT");
}

TEST_F(CredentialsTest, MissingProfileOrKeysAreErrors) {
  env_ = {{"AWS_SHARED_CREDENTIALS_FILE", WriteFile(std::string(kFile))}};
  auto missing = ResolveCredentials("nope", Environment());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto broken = ResolveCredentials("broken", Environment());
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kInvalidArgument);
  env_ = {{"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"}};
  auto no_file = ResolveCredentials("", Environment());
  ASSERT_FALSE(no_file);
  EXPECT_EQ(no_file.error().code, ErrorCode::kNotFound);
}

TEST_F(CredentialsTest, ConfigFileAfterTheCredentialsFile) {
  const std::string config = WriteFile(
      "[default]\nregion = eu-west-1\n"
      "[profile ci]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = config-secret\n"
      "region = ap-south-1\n",
      "config");
  env_ = {{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", "ci"}};
  auto from_config = ResolveCredentials("", Environment());
  ASSERT_TRUE(from_config) << from_config.error().message;
  EXPECT_EQ(from_config->access_key_id, "AKIDCONFIG");
  // The same profile in the credentials file wins.
  env_["AWS_SHARED_CREDENTIALS_FILE"] =
      WriteFile("[ci]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = creds-secret\n");
  auto from_credentials = ResolveCredentials("", Environment());
  ASSERT_TRUE(from_credentials);
  EXPECT_EQ(from_credentials->access_key_id, "AKIDCREDS");
  // No profile with keys anywhere.
  auto none = ResolveCredentials("default", Environment());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

TEST_F(CredentialsTest, ASectionHeaderMayCarryAComment) {
  constexpr std::string_view kCommented =
      "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n"
      "[ci]   # the CI account\naws_access_key_id = AKIDCI\naws_secret_access_key = ci-secret\n";
  auto ci = ParseSharedCredentials(kCommented, "ci");
  ASSERT_TRUE(ci) << ci.error().message;
  EXPECT_EQ(ci->access_key_id, "AKIDCI");
  auto fallback = ParseSharedCredentials(kCommented, "default");
  ASSERT_TRUE(fallback);
  EXPECT_EQ(fallback->access_key_id, "AKIDDEFAULT");
}

TEST_F(CredentialsTest, RegionFromTheEnvironmentThenTheConfigFile) {
  env_ = {
      {"AWS_CONFIG_FILE",
       WriteFile("[default]\nregion = eu-west-1\n[profile ci]\nregion = ap-south-1\n", "config")}};
  EXPECT_EQ(ResolveRegion("", Environment()), "eu-west-1");
  EXPECT_EQ(ResolveRegion("ci", Environment()), "ap-south-1");
  EXPECT_EQ(ResolveRegion("other", Environment()), std::nullopt);
  env_["AWS_DEFAULT_REGION"] = "us-west-2";
  EXPECT_EQ(ResolveRegion("ci", Environment()), "us-west-2");
  env_["AWS_REGION"] = "eu-central-1";
  EXPECT_EQ(ResolveRegion("ci", Environment()), "eu-central-1");
  env_ = {};
  EXPECT_EQ(ResolveRegion("", Environment()), std::nullopt);
}

TEST_F(CredentialsTest, HalfSetEnvironmentFallsBackToFile) {
  env_ = {{"AWS_ACCESS_KEY_ID", "AKIDENV"},
          {"AWS_SHARED_CREDENTIALS_FILE", WriteFile(std::string(kFile))}};
  auto credentials = ResolveCredentials("", Environment());
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->access_key_id, "AKIDDEFAULT");
}

}  // namespace
}  // namespace sluice::client
