#pragma once

#include <cstdint>
#include <string>

// `sluice produce --endpoint URL --stream NAME FILE`: streams the taxi trips of a CSV file
// (docs/formats/taxi-trips.md) as JSON records, partition key = trip id, through the
// producer library (client/, docs/producer.md).
namespace sluice::server {

struct ProduceOptions {
  std::string endpoint = "http://127.0.0.1:4567";
  std::string stream;
  std::string file;
  std::string region;       // empty: as the AWS SDKs find it, else us-east-1
  std::string rejects;      // malformed rows go here; empty: <file>.rejects
  bool aggregation = true;  // AggregationEnabled
  // RateLimit: % of a shard's 1,000 records/s and 1 MiB/s the producer sends to one shard
  // (the KPL's default 150 holds a shard to 1.5 MiB/s of trips, even on-demand).
  uint64_t rate_limit = 150;
  bool sign = true;      // false: unsigned requests (a sluice server running open)
  unsigned threads = 0;  // parsing workers; 0: one per core
  bool progress = true;  // a progress line on stderr
};

// Runs the whole upload. Prints per-shard counts and every failed record at the end.
// Returns the process exit status: 0 when every row was put, 1 when a record finally
// failed or the upload could not run, 2 when the producer cannot be set up (endpoint,
// credentials), 3 when every well-formed row was put but malformed rows went to the
// rejects file (as `aws s3 cp` exits 2 when it skipped files).
int RunProduce(const ProduceOptions& options);

}  // namespace sluice::server
