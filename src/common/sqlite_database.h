#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sluice {

class SqliteStatement;

// One SQLite database file (meta.db): WAL journal, synchronous=FULL so a committed
// transaction survives power loss. Not thread-safe: the owner serialises access (one
// connection, one mutex). SQLite errors become Errors here; nothing throws.
class SqliteDatabase {
 public:
  [[nodiscard]] static Result<std::unique_ptr<SqliteDatabase>> Open(
      const std::filesystem::path& path);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Runs one or more statements without results (schema, BEGIN/COMMIT).
  [[nodiscard]] Status Exec(std::string_view sql);
  [[nodiscard]] Result<SqliteStatement> Prepare(std::string_view sql);

 private:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// A prepared statement. Bind with 1-based indexes, then Step() until it returns false.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  ~SqliteStatement();

  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, std::string_view value);
  SqliteStatement& BindBlob(int index, std::string_view bytes);
  SqliteStatement& BindNull(int index);

  // True while a row is available; false at the end. Errors become kInternal.
  [[nodiscard]] Result<bool> Step();
  // Steps a statement that returns no rows.
  [[nodiscard]] Status Run();
  // Calls `row()` (which reads the Column* accessors and returns a Status) for every row;
  // stops at the first error.
  template <typename RowFn>
  [[nodiscard]] Status ForEachRow(RowFn&& row) {
    while (true) {
      auto more = Step();
      if (!more) return Fail(more.error());
      if (!*more) return Ok();
      if (Status ok = row(); !ok) return ok;
    }
  }

  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  friend class SqliteDatabase;
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace sluice
