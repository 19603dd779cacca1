#include "protocol/request_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/base64.h"

namespace sluice::protocol {

namespace {

std::string Quoted(std::string_view value) {
  std::string text = "'";
  text.append(value).append("'");
  return text;
}

std::string LowerCamel(std::string_view member) {
  std::string name(member);
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

std::string EnumConstraint(std::span<const std::string_view> allowed) {
  std::string text = "Member must satisfy enum value set: [";
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) text += ", ";
    text += allowed[i];
  }
  return text + "]";
}

}  // namespace

size_t Utf16Length(std::string_view utf8) {
  size_t units = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++units;  // a lead byte starts a code point
    if ((c & 0xF8) == 0xF0) ++units;  // four-byte sequences are surrogate pairs
  }
  return units;
}

RequestReader::RequestReader(simdjson::dom::element object)
    : object_(object),
      violations_(&own_violations_),
      serialization_error_(&own_serialization_error_) {}

RequestReader::RequestReader(simdjson::dom::element object, RequestReader& parent,
                             std::string_view member, std::optional<size_t> index)
    : object_(object),
      parent_(&parent),
      member_(member),
      index_(index),
      violations_(parent.violations_),
      serialization_error_(parent.serialization_error_) {}

std::string RequestReader::Path(std::string_view member) const {
  return PathPrefix() + LowerCamel(member);
}

std::string RequestReader::PathPrefix() const {
  if (parent_ == nullptr) return "";
  std::string prefix = parent_->Path(member_);
  if (index_) prefix += "." + std::to_string(*index_ + 1) + ".member";
  return prefix + ".";
}

std::optional<simdjson::dom::element> RequestReader::Find(std::string_view member) const {
  simdjson::dom::element value;
  if (object_.is_object() && object_[member].get(value) == simdjson::SUCCESS && !value.is_null()) {
    return value;
  }
  return std::nullopt;
}

void RequestReader::WrongType(std::string_view member, std::string_view expected) {
  if (*serialization_error_) return;
  *serialization_error_ = Error{ErrorCode::kInvalidArgument,
                                "Member '" + Path(member) + "' must be " + std::string(expected),
                                "SerializationException"};
}

void RequestReader::MissingRequired(std::string_view member) {
  violations_->Add("null", Path(member), "Member must not be null");
}

void RequestReader::AddViolation(std::string_view value, std::string_view member,
                                 std::string_view constraint) {
  violations_->Add(value, Path(member), constraint);
}

std::optional<std::string_view> RequestReader::String(std::string_view member,
                                                      const StringRule& rule) {
  auto found = Find(member);
  if (!found) {
    if (rule.required) MissingRequired(member);
    return std::nullopt;
  }
  std::string_view value;
  if (found->get(value) != simdjson::SUCCESS) {
    WrongType(member, "a string");
    return std::nullopt;
  }
  const size_t length = Utf16Length(value);
  if (length < rule.min_length) {
    violations_->Add(
        Quoted(value), Path(member),
        "Member must have length greater than or equal to " + std::to_string(rule.min_length));
  }
  if (length > rule.max_length) {
    violations_->Add(
        Quoted(value), Path(member),
        "Member must have length less than or equal to " + std::to_string(rule.max_length));
  }
  if (rule.pattern != nullptr &&
      !std::regex_match(value.begin(), value.end(), rule.pattern->regex)) {
    violations_->Add(Quoted(value), Path(member),
                     "Member must satisfy regular expression pattern: " + rule.pattern->text);
  }
  if (!rule.allowed.empty() &&
      std::find(rule.allowed.begin(), rule.allowed.end(), value) == rule.allowed.end()) {
    violations_->Add(Quoted(value), Path(member), EnumConstraint(rule.allowed));
  }
  return value;
}

std::optional<int64_t> RequestReader::Integer(std::string_view member, const IntegerRule& rule) {
  auto found = Find(member);
  if (!found) {
    if (rule.required) MissingRequired(member);
    return std::nullopt;
  }
  int64_t value = 0;
  if (found->get(value) != simdjson::SUCCESS) {
    WrongType(member, "an integer");
    return std::nullopt;
  }
  if (value < rule.min) {
    violations_->Add(Quoted(std::to_string(value)), Path(member),
                     "Member must have value greater than or equal to " + std::to_string(rule.min));
  }
  if (value > rule.max) {
    violations_->Add(Quoted(std::to_string(value)), Path(member),
                     "Member must have value less than or equal to " + std::to_string(rule.max));
  }
  return value;
}

std::optional<bool> RequestReader::Boolean(std::string_view member) {
  auto found = Find(member);
  if (!found) return std::nullopt;
  bool value = false;
  if (found->get(value) != simdjson::SUCCESS) {
    WrongType(member, "a boolean");
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> RequestReader::TimestampMs(std::string_view member, bool required) {
  auto found = Find(member);
  if (!found) {
    if (required) MissingRequired(member);
    return std::nullopt;
  }
  double seconds = 0;
  if (found->get(seconds) != simdjson::SUCCESS || !std::isfinite(seconds)) {
    WrongType(member, "a timestamp in epoch seconds");
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(seconds * 1000.0));
}

std::optional<std::string_view> RequestReader::Blob(std::string_view member, ByteArena& arena,
                                                    const BlobRule& rule) {
  auto found = Find(member);
  if (!found) {
    if (rule.required) MissingRequired(member);
    return std::nullopt;
  }
  std::string_view text;
  if (found->get(text) != simdjson::SUCCESS) {
    WrongType(member, "a base64-encoded string");
    return std::nullopt;
  }
  const std::optional<size_t> size = Base64DecodedSize(text);
  char* bytes = size ? arena.Allocate(*size) : nullptr;
  if (!size || !Base64DecodeInto(text, bytes)) {
    WrongType(member, "valid base64");
    return std::nullopt;
  }
  if (*size > rule.max_bytes) {
    violations_->Add(
        QuotedBlob(*size), Path(member),
        "Member must have length less than or equal to " + std::to_string(rule.max_bytes));
  }
  return std::string_view(bytes, *size);
}

std::optional<simdjson::dom::array> RequestReader::List(std::string_view member, bool required,
                                                        size_t min_items, size_t max_items) {
  auto found = Find(member);
  if (!found) {
    if (required) MissingRequired(member);
    return std::nullopt;
  }
  simdjson::dom::array list;
  if (found->get(list) != simdjson::SUCCESS) {
    WrongType(member, "a list");
    return std::nullopt;
  }
  const size_t size = list.size();
  const std::string value = "'[...]'";
  if (size < min_items) {
    violations_->Add(
        value, Path(member),
        "Member must have length greater than or equal to " + std::to_string(min_items));
  }
  if (size > max_items) {
    violations_->Add(value, Path(member),
                     "Member must have length less than or equal to " + std::to_string(max_items));
  }
  return list;
}

std::optional<simdjson::dom::element> RequestReader::Object(std::string_view member,
                                                            bool required) {
  auto found = Find(member);
  if (!found) {
    if (required) MissingRequired(member);
    return std::nullopt;
  }
  if (!found->is_object()) {
    WrongType(member, "an object");
    return std::nullopt;
  }
  return found;
}

Status RequestReader::Finish() const {
  if (*serialization_error_) return Fail(**serialization_error_);
  return violations_->ToStatus();
}

}  // namespace sluice::protocol
