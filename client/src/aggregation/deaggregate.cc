#include "aggregation/deaggregate.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "aggregation/protobuf_wire.h"

namespace sluice::client {

namespace {

// A Record message as read, its data still a view into the aggregate.
struct RecordFields {
  uint64_t partition_key_index = 0;
  std::optional<uint64_t> explicit_hash_key_index;
  std::string_view data;
};

tl::unexpected<Error> Malformed(std::string what) {
  return Fail(ErrorCode::kInvalidArgument, "malformed aggregated record: " + std::move(what));
}

// A field with a known number but another wire type is an unknown field, as protobuf's
// own parsers take it (a required field is then missing).
bool Is(const WireField& field, uint32_t number, WireType type) {
  return field.number == number && field.type == type;
}

// Tags are not returned, but a tag without its required key makes the aggregate malformed.
Status CheckTag(std::string_view message) {
  WireReader reader(message);
  bool has_key = false;
  while (!reader.done()) {
    auto field = reader.Next();
    if (!field) return Fail(field.error());
    has_key |= Is(*field, kTagKeyField, WireType::kLengthDelimited);
  }
  if (!has_key) return Malformed("tag without a key");
  return Ok();
}

Result<RecordFields> ParseRecord(std::string_view message) {
  RecordFields record;
  bool has_partition_key_index = false;
  bool has_data = false;
  WireReader reader(message);
  while (!reader.done()) {
    auto field = reader.Next();
    if (!field) return Fail(field.error());
    if (Is(*field, kPartitionKeyIndexField, WireType::kVarint)) {
      record.partition_key_index = field->varint;
      has_partition_key_index = true;
    } else if (Is(*field, kExplicitHashKeyIndexField, WireType::kVarint)) {
      record.explicit_hash_key_index = field->varint;
    } else if (Is(*field, kDataField, WireType::kLengthDelimited)) {
      record.data = field->bytes;
      has_data = true;
    } else if (Is(*field, kTagsField, WireType::kLengthDelimited)) {
      if (auto tag = CheckTag(field->bytes); !tag) return Fail(tag.error());
    }
  }
  if (!has_partition_key_index) return Malformed("record without a partition key index");
  if (!has_data) return Malformed("record without data");
  return record;
}

Result<std::vector<UserRecord>> ParseAggregatedRecord(std::string_view message) {
  std::vector<std::string_view> partition_keys;
  std::vector<std::string_view> explicit_hash_keys;
  std::vector<RecordFields> records;
  WireReader reader(message);
  while (!reader.done()) {
    auto field = reader.Next();
    if (!field) return Fail(field.error());
    if (Is(*field, kPartitionKeyTableField, WireType::kLengthDelimited)) {
      partition_keys.push_back(field->bytes);
    } else if (Is(*field, kExplicitHashKeyTableField, WireType::kLengthDelimited)) {
      explicit_hash_keys.push_back(field->bytes);
    } else if (Is(*field, kRecordsField, WireType::kLengthDelimited)) {
      auto record = ParseRecord(field->bytes);
      if (!record) return Fail(record.error());
      records.push_back(*record);
    }
  }

  std::vector<UserRecord> out;
  out.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordFields& record = records[i];
    if (record.partition_key_index >= partition_keys.size()) {
      return Malformed("record " + std::to_string(i) + " has partition key index " +
                       std::to_string(record.partition_key_index) + " of a table of " +
                       std::to_string(partition_keys.size()));
    }
    UserRecord& user_record = out.emplace_back();
    user_record.partition_key = partition_keys[record.partition_key_index];
    if (record.explicit_hash_key_index) {
      if (*record.explicit_hash_key_index >= explicit_hash_keys.size()) {
        return Malformed("record " + std::to_string(i) + " has explicit hash key index " +
                         std::to_string(*record.explicit_hash_key_index) + " of a table of " +
                         std::to_string(explicit_hash_keys.size()));
      }
      user_record.explicit_hash_key =
          std::string(explicit_hash_keys[*record.explicit_hash_key_index]);
    }
    user_record.data = record.data;
  }
  return out;
}

}  // namespace

bool IsAggregate(std::string_view data) {
  if (data.size() <= kAggregateOverheadBytes) return false;
  if (!std::equal(kAggregateMagic.begin(), kAggregateMagic.end(), data.begin())) return false;
  const std::string_view protobuf =
      data.substr(kAggregateMagic.size(), data.size() - kAggregateOverheadBytes);
  const auto digest = AggregateDigest(protobuf);
  return data.substr(data.size() - kAggregateDigestBytes) ==
         std::string_view(digest.data(), digest.size());
}

Result<std::vector<UserRecord>> Deaggregate(std::string_view data, std::string_view partition_key) {
  if (!IsAggregate(data)) {
    std::vector<UserRecord> plain;
    plain.push_back(UserRecord{.partition_key = std::string(partition_key),
                               .explicit_hash_key = std::nullopt,
                               .data = std::string(data)});
    return plain;
  }
  return ParseAggregatedRecord(
      data.substr(kAggregateMagic.size(), data.size() - kAggregateOverheadBytes));
}

}  // namespace sluice::client
