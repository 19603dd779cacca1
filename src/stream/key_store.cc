#include "stream/key_store.h"

#include <span>

#include "common/uuid.h"

namespace sluice::stream {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS kms_keys(
  number INTEGER PRIMARY KEY,
  key_id TEXT NOT NULL UNIQUE,
  material BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS kms_aliases(
  alias TEXT PRIMARY KEY,
  key_number INTEGER NOT NULL REFERENCES kms_keys(number));
)sql";

}  // namespace

Result<std::shared_ptr<KeyStore>> KeyStore::Open(SqliteDatabase& db, std::string region,
                                                 std::string account_id) {
  if (auto ok = db.Exec(kSchema); !ok) return Fail(ok.error());
  std::shared_ptr<KeyStore> store(new KeyStore(std::move(region), std::move(account_id)));
  if (auto ok = store->Load(db); !ok) return Fail(ok.error());
  if (store->by_name_.count(kDefaultAlias) == 0) {
    if (auto ok = store->CreateDefaultKey(db); !ok) return Fail(ok.error());
    if (auto ok = store->Load(db); !ok) return Fail(ok.error());
  }
  return store;
}

Status KeyStore::Load(SqliteDatabase& db) {
  auto keys = db.Prepare("SELECT number, key_id, material FROM kms_keys");
  if (!keys) return Fail(keys.error());
  auto read = keys->ForEachRow([&]() -> Status {
    storage::SealKey key;
    key.id = static_cast<uint32_t>(keys->ColumnInt(0));
    const std::string material = keys->ColumnText(2);
    if (material.size() != key.bytes.size()) {
      return Fail(ErrorCode::kDataLoss, "key store: key " + keys->ColumnText(1) + " is damaged");
    }
    std::copy(material.begin(), material.end(), key.bytes.begin());
    by_number_[key.id] = key;
    by_name_[keys->ColumnText(1)] = key.id;
    return Ok();
  });
  if (!read) return read;
  auto aliases = db.Prepare("SELECT alias, key_number FROM kms_aliases");
  if (!aliases) return Fail(aliases.error());
  return aliases->ForEachRow([&]() -> Status {
    by_name_[aliases->ColumnText(0)] = static_cast<uint32_t>(aliases->ColumnInt(1));
    return Ok();
  });
}

Status KeyStore::CreateDefaultKey(SqliteDatabase& db) {
  std::string material(storage::kSealKeyBytes, '\0');
  if (auto ok = storage::FillRandom(std::span<char>(material)); !ok) return ok;
  if (auto ok = db.Exec("BEGIN IMMEDIATE"); !ok) return ok;
  auto insert = db.Prepare("INSERT INTO kms_keys(key_id, material) VALUES(?, ?)");
  Status done = insert ? insert->Bind(1, NewUuid()).BindBlob(2, material).Run()
                       : Status(Fail(insert.error()));
  if (done) {
    auto alias =
        db.Prepare("INSERT INTO kms_aliases(alias, key_number) VALUES(?, last_insert_rowid())");
    done = alias ? alias->Bind(1, kDefaultAlias).Run() : Status(Fail(alias.error()));
  }
  if (!done) {
    (void)db.Exec("ROLLBACK");
    return done;
  }
  return db.Exec("COMMIT");
}

Result<storage::SealKey> KeyStore::Resolve(uint32_t number) const {
  auto it = by_number_.find(number);
  if (it == by_number_.end()) {
    return Fail(ErrorCode::kNotFound,
                "key number " + std::to_string(number) + " is not in the key store");
  }
  return it->second;
}

Result<storage::SealKey> KeyStore::Find(std::string_view key_id) const {
  // ARNs name keys ("…:key/<id>") and aliases ("…:alias/<name>") of this region and account.
  std::string_view name = key_id;
  const std::string arn_prefix = "arn:aws:kms:" + region_ + ":" + account_id_ + ":";
  if (name.starts_with(arn_prefix)) {
    name.remove_prefix(arn_prefix.size());
    if (name.starts_with("key/")) name.remove_prefix(4);
  }
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    return Fail(ErrorCode::kNotFound,
                "Invalid KeyId '" + std::string(key_id) + "': there is no such key in the key " +
                    "store of account " + account_id_ + " (" + std::string(kDefaultAlias) +
                    " is always there).",
                "KMSNotFoundException");
  }
  return by_number_.at(it->second);
}

}  // namespace sluice::stream
