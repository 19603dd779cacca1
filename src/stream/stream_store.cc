#include "stream/stream_store.h"

#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <type_traits>

namespace sluice::stream {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS settings(
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS streams(
  uid INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  mode INTEGER NOT NULL,
  status INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  status_changed_ms INTEGER NOT NULL,
  retention_hours INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS shards(
  stream_uid INTEGER NOT NULL REFERENCES streams(uid) ON DELETE CASCADE,
  shard_index INTEGER NOT NULL,
  parent_index INTEGER,
  adjacent_parent_index INTEGER,
  start_hash TEXT NOT NULL,
  end_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  end_position INTEGER,
  PRIMARY KEY(stream_uid, shard_index));
CREATE TABLE IF NOT EXISTS stream_tags(
  stream_uid INTEGER NOT NULL REFERENCES streams(uid) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(stream_uid, key));
)sql";

// Changes to the schema above, applied in order to a meta.db whose user_version is lower.
constexpr const char* kMigrations[] = {
    // 1: per-stream record size limit (UpdateMaxRecordSize) and encryption key.
    "ALTER TABLE streams ADD COLUMN max_record_size_kib INTEGER NOT NULL DEFAULT 1024;"
    "ALTER TABLE streams ADD COLUMN encryption_key TEXT;",
    // 2: the change an UPDATING stream carries out when the update ends.
    "ALTER TABLE streams ADD COLUMN pending_change TEXT;",
    // 3: when the last UpdateShardCount calls were accepted (comma-separated ms).
    "ALTER TABLE streams ADD COLUMN shard_count_updates TEXT NOT NULL DEFAULT '';",
    // 4: when the last UpdateStreamMode calls were accepted.
    "ALTER TABLE streams ADD COLUMN mode_updates TEXT NOT NULL DEFAULT '';",
};

constexpr const char* kIteratorKeySetting = "shard_iterator_key";
constexpr const char* kNextUidSetting = "next_stream_uid";

// "1,2,3" for {1, 2, 3}, and back; what does not parse is skipped.
std::string FormatTimes(const std::vector<int64_t>& times) {
  std::string text;
  for (int64_t ms : times) text += (text.empty() ? "" : ",") + std::to_string(ms);
  return text;
}

std::vector<int64_t> ParseTimes(std::string_view text) {
  std::vector<int64_t> times;
  while (!text.empty()) {
    const size_t comma = std::min(text.find(','), text.size());
    int64_t ms = 0;
    const std::string_view item = text.substr(0, comma);
    if (std::from_chars(item.data(), item.data() + item.size(), ms).ec == std::errc()) {
      times.push_back(ms);
    }
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return times;
}

void BindValue(SqliteStatement& statement, int index, int64_t value) {
  statement.Bind(index, value);
}

// NULL for nullopt; integers as SQLite's INTEGER.
template <typename T>
void BindValue(SqliteStatement& statement, int index, const std::optional<T>& value) {
  if (!value) {
    statement.BindNull(index);
  } else if constexpr (std::is_integral_v<T>) {
    statement.Bind(index, static_cast<int64_t>(*value));
  } else {
    statement.Bind(index, *value);
  }
}

Status InsertShard(SqliteDatabase& db, uint64_t uid, const ShardInfo& shard) {
  auto statement = db.Prepare(
      "INSERT INTO shards(stream_uid, shard_index, parent_index, adjacent_parent_index, "
      "start_hash, end_hash, created_ms, end_position) VALUES(?,?,?,?,?,?,?,?)");
  if (!statement) return Fail(statement.error());
  statement->Bind(1, static_cast<int64_t>(uid)).Bind(2, static_cast<int64_t>(shard.index));
  BindValue(*statement, 3, shard.parent_index);
  BindValue(*statement, 4, shard.adjacent_parent_index);
  statement->Bind(5, FormatHashKey(shard.range.start)).Bind(6, FormatHashKey(shard.range.end));
  statement->Bind(7, shard.created_ms);
  BindValue(*statement, 8, shard.end_position);
  return statement->Run();
}

std::optional<uint32_t> OptionalIndex(const SqliteStatement& row, int column) {
  if (row.ColumnIsNull(column)) return std::nullopt;
  return static_cast<uint32_t>(row.ColumnInt(column));
}

}  // namespace

Result<std::unique_ptr<StreamStore>> StreamStore::Open(SqliteDatabase& db) {
  if (auto ok = db.Exec(kSchema); !ok) return Fail(ok.error());
  std::unique_ptr<StreamStore> store(new StreamStore(db));
  if (auto ok = store->Migrate(); !ok) return Fail(ok.error());
  return store;
}

Status StreamStore::Migrate() {
  auto version = db_.Prepare("PRAGMA user_version");
  if (!version) return Fail(version.error());
  auto row = version->Step();
  if (!row) return Fail(row.error());
  const int64_t current = *row ? version->ColumnInt(0) : 0;
  const int64_t latest = static_cast<int64_t>(std::size(kMigrations));
  for (int64_t step = current; step < latest; ++step) {
    Status applied = InTransaction([&]() -> Status {
      if (auto ok = db_.Exec(kMigrations[step]); !ok) return ok;
      return db_.Exec("PRAGMA user_version = " + std::to_string(step + 1));
    });
    if (!applied) return applied;
  }
  return Ok();
}

template <typename Body>
Status StreamStore::InTransaction(Body&& body) {
  if (auto ok = db_.Exec("BEGIN IMMEDIATE"); !ok) return ok;
  Status result = body();
  if (!result) {
    (void)db_.Exec("ROLLBACK");
    return result;
  }
  return db_.Exec("COMMIT");
}

Result<std::vector<StreamInfo>> StreamStore::LoadAll() {
  auto rows = db_.Prepare(
      "SELECT uid, name, mode, status, created_ms, status_changed_ms, retention_hours, "
      "max_record_size_kib, encryption_key, pending_change, shard_count_updates, mode_updates "
      "FROM streams ORDER BY name");
  if (!rows) return Fail(rows.error());
  std::vector<StreamInfo> streams;
  auto read = rows->ForEachRow([&]() -> Status {
    StreamInfo info;
    info.uid = static_cast<uint64_t>(rows->ColumnInt(0));
    info.name = rows->ColumnText(1);
    info.mode = static_cast<StreamMode>(rows->ColumnInt(2));
    info.status = static_cast<StreamStatus>(rows->ColumnInt(3));
    info.created_ms = rows->ColumnInt(4);
    info.status_changed_ms = rows->ColumnInt(5);
    info.retention_hours = rows->ColumnInt(6);
    info.max_record_size_kib = static_cast<uint32_t>(rows->ColumnInt(7));
    if (!rows->ColumnIsNull(8)) info.encryption_key_id = rows->ColumnText(8);
    if (!rows->ColumnIsNull(9)) info.pending_change = rows->ColumnText(9);
    info.shard_count_updates_ms = ParseTimes(rows->ColumnText(10));
    info.mode_updates_ms = ParseTimes(rows->ColumnText(11));
    streams.push_back(std::move(info));
    return Ok();
  });
  if (!read) return Fail(read.error());
  std::map<uint64_t, StreamInfo*> by_uid;
  for (StreamInfo& stream : streams) by_uid[stream.uid] = &stream;
  if (auto ok = LoadShards(by_uid); !ok) return Fail(ok.error());
  if (auto ok = LoadTags(by_uid); !ok) return Fail(ok.error());
  return streams;
}

Status StreamStore::LoadShards(std::map<uint64_t, StreamInfo*>& by_uid) {
  auto rows = db_.Prepare(
      "SELECT stream_uid, shard_index, parent_index, adjacent_parent_index, start_hash, "
      "end_hash, created_ms, end_position FROM shards ORDER BY stream_uid, shard_index");
  if (!rows) return Fail(rows.error());
  return rows->ForEachRow([&]() -> Status {
    auto stream = by_uid.find(static_cast<uint64_t>(rows->ColumnInt(0)));
    if (stream == by_uid.end()) return Ok();
    ShardInfo shard;
    shard.index = static_cast<uint32_t>(rows->ColumnInt(1));
    shard.parent_index = OptionalIndex(*rows, 2);
    shard.adjacent_parent_index = OptionalIndex(*rows, 3);
    auto start = ParseHashKey(rows->ColumnText(4));
    auto end = ParseHashKey(rows->ColumnText(5));
    if (!start || !end) {
      return Fail(ErrorCode::kDataLoss, "metadata store: invalid hash key range of a shard");
    }
    shard.range = HashKeyRange{*start, *end};
    shard.created_ms = rows->ColumnInt(6);
    if (!rows->ColumnIsNull(7)) shard.end_position = static_cast<uint64_t>(rows->ColumnInt(7));
    stream->second->shards.push_back(shard);
    return Ok();
  });
}

Status StreamStore::LoadTags(std::map<uint64_t, StreamInfo*>& by_uid) {
  auto rows = db_.Prepare("SELECT stream_uid, key, value FROM stream_tags");
  if (!rows) return Fail(rows.error());
  return rows->ForEachRow([&]() -> Status {
    auto stream = by_uid.find(static_cast<uint64_t>(rows->ColumnInt(0)));
    if (stream != by_uid.end()) stream->second->tags[rows->ColumnText(1)] = rows->ColumnText(2);
    return Ok();
  });
}

Result<std::string> StreamStore::Setting(const std::string& key) {
  auto statement = db_.Prepare("SELECT value FROM settings WHERE key = ?");
  if (!statement) return Fail(statement.error());
  statement->Bind(1, key);
  auto row = statement->Step();
  if (!row) return Fail(row.error());
  return *row ? statement->ColumnText(0) : std::string();
}

Status StreamStore::PutSetting(const std::string& key, const std::string& value) {
  auto statement = db_.Prepare("INSERT OR REPLACE INTO settings(key, value) VALUES(?, ?)");
  if (!statement) return Fail(statement.error());
  statement->Bind(1, key).BindBlob(2, value);
  return statement->Run();
}

Result<ShardIteratorCodec::Key> StreamStore::IteratorKey() {
  ShardIteratorCodec::Key key{};
  auto stored = Setting(kIteratorKeySetting);
  if (!stored) return Fail(stored.error());
  if (stored->size() == key.size()) {
    std::copy(stored->begin(), stored->end(), key.begin());
    return key;
  }
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return Fail(ErrorCode::kInternal, "cannot generate the shard iterator key");
  }
  auto ok = PutSetting(kIteratorKeySetting,
                       std::string(reinterpret_cast<const char*>(key.data()), key.size()));
  if (!ok) return Fail(ok.error());
  return key;
}

Result<uint64_t> StreamStore::NextStreamUid() {
  auto stored = Setting(kNextUidSetting);
  if (!stored) return Fail(stored.error());
  const uint64_t uid = stored->empty() ? 1 : std::stoull(*stored);
  if (auto ok = PutSetting(kNextUidSetting, std::to_string(uid + 1)); !ok) return Fail(ok.error());
  return uid;
}

Status StreamStore::Insert(const StreamInfo& stream) {
  return InTransaction([&]() -> Status {
    auto statement = db_.Prepare(
        "INSERT INTO streams(uid, name, mode, status, created_ms, status_changed_ms, "
        "retention_hours, max_record_size_kib) VALUES(?,?,?,?,?,?,?,?)");
    if (!statement) return Fail(statement.error());
    statement->Bind(1, static_cast<int64_t>(stream.uid)).Bind(2, stream.name);
    statement->Bind(3, static_cast<int64_t>(stream.mode));
    statement->Bind(4, static_cast<int64_t>(stream.status));
    statement->Bind(5, stream.created_ms).Bind(6, stream.status_changed_ms);
    statement->Bind(7, stream.retention_hours);
    statement->Bind(8, static_cast<int64_t>(stream.max_record_size_kib));
    if (auto ok = statement->Run(); !ok) return ok;
    for (const ShardInfo& shard : stream.shards) {
      if (auto ok = InsertShard(db_, stream.uid, shard); !ok) return ok;
    }
    return WriteTags(stream.uid, stream.tags);
  });
}

Status StreamStore::UpdateStatus(uint64_t uid, StreamStatus status, int64_t changed_ms) {
  auto statement =
      db_.Prepare("UPDATE streams SET status = ?, status_changed_ms = ? WHERE uid = ?");
  if (!statement) return Fail(statement.error());
  statement->Bind(1, static_cast<int64_t>(status)).Bind(2, changed_ms);
  statement->Bind(3, static_cast<int64_t>(uid));
  return statement->Run();
}

template <typename Value>
Status StreamStore::UpdateColumn(uint64_t uid, std::string_view column, const Value& value) {
  auto statement = db_.Prepare("UPDATE streams SET " + std::string(column) + " = ? WHERE uid = ?");
  if (!statement) return Fail(statement.error());
  BindValue(*statement, 1, value);
  statement->Bind(2, static_cast<int64_t>(uid));
  return statement->Run();
}

Status StreamStore::UpdateRetention(uint64_t uid, int64_t retention_hours) {
  return UpdateColumn(uid, "retention_hours", retention_hours);
}

Status StreamStore::UpdateMode(uint64_t uid, StreamMode mode) {
  return UpdateColumn(uid, "mode", static_cast<int64_t>(mode));
}

Status StreamStore::UpdateMaxRecordSize(uint64_t uid, uint32_t kib) {
  return UpdateColumn(uid, "max_record_size_kib", int64_t{kib});
}

Status StreamStore::UpdateEncryption(uint64_t uid, const std::optional<std::string>& key_id) {
  return UpdateColumn(uid, "encryption_key", key_id);
}

Status StreamStore::UpdatePendingChange(uint64_t uid, const std::optional<std::string>& change) {
  return UpdateColumn(uid, "pending_change", change);
}

Status StreamStore::UpdateCallHistory(uint64_t uid, LimitedCall call,
                                      const std::vector<int64_t>& times_ms) {
  return UpdateColumn(
      uid, call == LimitedCall::kUpdateShardCount ? "shard_count_updates" : "mode_updates",
      std::optional<std::string>(FormatTimes(times_ms)));
}

Status StreamStore::AddShards(uint64_t uid, const std::vector<ShardInfo>& shards) {
  return InTransaction([&]() -> Status {
    for (const ShardInfo& shard : shards) {
      if (auto ok = InsertShard(db_, uid, shard); !ok) return ok;
    }
    return Ok();
  });
}

Status StreamStore::SetShardEnd(uint64_t uid, uint32_t index, uint64_t end_position) {
  auto statement =
      db_.Prepare("UPDATE shards SET end_position = ? WHERE stream_uid = ? AND shard_index = ?");
  if (!statement) return Fail(statement.error());
  statement->Bind(1, static_cast<int64_t>(end_position)).Bind(2, static_cast<int64_t>(uid));
  statement->Bind(3, static_cast<int64_t>(index));
  return statement->Run();
}

Status StreamStore::DeleteShard(uint64_t uid, uint32_t index) {
  auto statement = db_.Prepare("DELETE FROM shards WHERE stream_uid = ? AND shard_index = ?");
  if (!statement) return Fail(statement.error());
  statement->Bind(1, static_cast<int64_t>(uid)).Bind(2, static_cast<int64_t>(index));
  return statement->Run();
}

Status StreamStore::ReplaceTags(uint64_t uid, const std::map<std::string, std::string>& tags) {
  return InTransaction([&] { return WriteTags(uid, tags); });
}

Status StreamStore::WriteTags(uint64_t uid, const std::map<std::string, std::string>& tags) {
  auto clear = db_.Prepare("DELETE FROM stream_tags WHERE stream_uid = ?");
  if (!clear) return Fail(clear.error());
  clear->Bind(1, static_cast<int64_t>(uid));
  if (auto ok = clear->Run(); !ok) return ok;
  for (const auto& [key, value] : tags) {
    auto insert = db_.Prepare("INSERT INTO stream_tags(stream_uid, key, value) VALUES(?,?,?)");
    if (!insert) return Fail(insert.error());
    insert->Bind(1, static_cast<int64_t>(uid)).Bind(2, key).Bind(3, value);
    if (auto ok = insert->Run(); !ok) return ok;
  }
  return Ok();
}

Status StreamStore::Delete(uint64_t uid) {
  auto statement = db_.Prepare("DELETE FROM streams WHERE uid = ?");
  if (!statement) return Fail(statement.error());
  statement->Bind(1, static_cast<int64_t>(uid));
  return statement->Run();
}

}  // namespace sluice::stream
