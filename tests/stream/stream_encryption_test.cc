// Encryption at rest through the StreamManager: StartStreamEncryption and
// StopStreamEncryption, what lands on disk, and reads across the switches and a restart.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "stream_manager_fixture.h"

namespace sluice::stream {
namespace {

class StreamEncryptionTest : public StreamManagerTest {
 protected:
  void SetUp() override {
    StreamManagerTest::SetUp();
    CreateActive("s", 1);
  }
  void PutMarked(const std::string& marker, int count) {
    std::vector<TestRecord> entries;
    for (int i = 0; i < count; ++i) {
      entries.push_back(TestRecord{marker + "-" + std::to_string(i), "pk-" + marker, {}});
    }
    auto outcomes = Put("s", std::move(entries));
    ASSERT_TRUE(outcomes);
    for (const PutOutcome& outcome : *outcomes) ASSERT_FALSE(outcome.error);
  }
  // Every byte the manager keeps on disk: segments, indexes, the write-ahead log (which
  // has the newest records before their segment files do), the metadata.
  std::string DiskBytes() {
    std::string all;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream file(entry.path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << file.rdbuf();
      all += bytes.str();
    }
    return all;
  }
  void Update(Status status) {
    ASSERT_TRUE(status) << status.error().message;
    ASSERT_TRUE(WaitFor("s", StreamStatus::kActive));
  }
};

TEST_F(StreamEncryptionTest, SealsRecordsOnDiskAndReadsEverythingBack) {
  PutMarked("plain-before", 20);
  Update(manager_->StartStreamEncryption("s", "alias/aws/kinesis"));
  EXPECT_EQ(manager_->Describe("s")->encryption_key_id, "alias/aws/kinesis");
  EXPECT_TRUE(manager_->WriteSettingsOf("s")->encrypted);
  PutMarked("secret-payload", 20);
  const std::string disk = DiskBytes();
  EXPECT_NE(disk.find("plain-before-7"), std::string::npos);
  EXPECT_EQ(disk.find("secret-payload"), std::string::npos);
  EXPECT_EQ(disk.find("pk-secret"), std::string::npos);

  Update(manager_->StopStreamEncryption("s"));
  EXPECT_FALSE(manager_->Describe("s")->encryption_key_id);
  PutMarked("plain-after", 20);
  Reopen();
  const std::vector<std::string> data = ReadAll("s", "shardId-000000000000");
  ASSERT_EQ(data.size(), 60u);
  EXPECT_EQ(data[0], "plain-before-0");
  EXPECT_EQ(data[20], "secret-payload-0");
  EXPECT_EQ(data[59], "plain-after-19");
}

TEST_F(StreamEncryptionTest, StaysEncryptedAcrossARestartAndAReshard) {
  Update(manager_->StartStreamEncryption("s", "alias/aws/kinesis"));
  Reopen();
  EXPECT_TRUE(manager_->WriteSettingsOf("s")->encrypted);
  Update(manager_->SplitShard("s", "shardId-000000000000", HashKey{1} << 127));
  PutMarked("child-secret", 20);
  EXPECT_EQ(DiskBytes().find("child-secret"), std::string::npos);
}

TEST_F(StreamEncryptionTest, RefusesAKeyTheStoreDoesNotHave) {
  auto refused = manager_->StartStreamEncryption("s", "alias/nobody");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().wire_type, "KMSNotFoundException");
  EXPECT_EQ(manager_->Describe("s")->status, StreamStatus::kActive);
}

}  // namespace
}  // namespace sluice::stream
