#pragma once

#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>

#include "common/byte_arena.h"
#include "common/result.h"
#include "protocol/validation_errors.h"

namespace sluice::protocol {

// A regular expression from an API model, with its text for messages.
struct Pattern {
  explicit Pattern(std::string text) : text(std::move(text)), regex(this->text) {}
  std::string text;
  std::regex regex;
};

struct StringRule {
  bool required = false;
  size_t min_length = 0;  // in UTF-16 code units, as the AWS models count characters
  size_t max_length = std::numeric_limits<size_t>::max();
  const Pattern* pattern = nullptr;
  std::span<const std::string_view> allowed = {};  // enum values; empty: any
};

struct IntegerRule {
  bool required = false;
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
};

struct BlobRule {
  bool required = false;
  size_t max_bytes = std::numeric_limits<size_t>::max();  // decoded size
};

// Reads the members of one request object (or of a nested structure, such as one entry
// of PutRecords' Records) and checks them against their model constraints. A member of
// the wrong JSON type is a SerializationException; constraint violations are collected
// and reported together as a ValidationException with AWS's member paths
// ("records.1.member.partitionKey"). Absent and null members read as nullopt.
// Borrows the element, which must outlive the reader and the views it returns.
class RequestReader {
 public:
  explicit RequestReader(simdjson::dom::element object);
  // A reader over a nested structure: the value of `parent`'s member `member`, or with
  // `index` entry `index` of its list member `member`. It reports into `parent`; both
  // `parent` and `member` must outlive it. Member paths are only spelled out for a message.
  RequestReader(simdjson::dom::element object, RequestReader& parent, std::string_view member,
                std::optional<size_t> index = std::nullopt);
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  std::optional<std::string_view> String(std::string_view member, const StringRule& rule = {});
  std::optional<int64_t> Integer(std::string_view member, const IntegerRule& rule = {});
  std::optional<bool> Boolean(std::string_view member);
  // Epoch seconds (AWS JSON timestamps), as milliseconds.
  std::optional<int64_t> TimestampMs(std::string_view member, bool required = false);
  // Decoded bytes of a base64 blob member, in `arena`.
  std::optional<std::string_view> Blob(std::string_view member, ByteArena& arena,
                                       const BlobRule& rule = {});
  // A list member, checked for its length bounds (min/max entries).
  std::optional<simdjson::dom::array> List(std::string_view member, bool required, size_t min_items,
                                           size_t max_items);
  // A structure or map member (an element known to be a JSON object).
  std::optional<simdjson::dom::element> Object(std::string_view member, bool required = false);

  // Records a violation found by the caller (cross-member rules).
  void AddViolation(std::string_view value, std::string_view member, std::string_view constraint);

  // The first serialization error if any, else the collected validation errors, else Ok.
  [[nodiscard]] Status Finish() const;

 private:
  std::optional<simdjson::dom::element> Find(std::string_view member) const;
  void WrongType(std::string_view member, std::string_view expected);
  void MissingRequired(std::string_view member);
  // AWS's path of `member`: "records.1.member.partitionKey".
  std::string Path(std::string_view member) const;
  // What precedes this reader's members in a path: "", "shardFilter." or "records.1.member.".
  std::string PathPrefix() const;

  simdjson::dom::element object_;
  const RequestReader* parent_ = nullptr;
  std::string_view member_;      // in parent_
  std::optional<size_t> index_;  // in member_, a list
  ValidationErrors own_violations_;
  std::optional<Error> own_serialization_error_;
  ValidationErrors* violations_;               // own, or the parent's
  std::optional<Error>* serialization_error_;  // own, or the parent's
};

// Length of UTF-8 text in UTF-16 code units (Java's String.length()).
size_t Utf16Length(std::string_view utf8);

}  // namespace sluice::protocol
