// The store's own SQL toolkit, for dispatcher/store/*.cc only (it includes SQLiteCpp, which no
// file outside dispatcher/store/ may): access to a Tx's connection, and the one way rows are
// bound and read: a Table<T> names each column of a table once, with the member of T it holds
// and when it is written; SELECT lists, INSERT and UPDATE statements, their binds and row
// reads are all derived from it, by position in that list (no hand-numbered indexes).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/json_util.h"
#include "dispatcher/core/status.h"
#include "dispatcher/store/db.h"

namespace gd {

// What the repositories may use of a Tx beyond its public interface.
class TxAccess {
 public:
  static SQLite::Database& Db(Tx& tx) { return tx.db(); }
  static const HmacSha256Key& AuditKey(Tx& tx) { return tx.s_->audit_key_; }
  static int64_t ReserveTicketId(Tx& tx) { return tx.s_->ReserveTicketId(); }
  static void NoteTicketId(Tx& tx, int64_t id) { tx.s_->NoteTicketId(id); }
};

namespace sql {

// A stored value that cannot be decoded; Store::Write/Read answer it with an internal error.
struct RowError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A statement's text (or a table mapping) built once and never destroyed: a worker of an App a
// test leaks may still run a query while static destructors run at exit.
inline const std::string& Immortal(std::string text) { return *new std::string(std::move(text)); }

// Runs `fn`; a constraint violation becomes kAlreadyExists with `conflict_message`.
Status ConstraintAware(const std::function<void()>& fn, const char* conflict_message);

// How a member type is bound to and read from a column; one specialisation per type (the
// enums' and the role list's in tables.cc).
template <typename V>
struct Codec;
template <>
struct Codec<int64_t> {
  static void Bind(SQLite::Statement& q, int i, int64_t v) { q.bind(i, v); }
  static int64_t Read(const SQLite::Column& c) { return c.getInt64(); }
};
template <>
struct Codec<int> {
  static void Bind(SQLite::Statement& q, int i, int v) { q.bind(i, v); }
  static int Read(const SQLite::Column& c) { return c.getInt(); }
};
template <>
struct Codec<bool> {
  static void Bind(SQLite::Statement& q, int i, bool v) { q.bind(i, v ? 1 : 0); }
  static bool Read(const SQLite::Column& c) { return c.getInt() != 0; }
};
template <>
struct Codec<std::string> {
  static void Bind(SQLite::Statement& q, int i, const std::string& v) { q.bind(i, v); }
  static std::string Read(const SQLite::Column& c) { return c.getString(); }
};
template <>
struct Codec<Json> {
  static void Bind(SQLite::Statement& q, int i, const Json& v) { q.bind(i, v.dump()); }
  static Json Read(const SQLite::Column& c) { return Json::parse(c.getString()); }
};
template <>
struct Codec<std::optional<int>> {
  static void Bind(SQLite::Statement& q, int i, const std::optional<int>& v) {
    if (v)
      q.bind(i, *v);
    else
      q.bind(i);
  }
  static std::optional<int> Read(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getInt();
  }
};
// JSON that reads as a discarded value instead of failing (the audit log: a damaged row is
// reported by the verification, not by every listing).
struct LenientJson {
  static void Bind(SQLite::Statement& q, int i, const Json& v) { q.bind(i, v.dump()); }
  static Json Read(const SQLite::Column& c) { return Json::parse(c.getString(), nullptr, false); }
};

// When a column is written. A column without flags is only read.
enum ColumnFlags : unsigned {
  kInsert = 1,      // INSERT binds the member
  kUpdate = 2,      // UPDATE ... SET binds the member
  kKey = 4,         // UPDATE ... WHERE key=? binds the member
  kInsertNow = 8,   // INSERT binds Tx::now()
  kUpdateNow = 16,  // UPDATE ... SET binds Tx::now()
  kWritten = kInsert | kUpdate,
};

template <typename T>
struct Column {
  const char* name;
  unsigned flags;
  void (*bind)(SQLite::Statement& q, int index, const T& row);
  void (*read)(SQLite::Statement& q, int index, T& row);
};

template <typename>
struct MemberOf;
template <typename T, typename V>
struct MemberOf<V T::*> {
  using Owner = T;
  using Value = V;
};

// The column `name` holding the member `M`, converted by `C`.
template <auto M, typename C = Codec<typename MemberOf<decltype(M)>::Value>>
constexpr Column<typename MemberOf<decltype(M)>::Owner> Col(const char* name, unsigned flags) {
  using T = typename MemberOf<decltype(M)>::Owner;
  return {name, flags, [](SQLite::Statement& q, int i, const T& row) { C::Bind(q, i, row.*M); },
          [](SQLite::Statement& q, int i, T& row) { row.*M = C::Read(q.getColumn(i)); }};
}

// One table's mapping to the row type T.
template <typename T>
class Table {
 public:
  Table(const char* name, std::initializer_list<Column<T>> columns)
      : name_(name),
        columns_(columns),
        insert_sql_(InsertSql()),
        update_sql_(UpdateSql()),
        select_by_key_sql_(SelectByKeySql()) {}

