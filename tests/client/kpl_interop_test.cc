// Interoperability of sluice's KPL aggregated records with aws-kinesis-agg, AWS's own
// JavaScript implementation (pinned and installed by install_aws_kinesis_agg.sh; the node
// side is kpl_interop.js, which also documents the file format used between the two).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "aggregation/aggregator.h"
#include "aggregation/deaggregate.h"
#include "common/base64.h"
#include "user_record_printer.h"

namespace sluice::client {
namespace {

namespace fs = std::filesystem;

UserRecordView View(const UserRecord& record) {
  return {.partition_key = record.partition_key,
          .explicit_hash_key = record.explicit_hash_key,
          .data = record.data};
}

std::string Base64(std::string_view bytes) {
  std::string text;
  Base64Encode(bytes, text);
  return text;
}

std::string Line(char kind, std::string_view partition_key,
                 const std::optional<std::string>& explicit_hash_key, std::string_view data) {
  return std::string(1, kind) + '\t' + Base64(partition_key) + '\t' +
         (explicit_hash_key ? Base64(*explicit_hash_key) : "-") + '\t' + Base64(data) + '\n';
}

// A Kinesis record and the user records it carries, as one side of the test wrote them.
struct Group {
  UserRecord kinesis = {};
  std::vector<UserRecord> users = {};
};

std::vector<Group> ReadGroups(const fs::path& file) {
  std::vector<Group> groups;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (fields.size() != 4) ADD_FAILURE() << "bad line: " << line;
    if (fields.size() != 4) return {};
    UserRecord record{.partition_key = Base64Decode(fields[1]).value_or("?"),
                      .data = Base64Decode(fields[3]).value_or("?")};
    if (fields[2] != "-") record.explicit_hash_key = Base64Decode(fields[2]).value_or("?");
    if (fields[0] == "K") {
      groups.push_back({.kinesis = std::move(record)});
    } else if (!groups.empty()) {
      groups.back().users.push_back(std::move(record));
    }
  }
  return groups;
}

// Records covering what the format must carry: shared and distinct keys, UTF-8 keys, the
// longest partition key, explicit hash keys on some records only, empty and binary data,
// and enough bytes for several 1 MiB aggregates.
std::vector<UserRecord> TestRecords() {
  std::mt19937 rng(2024);
  std::vector<UserRecord> records;
  records.push_back({.partition_key = "only-record-of-its-key", .data = "first"});
  records.push_back({.partition_key = "empty", .data = ""});
  records.push_back({.partition_key = "zeros", .data = std::string(64, '\0')});
  records.push_back({.partition_key = "\xc3\xa9l\xc3\xa8ve \xe2\x9c\x93", .data = "utf-8 key"});
  records.push_back({.partition_key = std::string(256, 'k'), .data = "longest key"});
  records.push_back({.partition_key = "ehk",
                     .explicit_hash_key = "340282366920938463463374607431768211455",
                     .data = "highest hash key"});
  records.push_back({.partition_key = "ehk", .explicit_hash_key = "0", .data = "lowest"});
  for (int i = 0; i < 3000; ++i) {
    UserRecord record{.partition_key = "taxi-" + std::to_string(rng() % 400)};
    if (i % 7 == 0) record.explicit_hash_key = std::to_string(1 + rng() % 1000) + "000000000000";
    record.data.resize(rng() % 2000);
    for (char& c : record.data) c = static_cast<char>(rng());
    records.push_back(std::move(record));
  }
  return records;
}

// Whether JavaScript takes `key` for an array index (canonical decimal below 2^32 - 1).
// aws-kinesis-agg 4.2.8 builds its key tables with Object.keys() of a plain object, which
// lists such keys first, in numeric order, whatever their index: an aggregate of keys like
// "0" after other keys gets tables out of step with its records' indexes.
bool IsJsArrayIndex(std::string_view key) {
  if (key.empty() || key.size() > 10 || (key.size() > 1 && key[0] == '0')) return false;
  if (key.find_first_not_of("0123456789") != std::string_view::npos) return false;
  return std::stoull(std::string(key)) < 4294967295ULL;
}

class KplInteropTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sluice-kpl-interop-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs kpl_interop.js with `args`; its output goes to the test log.
  int RunNode(const std::string& args) {
    const fs::path log = dir_ / "node.log";
    std::string command = "NODE_PATH='" SLUICE_NODE_MODULES "' node '" SLUICE_KPL_INTEROP_JS "' ";
    command += args + " > '" + log.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(log);
    std::cout << in.rdbuf() << std::flush;
    return status;
  }

