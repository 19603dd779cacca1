#include "aggregation/aggregator.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "aggregation/deaggregate.h"
#include "user_record_printer.h"

namespace sluice::client {
namespace {

UserRecordView View(const UserRecord& record) {
  return {.partition_key = record.partition_key,
          .explicit_hash_key = record.explicit_hash_key,
          .data = record.data};
}

std::vector<UserRecord> RoundTrip(const std::vector<UserRecord>& records) {
  Aggregator aggregator;
  for (const UserRecord& record : records) aggregator.Add(View(record));
  const Aggregate aggregate = aggregator.Finish();
  EXPECT_EQ(aggregate.record_count, records.size());
  EXPECT_TRUE(IsAggregate(aggregate.data));
  auto out = Deaggregate(aggregate.data, aggregate.partition_key);
  EXPECT_TRUE(out) << out.error().message;
  return out ? *out : std::vector<UserRecord>{};
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const char c : bytes) {
    hex.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    hex.push_back(kDigits[static_cast<uint8_t>(c) & 15]);
  }
  return hex;
}

std::string RandomBytes(std::mt19937& rng, size_t size) {
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  return bytes;
}

class AggregatorTest : public testing::Test {
 protected:
  std::mt19937 rng_{42};
};

TEST_F(AggregatorTest, WritesTheKplLayoutByteForByte) {
  Aggregator aggregator;
  aggregator.Add({.partition_key = "a", .data = "x"});
  aggregator.Add({.partition_key = "b", .explicit_hash_key = "7", .data = ""});
  const Aggregate aggregate = aggregator.Finish();
  // Magic; table fields 1 and 2; then records: {pk index, [ehk index], data}; then MD5.
  EXPECT_EQ(Hex(aggregate.data),
            "f3899ac2"
            "0a01610a0162"
            "120137"
            "1a0508001a0178"
            "1a06080110001a00"
            "e6bffce69ae4d6696c88163c09d4e86c");
  EXPECT_EQ(aggregate.partition_key, "a");
  EXPECT_EQ(aggregate.explicit_hash_key, std::nullopt);
  EXPECT_EQ(aggregate.record_count, 2u);
}

TEST_F(AggregatorTest, RoundTripsOneRecord) {
  const std::vector<UserRecord> records = {{.partition_key = "pk", .data = "hello"}};
  EXPECT_EQ(RoundTrip(records), records);
}

TEST_F(AggregatorTest, RoundTripsManyRecordsInOrder) {
  std::vector<UserRecord> records;
  for (int i = 0; i < 2000; ++i) {
    UserRecord& record = records.emplace_back();
    record.partition_key = "key-" + std::to_string(rng_() % 300);
    if (i % 3 == 0) record.explicit_hash_key = std::to_string(rng_() % 50);
    record.data = RandomBytes(rng_, rng_() % 200);
  }
  EXPECT_EQ(RoundTrip(records), records);
}

TEST_F(AggregatorTest, StoresSharedKeysOnce) {
  std::vector<UserRecord> records;
  for (int i = 0; i < 100; ++i) {
    records.push_back({.partition_key = i % 2 == 0 ? "shared-partition-key-even" : "odd-key",
                       .explicit_hash_key = "340282366920938463463374607431768211455",
                       .data = "d" + std::to_string(i)});
  }
  Aggregator aggregator;
  for (const UserRecord& record : records) aggregator.Add(View(record));
  const Aggregate aggregate = aggregator.Finish();
  auto count = [&](std::string_view needle) {
    size_t n = 0;
    for (size_t at = aggregate.data.find(needle); at != std::string::npos;
         at = aggregate.data.find(needle, at + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(count("shared-partition-key-even"), 1u);
  EXPECT_EQ(count("odd-key"), 1u);
  EXPECT_EQ(count("340282366920938463463374607431768211455"), 1u);
  EXPECT_EQ(*Deaggregate(aggregate.data, aggregate.partition_key), records);
}

TEST_F(AggregatorTest, KeepsExplicitHashKeysPerRecord) {
  const std::vector<UserRecord> records = {
      {.partition_key = "a", .data = "no hash key"},
      {.partition_key = "a", .explicit_hash_key = "0", .data = "lowest"},
      {.partition_key = "b", .data = "none again"},
      {.partition_key = "b", .explicit_hash_key = "12345", .data = "another"},
      {.partition_key = "c", .explicit_hash_key = "0", .data = "lowest again"},
  };
  EXPECT_EQ(RoundTrip(records), records);
}

TEST_F(AggregatorTest, RoundTripsEmptyData) {
  const std::vector<UserRecord> records = {{.partition_key = "a", .data = ""},
                                           {.partition_key = "b", .data = ""}};
  EXPECT_EQ(RoundTrip(records), records);
}

TEST_F(AggregatorTest, RoundTripsBinaryDataAndUtf8Keys) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
  const std::vector<UserRecord> records = {
      {.partition_key = "\xc3\xa9t\xc3\xa9", .data = every_byte},
      {.partition_key = "k", .data = std::string(1000, '\0')},
      {.partition_key = "\xe2\x9c\x93", .data = std::string("\0\xf3\x89\x9a\xc2\0", 6)},
  };
  EXPECT_EQ(RoundTrip(records), records);
}

TEST_F(AggregatorTest, PredictsItsSizeExactly) {
  // Sizes around varint boundaries, and enough distinct keys for 2- and 3-byte indexes.
  const std::vector<size_t> data_sizes = {0, 1, 127, 128, 129, 16383, 16384, 16385, 300};
  Aggregator aggregator;
  std::vector<UserRecord> records;
  for (int i = 0; i < 20000; ++i) {
    UserRecord record{.partition_key = "partition-" + std::to_string(i % 17000),
                      .data = std::string(data_sizes[i % data_sizes.size()] % 1000, 'x')};
    if (i % 5 == 0) record.explicit_hash_key = std::to_string(i % 200);
    if (i < static_cast<int>(data_sizes.size())) record.data.assign(data_sizes[i], 'y');
    const size_t predicted = aggregator.EncodedSizeWith(View(record));
    const size_t predicted_kinesis = aggregator.KinesisSizeWith(View(record));
    aggregator.Add(View(record));
    ASSERT_EQ(aggregator.encoded_size(), predicted) << "record " << i;
    ASSERT_EQ(aggregator.kinesis_size(), predicted_kinesis) << "record " << i;
    records.push_back(std::move(record));
  }
  const size_t expected = aggregator.encoded_size();
  const Aggregate aggregate = aggregator.Finish();
  EXPECT_EQ(aggregate.data.size(), expected);
  EXPECT_EQ(*Deaggregate(aggregate.data, aggregate.partition_key), records);
}

TEST_F(AggregatorTest, FillsAggregatesUpToOneMebibyte) {
  const AggregationLimits limits;  // 1 MiB, data plus partition key
  std::vector<UserRecord> records;
  for (int i = 0; i < 1500; ++i) {
    records.push_back({.partition_key = "pk-" + std::to_string(rng_() % 1000),
                       .data = RandomBytes(rng_, rng_() % 5000)});
  }
  std::vector<Aggregate> aggregates;
  Aggregator aggregator;
  for (const UserRecord& record : records) {
    if (!aggregator.Fits(View(record), limits)) {
      ASSERT_FALSE(aggregator.empty());
      const size_t predicted = aggregator.kinesis_size();
      aggregates.push_back(aggregator.Finish());
      const Aggregate& full = aggregates.back();
      EXPECT_EQ(full.data.size() + full.partition_key.size(), predicted);
      EXPECT_LE(predicted, limits.max_kinesis_bytes);
    }
    aggregator.Add(View(record));
  }
  aggregates.push_back(aggregator.Finish());
  ASSERT_GE(aggregates.size(), 3u);

  std::vector<UserRecord> read;
  for (const Aggregate& aggregate : aggregates) {
    EXPECT_LE(aggregate.data.size() + aggregate.partition_key.size(), limits.max_kinesis_bytes);
    auto user_records = Deaggregate(aggregate.data, aggregate.partition_key);
    ASSERT_TRUE(user_records);
    read.insert(read.end(), user_records->begin(), user_records->end());
  }
  EXPECT_EQ(read, records);
  // Full means full: each closed aggregate is within one record of the limit.
  for (size_t i = 0; i + 1 < aggregates.size(); ++i) {
    EXPECT_GT(aggregates[i].data.size() + aggregates[i].partition_key.size(),
              limits.max_kinesis_bytes - 5100);
  }
}

TEST_F(AggregatorTest, FitsExactlyAtTheByteLimit) {
  Aggregator aggregator;
  const UserRecord record{.partition_key = "pk", .data = std::string(1000, 'z')};
  const size_t size = aggregator.KinesisSizeWith(View(record));
  EXPECT_TRUE(aggregator.Fits(View(record), {.max_kinesis_bytes = size}));
  EXPECT_FALSE(aggregator.Fits(View(record), {.max_kinesis_bytes = size - 1}));
}

TEST_F(AggregatorTest, RecordTooLargeForAnyAggregateFitsNone) {
  Aggregator aggregator;
  const std::string data(kDefaultMaxKinesisRecordBytes, 'x');
  EXPECT_FALSE(aggregator.Fits({.partition_key = "k", .data = data}, AggregationLimits{}));
}

TEST_F(AggregatorTest, HonoursTheRecordCountLimit) {
  const AggregationLimits limits{.max_records = 3};
  Aggregator aggregator;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(aggregator.Fits({.partition_key = "k", .data = "d"}, limits));
    aggregator.Add({.partition_key = "k", .data = "d"});
  }
  EXPECT_FALSE(aggregator.Fits({.partition_key = "k", .data = "d"}, limits));
}

TEST_F(AggregatorTest, KinesisRecordTakesTheFirstRecordsKeys) {
  Aggregator aggregator;
  aggregator.Add({.partition_key = "first", .explicit_hash_key = "99", .data = "1"});
  aggregator.Add({.partition_key = "second", .explicit_hash_key = "5", .data = "2"});
  Aggregate aggregate = aggregator.Finish();
  EXPECT_EQ(aggregate.partition_key, "first");
  EXPECT_EQ(aggregate.explicit_hash_key, "99");

  aggregator.Add({.partition_key = "third", .data = "3"});
  aggregator.Add({.partition_key = "fourth", .explicit_hash_key = "5", .data = "4"});
  aggregate = aggregator.Finish();
  EXPECT_EQ(aggregate.partition_key, "third");
  EXPECT_EQ(aggregate.explicit_hash_key, std::nullopt);
}

TEST_F(AggregatorTest, FinishStartsAFreshAggregate) {
  Aggregator aggregator;
  aggregator.Add({.partition_key = "a", .explicit_hash_key = "1", .data = "x"});
  aggregator.Add({.partition_key = "b", .data = "y"});
  (void)aggregator.Finish();
  EXPECT_TRUE(aggregator.empty());
  EXPECT_EQ(aggregator.record_count(), 0u);
  EXPECT_EQ(aggregator.encoded_size(), kAggregateOverheadBytes);
  EXPECT_EQ(aggregator.kinesis_size(), kAggregateOverheadBytes);

  Aggregator fresh;
  for (Aggregator* target : {&aggregator, &fresh}) {
    target->Add({.partition_key = "b", .data = "y"});
    target->Add({.partition_key = "a", .explicit_hash_key = "1", .data = "x"});
  }
  EXPECT_EQ(aggregator.Finish().data, fresh.Finish().data);
}

TEST_F(AggregatorTest, FinishingAnEmptyAggregatorIsABug) {
  Aggregator aggregator;
  EXPECT_DEATH((void)aggregator.Finish(), "empty aggregator");
}

}  // namespace
}  // namespace sluice::client