  const std::string& name() const { return name_; }
  // How many columns Select() lists (where the next joined table's columns start).
  int width() const { return static_cast<int>(columns_.size()); }

  // "a, b, c" (or "x.a, x.b, x.c" with an alias), with `replace` substituting an expression for
  // a column (e.g. {"renderings", "'null'"}).
  std::string Select(
      std::string_view alias = {},
      std::initializer_list<std::pair<const char*, const char*>> replace = {}) const {
    std::string out;
    for (const Column<T>& c : columns_) {
      if (!out.empty()) out += ", ";
      const char* expr = nullptr;
      for (const auto& [col, with] : replace)
        if (std::string_view(col) == c.name) expr = with;
      if (expr) {
        out += expr;
        continue;
      }
      if (!alias.empty()) out.append(alias).append(".");
      out += c.name;
    }
    return out;
  }
  // "SELECT <all columns> FROM <table> <rest>".
  std::string SelectFrom(std::string_view rest) const {
    return "SELECT " + Select() + " FROM " + name_ + " " + std::string(rest);
  }
  // The INSERT and the plain UPDATE below, built once.
  const std::string& insert_sql() const { return insert_sql_; }
  const std::string& update_sql() const { return update_sql_; }
  // SELECT of every column where the kKey columns equal the parameter :key.
  const std::string& select_by_key_sql() const { return select_by_key_sql_; }
  // INSERT of the kInsert and kInsertNow columns.
  std::string InsertSql() const {
    std::string cols, values;
    for (const Column<T>& c : columns_) {
      if (!(c.flags & (kInsert | kInsertNow))) continue;
      if (!cols.empty()) cols += ", ", values += ",";
      cols += c.name;
      values += "?";
    }
    return "INSERT INTO " + name_ + " (" + cols + ") VALUES (" + values + ")";
  }
  // UPDATE of the kUpdate and kUpdateNow columns (then `extra_set`) where the kKey columns
  // match (and `extra_where`, whose parameters are named).
  std::string UpdateSql(std::string_view extra_set = {}, std::string_view extra_where = {}) const {
    std::string set, where;
    for (const Column<T>& c : columns_) {
      if (!(c.flags & (kUpdate | kUpdateNow))) continue;
      if (!set.empty()) set += ", ";
      set += std::string(c.name) + "=?";
    }
    if (!extra_set.empty()) set.append(", ").append(extra_set);
    for (const Column<T>& c : columns_) {
      if (!(c.flags & kKey)) continue;
      if (!where.empty()) where += " AND ";
      where += std::string(c.name) + "=?";
    }
    if (!extra_where.empty()) where.append(" AND ").append(extra_where);
    if (set.empty() || where.empty()) return {};  // the table is not updated
    return "UPDATE " + name_ + " SET " + set + " WHERE " + where;
  }

