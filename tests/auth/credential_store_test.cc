#include "auth/credential_store.h"

#include <gtest/gtest.h>

#include <fstream>

namespace sluice::auth {
namespace {

class CredentialStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-credentials-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(const std::string& text) {
    std::filesystem::path path = dir_ / "access-keys.yaml";
    std::ofstream(path) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(CredentialStoreTest, FindsSecretsOfConfiguredKeys) {
  CredentialStore store({{"AKID1", "secret1"}, {"AKID2", "secret2"}});
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.FindSecret("AKID2").value(), "secret2");
  EXPECT_FALSE(store.FindSecret("AKID3"));
}

TEST_F(CredentialStoreTest, EmptyStoreMeansOpen) { EXPECT_TRUE(CredentialStore().empty()); }

TEST_F(CredentialStoreTest, ReadsAKeyFile) {
  auto keys =
      CredentialStore::ReadKeyFile(Write("- access_key_id: AKID\n  secret_access_key: s3cr3t\n"));
  ASSERT_TRUE(keys) << keys.error().message;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].access_key_id, "AKID");
  EXPECT_EQ((*keys)[0].secret_access_key, "s3cr3t");
}

TEST_F(CredentialStoreTest, AMissingKeyFileHasNoKeys) {
  auto keys = CredentialStore::ReadKeyFile(dir_ / "absent.yaml");
  ASSERT_TRUE(keys);
  EXPECT_TRUE(keys->empty());
}

TEST_F(CredentialStoreTest, RefusesEntriesWithoutASecret) {
  auto keys = CredentialStore::ReadKeyFile(Write("- access_key_id: AKID\n"));
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(CredentialStoreTest, RefusesMalformedYamlWithoutLeakingThePath) {
  auto keys = CredentialStore::ReadKeyFile(Write("- [unclosed\n"));
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().message.find(dir_.string()), std::string::npos);
}

TEST_F(CredentialStoreTest, RefusesANonListFile) {
  auto keys = CredentialStore::ReadKeyFile(Write("access_key_id: AKID\n"));
  ASSERT_FALSE(keys);
}

}  // namespace
}  // namespace sluice::auth