  fs::path dir_;
};

TEST_F(KplInteropTest, AwsKinesisAggReadsSluiceAggregates) {
  const std::vector<UserRecord> records = TestRecords();
  const AggregationLimits limits;
  Aggregator aggregator;
  std::string file;
  std::string users;
  size_t aggregates = 0;
  auto flush = [&] {
    const Aggregate aggregate = aggregator.Finish();
    file += Line('K', aggregate.partition_key, aggregate.explicit_hash_key, aggregate.data);
    file += users;
    users.clear();
    ++aggregates;
  };
  for (const UserRecord& record : records) {
    if (!aggregator.Fits(View(record), limits)) flush();
    aggregator.Add(View(record));
    users += Line('U', record.partition_key, record.explicit_hash_key, record.data);
  }
  flush();
  // One more of a single record: the smallest aggregate.
  aggregator.Add(View(records[0]));
  users = Line('U', records[0].partition_key, records[0].explicit_hash_key, records[0].data);
  flush();
  ASSERT_GE(aggregates, 4u);
  std::ofstream(dir_ / "sluice.txt") << file;

  EXPECT_EQ(RunNode("deaggregate '" + (dir_ / "sluice.txt").string() + "'"), 0);
}

TEST_F(KplInteropTest, SluiceReadsAwsKinesisAggAggregates) {
  std::vector<UserRecord> records = TestRecords();
  // Keys aws-kinesis-agg itself cannot aggregate (see IsJsArrayIndex).
  std::erase_if(records, [](const UserRecord& record) {
    return IsJsArrayIndex(record.partition_key) ||
           (record.explicit_hash_key && IsJsArrayIndex(*record.explicit_hash_key));
  });
  ASSERT_EQ(records.size(), TestRecords().size() - 1);
  {
    std::ofstream input(dir_ / "input.txt");
    for (const UserRecord& record : records) {
      input << Line('U', record.partition_key, record.explicit_hash_key, record.data);
    }
  }
  ASSERT_EQ(RunNode("aggregate '" + (dir_ / "input.txt").string() + "' '" +
                    (dir_ / "node.txt").string() + "'"),
            0);

  const std::vector<Group> groups = ReadGroups(dir_ / "node.txt");
  ASSERT_GE(groups.size(), 3u);
  std::vector<UserRecord> all;
  for (size_t i = 0; i < groups.size(); ++i) {
    const Group& group = groups[i];
    ASSERT_TRUE(IsAggregate(group.kinesis.data)) << "aggregate " << i;
    auto users = Deaggregate(group.kinesis.data, group.kinesis.partition_key);
    ASSERT_TRUE(users) << "aggregate " << i << ": " << users.error().message;
    EXPECT_EQ(*users, group.users) << "aggregate " << i;
    all.insert(all.end(), users->begin(), users->end());

    // Both write the same bytes for the same records, and the same partition key.
    Aggregator aggregator;
    for (const UserRecord& user : group.users) aggregator.Add(View(user));
    const Aggregate ours = aggregator.Finish();
    EXPECT_TRUE(ours.data == group.kinesis.data)
        << "aggregate " << i << ": sluice wrote " << ours.data.size() << " bytes, aws-kinesis-agg "
        << group.kinesis.data.size() << ", not the same";
    EXPECT_EQ(ours.partition_key, group.kinesis.partition_key) << "aggregate " << i;
  }
  EXPECT_EQ(all, records);
}

}  // namespace
}  // namespace sluice::client
