#include "stream/key_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace sluice::stream {
namespace {

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("sluice-key-store-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::shared_ptr<KeyStore> OpenStore() {
    auto db = SqliteDatabase::Open(path_);
    EXPECT_TRUE(db);
    auto store = KeyStore::Open(**db, "us-east-1", "123456789012");
    EXPECT_TRUE(store) << store.error().message;
    return *store;
  }

  std::filesystem::path path_;
};

TEST_F(KeyStoreTest, HasTheKinesisManagedKeyUnderEveryNameKmsAccepts) {
  std::shared_ptr<KeyStore> store = OpenStore();
  auto key = store->Find("alias/aws/kinesis");
  ASSERT_TRUE(key);
  auto by_arn = store->Find("arn:aws:kms:us-east-1:123456789012:alias/aws/kinesis");
  ASSERT_TRUE(by_arn);
  EXPECT_EQ(by_arn->id, key->id);
  EXPECT_EQ(by_arn->bytes, key->bytes);
  auto resolved = store->Resolve(key->id);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->bytes, key->bytes);
}

TEST_F(KeyStoreTest, KeepsTheSameKeyAcrossReopen) {
  const storage::SealKey first = *OpenStore()->Find("alias/aws/kinesis");
  const storage::SealKey again = *OpenStore()->Find("alias/aws/kinesis");
  EXPECT_EQ(first.id, again.id);
  EXPECT_EQ(first.bytes, again.bytes);
  EXPECT_NE(first.bytes, (std::array<uint8_t, storage::kSealKeyBytes>{}));
}

TEST_F(KeyStoreTest, RefusesUnknownKeysAndOtherAccounts) {
  std::shared_ptr<KeyStore> store = OpenStore();
  for (const char* id : {"alias/mine", "0f0e2f6a-0000-4000-8000-000000000000",
                         "arn:aws:kms:us-east-1:999999999999:alias/aws/kinesis"}) {
    auto key = store->Find(id);
    ASSERT_FALSE(key) << id;
    EXPECT_EQ(key.error().wire_type, "KMSNotFoundException");
  }
  EXPECT_EQ(store->Resolve(999).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace sluice::stream