  void BindInsert(SQLite::Statement& q, const T& row, TimeMs now) const {
    BindFlagged(q, row, now, kInsert, kInsertNow, 0);
  }
  void BindUpdate(SQLite::Statement& q, const T& row, TimeMs now) const {
    const int set = BindFlagged(q, row, now, kUpdate, kUpdateNow, 0);
    BindFlagged(q, row, now, kKey, 0, set);
  }
  // The row from the current result, its columns starting at `first` (0 unless joined).
  T Read(SQLite::Statement& q, int first = 0) const {
    T row;
    int i = first;
    for (const Column<T>& c : columns_) c.read(q, i++, row);
    return row;
  }
  // Every row of `q`.
  std::vector<T> ReadAll(SQLite::Statement& q) const {
    std::vector<T> out;
    while (q.executeStep()) out.push_back(Read(q));
    return out;
  }
  // The first row of `q`, if any.
  std::optional<T> ReadOne(SQLite::Statement& q) const {
    if (!q.executeStep()) return std::nullopt;
    return Read(q);
  }

 private:
  // Binds, in column order from parameter `after` + 1, the member of each column flagged
  // `member` and `now` for each flagged `at_now`; returns the last parameter bound.
  int BindFlagged(SQLite::Statement& q, const T& row, TimeMs now, unsigned member, unsigned at_now,
                  int after) const {
    int i = after;
    for (const Column<T>& c : columns_) {
      if (c.flags & member)
        c.bind(q, ++i, row);
      else if (c.flags & at_now)
        q.bind(++i, now);
    }
    return i;
  }

  std::string name_;
  std::vector<Column<T>> columns_;
  std::string SelectByKeySql() const {
    for (const Column<T>& c : columns_)
      if (c.flags & kKey) return SelectFrom(std::string("WHERE ") + c.name + "=:key");
    return {};
  }

  std::string insert_sql_;
  std::string update_sql_;
  std::string select_by_key_sql_;
};

// Binds named parameters given as name, value, name, value, ...
inline void BindNamed(SQLite::Statement&) {}
template <typename V, typename... Rest>
void BindNamed(SQLite::Statement& q, const char* name, const V& value, const Rest&... rest) {
  q.bind(name, value);
  BindNamed(q, rest...);
}

// Every row of the cached statement `query` (a SELECT of table.Select() columns), its named
// parameters bound from `named` (name, value, ...).
template <typename T, typename... Named>
std::vector<T> All(Tx& tx, const Table<T>& table, const std::string& query, const Named&... named) {
  CachedStatement q = tx.Prepare(query);
  BindNamed(*q, named...);
  return table.ReadAll(*q);
}

// The first row of the same, if any.
template <typename T, typename... Named>
std::optional<T> One(Tx& tx, const Table<T>& table, const std::string& query,
                     const Named&... named) {
  CachedStatement q = tx.Prepare(query);
  BindNamed(*q, named...);
  if (!q->executeStep()) return std::nullopt;
  return table.Read(*q);
}

// The row whose key column equals `key`, if any.
template <typename T, typename K>
std::optional<T> ByKey(Tx& tx, const Table<T>& table, const K& key) {
  return One(tx, table, table.select_by_key_sql(), ":key", key);
}

// Inserts `row` (Table::BindInsert); returns its rowid.
template <typename T>
int64_t InsertRow(Tx& tx, const Table<T>& table, const T& row) {
  CachedStatement q = tx.Prepare(table.insert_sql());
  table.BindInsert(*q, row, tx.now());
  q->exec();
  return TxAccess::Db(tx).getLastInsertRowid();
}

// Updates the row with `row`'s key (Table::BindUpdate); returns how many rows changed.
template <typename T>
int UpdateRow(Tx& tx, const Table<T>& table, const T& row) {
  CachedStatement q = tx.Prepare(table.update_sql());
  table.BindUpdate(*q, row, tx.now());
  return q->exec();
}

}  // namespace sql
}  // namespace gd
