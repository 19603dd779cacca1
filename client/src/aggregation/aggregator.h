#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "aggregation/aggregated_record.h"
#include "aggregation/key_table.h"

namespace sluice::client {

// Limits an aggregate must respect, checked by Aggregator::Fits.
struct AggregationLimits {
  // Data plus partition key of the Kinesis record, as Kinesis counts a record's size.
  size_t max_kinesis_bytes = kDefaultMaxKinesisRecordBytes;
  size_t max_records = std::numeric_limits<size_t>::max();
};

// One Kinesis record carrying user records in the KPL aggregated format.
struct Aggregate {
  // The first user record's partition key, and its explicit hash key if it had one: the
  // aggregate goes to the shard the first user record would go to. (The KPL itself sends
  // partition key "a" with the first record's hash key as explicit hash key; both route
  // alike, and readers take each user record's keys from inside the aggregate.)
  std::string partition_key = {};
  std::optional<std::string> explicit_hash_key = std::nullopt;
  std::string data = {};  // magic | AggregatedRecord | MD5
  size_t record_count = 0;
};

// Accumulates user records into one aggregate and tells its exact size as it grows, so a
// caller can close the aggregate before it passes a byte or record limit:
//
//   if (!aggregator.Fits(record, limits)) Send(aggregator.Finish());
//   aggregator.Add(record);   // a record that fits no empty aggregate must go alone
//
// Keys are de-duplicated: each table holds each distinct key once, in order of first use.
// Output is byte for byte what the KPL writes for the same records (fields in field-number
// order; a record's explicit hash key index only when it has one; no tags). Keys are not
// validated here (the producer checks them as PutRecords would). Not thread-safe.
class Aggregator {
 public:
  // Appends `record`, copying what it views.
  void Add(const UserRecordView& record);

  // Bytes of the aggregate's data as Finish() would return it now: kAggregateOverheadBytes
  // when empty.
  size_t encoded_size() const { return kAggregateOverheadBytes + protobuf_size(); }
  // The same with `record` added; adds nothing.
  size_t EncodedSizeWith(const UserRecordView& record) const;
  // What Kinesis counts against its record limit: encoded size plus the aggregate's
  // partition key (the first record's).
  size_t kinesis_size() const { return encoded_size() + partition_key_.size(); }
  size_t KinesisSizeWith(const UserRecordView& record) const;
  // Whether `record` can be added within `limits`. False on an empty aggregator means the
  // record is too large for any aggregate.
  bool Fits(const UserRecordView& record, const AggregationLimits& limits) const;

  size_t record_count() const { return record_count_; }
  bool empty() const { return record_count_ == 0; }

  // The aggregate of every record added since the last Finish(), which empties the
  // aggregator (its buffers are kept for the next one). Requires !empty(): the KCL takes
  // data of 20 bytes or fewer for a plain record, so there is no empty aggregate.
  Aggregate Finish();
  // The same without the digest at the end, for a caller that closes many aggregates before
  // it sends them: it seals them together with SealAggregates (aggregated_record.h).
  Aggregate FinishUnsealed();

 private:
  size_t protobuf_size() const {
    return partition_keys_.fields().size() + explicit_hash_keys_.fields().size() +
           record_fields_.size();
  }
  // Bytes `record` adds: its Record field plus any key it adds to a table.
  size_t AddedBytes(const UserRecordView& record) const;
  // The two key tables and the records, each encoded as it grows.
  KeyTable partition_keys_{kPartitionKeyTableField};
  KeyTable explicit_hash_keys_{kExplicitHashKeyTableField};
  std::string record_fields_;
  size_t record_count_ = 0;
  // The first record's keys, for the Kinesis record.
  std::string partition_key_;
  std::optional<std::string> explicit_hash_key_;
};

}  // namespace sluice::client
