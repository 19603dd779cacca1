#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/sqlite_database.h"
#include "storage/seal.h"

namespace sluice::stream {

// The local key store behind StartStreamEncryption: AES-256 keys in meta.db, each with a
// KMS-style key id (a UUID), a number that sealed batches on disk name, and aliases.
// `alias/aws/kinesis` (the AWS-managed key for Kinesis) exists from the first start.
//
// Keys are loaded when the store opens and never change afterwards, so Resolve and Find
// are thread-safe and touch no disk.
class KeyStore final : public storage::KeyResolver {
 public:
  static constexpr std::string_view kDefaultAlias = "alias/aws/kinesis";

  // Creates the tables and the default key on first use; borrows `db` only while opening.
  [[nodiscard]] static Result<std::shared_ptr<KeyStore>> Open(SqliteDatabase& db,
                                                              std::string region,
                                                              std::string account_id);

  // The key sealed batches name by `number`.
  [[nodiscard]] Result<storage::SealKey> Resolve(uint32_t number) const override;
  // The key a KeyId names, as KMS accepts it: key id, key ARN, alias name or alias ARN.
  // KMSNotFoundException when there is none.
  [[nodiscard]] Result<storage::SealKey> Find(std::string_view key_id) const;

 private:
  KeyStore(std::string region, std::string account_id)
      : region_(std::move(region)), account_id_(std::move(account_id)) {}
  [[nodiscard]] Status Load(SqliteDatabase& db);
  [[nodiscard]] Status CreateDefaultKey(SqliteDatabase& db);

  const std::string region_;
  const std::string account_id_;
  std::map<uint32_t, storage::SealKey> by_number_;
  std::map<std::string, uint32_t, std::less<>> by_name_;  // key ids and alias names
};

}  // namespace sluice::stream
