#include "aggregation/aggregator.h"

#include <utility>

#include "aggregation/protobuf_wire.h"
#include "common/assert.h"

namespace sluice::client {

namespace {

// Bytes of the Record message (without its own tag and length) for these indexes and data.
size_t RecordMessageSize(uint64_t partition_key_index,
                         std::optional<uint64_t> explicit_hash_key_index, size_t data_size) {
  size_t size = VarintFieldSize(partition_key_index) + LengthDelimitedFieldSize(data_size);
  if (explicit_hash_key_index) size += VarintFieldSize(*explicit_hash_key_index);
  return size;
}

}  // namespace

size_t Aggregator::AddedBytes(const UserRecordView& record) const {
  size_t added = 0;
  const uint64_t partition_key_index = partition_keys_.Find(record.partition_key);
  if (partition_key_index == partition_keys_.size()) {
    added += LengthDelimitedFieldSize(record.partition_key.size());
  }
  std::optional<uint64_t> explicit_hash_key_index;
  if (record.explicit_hash_key) {
    explicit_hash_key_index = explicit_hash_keys_.Find(*record.explicit_hash_key);
    if (*explicit_hash_key_index == explicit_hash_keys_.size()) {
      added += LengthDelimitedFieldSize(record.explicit_hash_key->size());
    }
  }
  return added + LengthDelimitedFieldSize(RecordMessageSize(
                     partition_key_index, explicit_hash_key_index, record.data.size()));
}

size_t Aggregator::EncodedSizeWith(const UserRecordView& record) const {
  return encoded_size() + AddedBytes(record);
}

size_t Aggregator::KinesisSizeWith(const UserRecordView& record) const {
  const size_t partition_key_size = empty() ? record.partition_key.size() : partition_key_.size();
  return EncodedSizeWith(record) + partition_key_size;
}

bool Aggregator::Fits(const UserRecordView& record, const AggregationLimits& limits) const {
  return record_count_ < limits.max_records && KinesisSizeWith(record) <= limits.max_kinesis_bytes;
}

void Aggregator::Add(const UserRecordView& record) {
  if (empty()) {
    partition_key_ = record.partition_key;
    if (record.explicit_hash_key) explicit_hash_key_ = std::string(*record.explicit_hash_key);
  }
  const uint64_t partition_key_index = partition_keys_.Intern(record.partition_key);
  std::optional<uint64_t> explicit_hash_key_index;
  if (record.explicit_hash_key) {
    explicit_hash_key_index = explicit_hash_keys_.Intern(*record.explicit_hash_key);
  }
  // The Record's tag and length, its fields up to the data's bytes: one append.
  char header[8 * 10];
  char* end = WriteVarint(Tag(kRecordsField, WireType::kLengthDelimited), header);
  end = WriteVarint(
      RecordMessageSize(partition_key_index, explicit_hash_key_index, record.data.size()), end);
  end = WriteVarint(Tag(kPartitionKeyIndexField, WireType::kVarint), end);
  end = WriteVarint(partition_key_index, end);
  if (explicit_hash_key_index) {
    end = WriteVarint(Tag(kExplicitHashKeyIndexField, WireType::kVarint), end);
    end = WriteVarint(*explicit_hash_key_index, end);
  }
  end = WriteVarint(Tag(kDataField, WireType::kLengthDelimited), end);
  end = WriteVarint(record.data.size(), end);
  record_fields_.append(header, end);
  record_fields_.append(record.data);
  ++record_count_;
}

Aggregate Aggregator::Finish() {
  Aggregate aggregate = FinishUnsealed();
  std::string* data = &aggregate.data;
  SealAggregates(std::span(&data, 1));
  return aggregate;
}

Aggregate Aggregator::FinishUnsealed() {
  SLUICE_ASSERT(!empty(), "Finish() on an empty aggregator");
  Aggregate aggregate{.partition_key = std::move(partition_key_),
                      .explicit_hash_key = std::move(explicit_hash_key_),
                      .record_count = record_count_};
  std::string& data = aggregate.data;
  data.reserve(encoded_size());
  data.append(kAggregateMagic.data(), kAggregateMagic.size());
  data.append(partition_keys_.fields());
  data.append(explicit_hash_keys_.fields());
  data.append(record_fields_);

  record_fields_.clear();
  partition_keys_.Clear();
  explicit_hash_keys_.Clear();
  record_count_ = 0;
  partition_key_.clear();
  explicit_hash_key_.reset();
  return aggregate;
}

}  // namespace sluice::client
