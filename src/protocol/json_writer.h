#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::protocol {

// Appends compact JSON to a string, with commas and escaping handled. The caller keeps
// Begin/End calls balanced and alternates Key() with a value inside objects; the writer
// asserts nothing about that, so it stays cheap on hot response paths.
class JsonWriter {
 public:
  JsonWriter() = default;
  explicit JsonWriter(size_t reserve_bytes) { out_.reserve(reserve_bytes); }

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& UInt(uint64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  std::vector<bool> first_in_scope_;  // one entry per open object/array
  bool after_key_ = false;
};

// Appends `text` as a quoted, escaped JSON string (UTF-8 passes through).
void AppendJsonString(std::string& out, std::string_view text);

// {"__type": type, "message": message}: the body of every AWS JSON error response.
std::string ErrorBody(std::string_view type, std::string_view message);

}  // namespace sluice::protocol
