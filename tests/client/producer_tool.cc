// A command-line driver of the producer library for tests/client/test_producer_integration.py.
//
//   producer_tool produce --endpoint URL --stream NAME --count N [--no-aggregation]
//     Puts records "record-<i>-<padding>" under partition key "pk-<i>" with the producer
//     (credentials from the environment), waits for all, prints one JSON line of counts.
//     Exit 0 when every record succeeded.
//   producer_tool deaggregate
//     Reads lines "<partition key base64> <data base64>" (Kinesis records) and writes one
//     line "<partition key base64> <data base64>" per user record inside them.
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "aggregation/deaggregate.h"
#include "common/base64.h"
#include "sluice/producer.h"

namespace {

using sluice::client::Producer;
using sluice::client::ProducerConfig;
using sluice::client::PutFuture;

std::string Option(const std::vector<std::string>& args, const std::string& name,
                   const std::string& fallback) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == name) return args[i + 1];
  }
  return fallback;
}

bool Flag(const std::vector<std::string>& args, const std::string& name) {
  for (const std::string& arg : args) {
    if (arg == name) return true;
  }
  return false;
}

int Produce(const std::vector<std::string>& args) {
  ProducerConfig config;
  config.endpoint = Option(args, "--endpoint", "");
  config.region = "us-east-1";  // the test server's, whatever the environment says
  config.aggregation_enabled = !Flag(args, "--no-aggregation");
  const std::string stream = Option(args, "--stream", "");
  const int count = std::stoi(Option(args, "--count", "1000"));
  auto producer = Producer::Create(config);
  if (!producer) {
    std::fprintf(stderr, "producer_tool: %s\n", producer.error().message.c_str());
    return 2;
  }
  std::vector<PutFuture> futures;
  futures.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    std::string data =
        "record-" + std::to_string(i) + "-" + std::string(static_cast<size_t>(i % 50), 'x');
    auto future = (*producer)->Put(stream, "pk-" + std::to_string(i), data);
    if (!future) {
      std::fprintf(stderr, "producer_tool: put %d: %s\n", i, future.error().message.c_str());
      return 2;
    }
    futures.push_back(std::move(*future));
  }
  (*producer)->FlushSync();
  int succeeded = 0;
  int failed = 0;
  int retried = 0;
  std::map<std::string, int> errors;
  for (PutFuture& future : futures) {
    auto result = future.get();
    if (result.succeeded) {
      ++succeeded;
    } else {
      ++failed;
    }
    if (result.attempts.size() > 1) ++retried;
    for (const auto& attempt : result.attempts) {
      if (!attempt.succeeded()) ++errors[attempt.error_code];
    }
  }
  auto metrics = (*producer)->Metrics();
  uint64_t kinesis_records = 0;
  for (const auto& stream_metrics : metrics.streams)
    kinesis_records += stream_metrics.kinesis_records_put;
  std::printf(
      "{\"succeeded\": %d, \"failed\": %d, \"retried\": %d, \"kinesis_records\": %llu, "
      "\"errors\": {",
      succeeded, failed, retried, static_cast<unsigned long long>(kinesis_records));
  bool first = true;
  for (const auto& [code, n] : errors) {
    std::printf("%s\"%s\": %d", first ? "" : ", ", code.c_str(), n);
    first = false;
  }
  std::printf("}}\n");
  return failed == 0 ? 0 : 1;
}

int Deaggregate() {
  std::string line;
  while (std::getline(std::cin, line)) {
    const size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    auto key = sluice::Base64Decode(line.substr(0, space));
    auto data = sluice::Base64Decode(line.substr(space + 1));
    if (!key || !data) {
      std::fprintf(stderr, "producer_tool: bad base64 input\n");
      return 2;
    }
    auto records = sluice::client::Deaggregate(*data, *key);
    if (!records) {
      std::fprintf(stderr, "producer_tool: %s\n", records.error().message.c_str());
      return 2;
    }
    for (const auto& record : *records) {
      std::string out;
      sluice::Base64Encode(record.partition_key, out);
      out.push_back(' ');
      sluice::Base64Encode(record.data, out);
      std::cout << out << '\n';
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "produce") return Produce(args);
  if (!args.empty() && args[0] == "deaggregate") return Deaggregate();
  std::fprintf(stderr, "usage: producer_tool produce|deaggregate ...\n");
  return 2;
}
