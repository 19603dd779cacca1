#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/sqlite_database.h"
#include "stream/shard_iterator.h"
#include "stream/stream_info.h"

namespace sluice::stream {

// The calls AWS allows only so many times per stream in a rolling 24 hours.
enum class LimitedCall { kUpdateShardCount, kUpdateStreamMode };

// Streams, shards and tags in meta.db, plus the server key that signs shard iterators.
// Every change is one SQLite transaction (synchronous=FULL), so it survives a crash once
// the call returns. Not thread-safe: StreamManager serialises calls.
class StreamStore {
 public:
  // Creates the tables on first use. Borrows `db`, which must outlive the store.
  [[nodiscard]] static Result<std::unique_ptr<StreamStore>> Open(SqliteDatabase& db);

  [[nodiscard]] Result<std::vector<StreamInfo>> LoadAll();
  // The iterator signing key, created (random) on first call and kept from then on.
  [[nodiscard]] Result<ShardIteratorCodec::Key> IteratorKey();
  // A stream uid never handed out before.
  [[nodiscard]] Result<uint64_t> NextStreamUid();

  [[nodiscard]] Status Insert(const StreamInfo& stream);
  [[nodiscard]] Status UpdateStatus(uint64_t uid, StreamStatus status, int64_t changed_ms);
  [[nodiscard]] Status UpdateRetention(uint64_t uid, int64_t retention_hours);
  [[nodiscard]] Status UpdateMode(uint64_t uid, StreamMode mode);
  [[nodiscard]] Status UpdateMaxRecordSize(uint64_t uid, uint32_t kib);
  [[nodiscard]] Status UpdateEncryption(uint64_t uid, const std::optional<std::string>& key_id);
  [[nodiscard]] Status UpdatePendingChange(uint64_t uid, const std::optional<std::string>& change);
  // When the recent calls of `call` were accepted (StreamInfo's *_updates_ms).
  [[nodiscard]] Status UpdateCallHistory(uint64_t uid, LimitedCall call,
                                         const std::vector<int64_t>& times_ms);
  // Resharding: the children of a reshard, a closed shard's end, an expired shard.
  [[nodiscard]] Status AddShards(uint64_t uid, const std::vector<ShardInfo>& shards);
  [[nodiscard]] Status SetShardEnd(uint64_t uid, uint32_t index, uint64_t end_position);
  [[nodiscard]] Status DeleteShard(uint64_t uid, uint32_t index);
  [[nodiscard]] Status ReplaceTags(uint64_t uid, const std::map<std::string, std::string>& tags);
  [[nodiscard]] Status Delete(uint64_t uid);

 private:
  explicit StreamStore(SqliteDatabase& db) : db_(db) {}
  // Brings an older meta.db up to the current schema (PRAGMA user_version).
  [[nodiscard]] Status Migrate();
  // Sets one column of the stream's row (an int64_t, or text where nullopt is NULL).
  template <typename Value>
  [[nodiscard]] Status UpdateColumn(uint64_t uid, std::string_view column, const Value& value);
  [[nodiscard]] Status LoadShards(std::map<uint64_t, StreamInfo*>& by_uid);
  [[nodiscard]] Status LoadTags(std::map<uint64_t, StreamInfo*>& by_uid);
  [[nodiscard]] Status WriteTags(uint64_t uid, const std::map<std::string, std::string>& tags);
  [[nodiscard]] Result<std::string> Setting(const std::string& key);
  [[nodiscard]] Status PutSetting(const std::string& key, const std::string& value);
  // Runs `body` in a transaction, rolled back if it fails.
  template <typename Body>
  [[nodiscard]] Status InTransaction(Body&& body);

  SqliteDatabase& db_;
};

}  // namespace sluice::stream
