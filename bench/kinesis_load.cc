// Load generator for the Kinesis API over HTTP/1.1 keep-alive connections, for comparing
// sluice with other Kinesis servers (bench/kinesis_bench.py drives it).
//
//   kinesis_load put     --port P --stream S [--record-bytes 100] [--batch 500]
//                        [--connections 16] [--seconds 10] [--rate RECORDS_PER_S]
//   kinesis_load get     --port P --stream S --shards N [--connections N] [--pause-ms 0]
//     (get: --pause-ms between one reader's calls, as a consumer under the 5 calls/s per
//      shard quota would wait 200 ms)
//   kinesis_load latency --port P --stream S --shards N --rate RECORDS_PER_S [--seconds 10]
//     (latency: put of a record, stamped with the wall clock, to its first GetRecords;
//      sampled on the oldest record of each response)
//
// Prints its figures and ends with one line of key=value pairs. Requests carry a fixed
// SigV4-shaped Authorization header (sluice runs open in benchmarks; kinesalite only
// checks the header is there).
#include <simdjson.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/base64.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct Options {
  std::string mode;
  uint16_t port = 4567;
  std::string stream = "bench";
  size_t record_bytes = 100;
  size_t batch = 500;
  size_t connections = 16;
  double seconds = 10;
  double rate = 0;  // records/s; 0 = as fast as possible
  size_t shards = 4;
  double pause_ms = 0;  // get: between one reader's GetRecords calls
};

struct Totals {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> payload_bytes{0};
  std::atomic<uint64_t> failures{0};
};

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

http::request<http::string_body> MakeRequest(std::string_view operation, std::string body) {
  http::request<http::string_body> request{http::verb::post, "/", 11};
  request.set(http::field::host, "127.0.0.1");
  request.set("X-Amz-Target", "Kinesis_20131202." + std::string(operation));
  request.set(http::field::content_type, "application/x-amz-json-1.1");
  request.set("X-Amz-Date", "20260101T000000Z");
  request.set(http::field::authorization,
              "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/kinesis/aws4_request, "
              "SignedHeaders=host;x-amz-date, Signature=0000");
  request.keep_alive(true);
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

// A PutRecords body of `batch` records of random letters under random partition keys.
// With `stamp_offsets`, each record's data starts with an 18-byte slot whose base64 (24
// characters, independent of the rest since 18 is a multiple of 3) sits at the offsets
// returned, for StampBody() to fill in before each send.
std::string PutRecordsBody(const Options& options, std::mt19937_64& rng,
                           std::vector<size_t>* stamp_offsets) {
  std::string body = "{\"StreamName\":\"" + options.stream + "\",\"Records\":[";
  std::string data(std::max<size_t>(options.record_bytes, 18), 'x');
  for (char& c : data) c = static_cast<char>('a' + rng() % 26);
  for (size_t i = 0; i < options.batch; ++i) {
    data[data.size() - 1] = static_cast<char>('a' + i % 26);
    if (i > 0) body += ',';
    body += "{\"PartitionKey\":\"pk-" + std::to_string(rng() % 1000000) + "\",\"Data\":\"";
    if (stamp_offsets) stamp_offsets->push_back(body.size());
    sluice::Base64Encode(data, body);
    body += "\"}";
  }
  return body + "]}";
}

// Writes the current wall-clock time (16 zero-padded digits of microseconds and ";;")
// into every stamp slot of `body`.
void StampBody(std::string& body, const std::vector<size_t>& offsets) {
  char stamp[32];
  std::snprintf(stamp, sizeof(stamp), "%016lld;;", static_cast<long long>(WallMicros()));
  std::string encoded;
  sluice::Base64Encode(std::string_view(stamp, 18), encoded);
  for (size_t offset : offsets) body.replace(offset, encoded.size(), encoded);
}

class Connection {
 public:
  explicit Connection(asio::any_io_executor executor) : stream_(executor) {}

  asio::awaitable<bool> Open(uint16_t port) {
    auto [ec] = co_await stream_.async_connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), kNoThrow);
    stream_.socket().set_option(asio::ip::tcp::no_delay(true));
    co_return !ec;
  }

  // The response body, or nullopt on a transport error or a non-200 status. Responses
  // are read by hand (status line, Content-Length, then the body straight into its
  // string): parsing megabytes of GetRecords responses must not make the client the limit.
  asio::awaitable<std::optional<std::string>> Call(http::request<http::string_body>& request) {
    auto [write_ec, written] = co_await http::async_write(stream_, request, kNoThrow);
    if (write_ec) co_return std::nullopt;
    auto [head_ec, head_bytes] = co_await asio::async_read_until(
        stream_.socket(), asio::dynamic_buffer(pending_), "\r\n\r\n", kNoThrow);
    if (head_ec) co_return std::nullopt;
    const std::string_view head(pending_.data(), head_bytes);
    const bool ok = head.starts_with("HTTP/1.1 200");
    size_t length = 0;
    constexpr std::string_view kLength = "\r\nContent-Length: ";
    if (size_t at = head.find(kLength); at != std::string_view::npos) {
      std::from_chars(head.data() + at + kLength.size(), head.data() + head.size(), length);
    }
    std::string body(length, '\0');
    const size_t buffered = std::min(length, pending_.size() - head_bytes);
    std::copy_n(pending_.data() + head_bytes, buffered, body.data());
    pending_.erase(0, head_bytes + buffered);
    if (buffered < length) {
      auto [body_ec, body_bytes] = co_await asio::async_read(
          stream_.socket(), asio::buffer(body.data() + buffered, length - buffered), kNoThrow);
      if (body_ec) co_return std::nullopt;
    }
    if (!ok) co_return std::nullopt;
    co_return body;
  }

 private:
  beast::tcp_stream stream_;
  std::string pending_;  // bytes read past the last response's header
};

// With `call_micros`, stamps each record with the wall clock and records each call's time.
asio::awaitable<void> PutLoop(const Options& options, Totals& totals, Clock::time_point end,
                              size_t worker, std::vector<int64_t>* call_micros) {
  const bool stamp = call_micros != nullptr;
  Connection connection(co_await asio::this_coro::executor);
  if (!co_await connection.Open(options.port)) {
    totals.failures++;
    co_return;
  }
  std::mt19937_64 rng(worker + 1);
  std::vector<http::request<http::string_body>> prebuilt;
  std::vector<size_t> stamp_offsets;
  if (stamp) {
    prebuilt.push_back(MakeRequest("PutRecords", PutRecordsBody(options, rng, &stamp_offsets)));
  }
  for (int i = 0; i < 8 && !stamp; ++i) {
    prebuilt.push_back(MakeRequest("PutRecords", PutRecordsBody(options, rng, nullptr)));
  }
  asio::steady_timer pacer(co_await asio::this_coro::executor);
  const double per_worker_rate = options.rate / static_cast<double>(options.connections);
  const auto interval = per_worker_rate > 0
                            ? std::chrono::duration<double>(options.batch / per_worker_rate)
                            : std::chrono::duration<double>(0);
  // Workers start spread over one interval, so that paced requests do not arrive in bursts.
  auto next = Clock::now() +
              std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(worker) /
                                                          static_cast<double>(options.connections));
  if (interval.count() > 0) {
    pacer.expires_at(next);
    co_await pacer.async_wait(kNoThrow);
  }
  for (size_t i = 0; Clock::now() < end; ++i) {
    auto& request = prebuilt[i % prebuilt.size()];
    if (stamp) StampBody(request.body(), stamp_offsets);
    const int64_t sent = WallMicros();
    auto body = co_await connection.Call(request);
    if (stamp) call_micros->push_back(WallMicros() - sent);
    totals.requests++;
    if (!body || body->find("\"FailedRecordCount\":0") == std::string::npos) {
      totals.failures++;
    } else {
      totals.records += options.batch;
      totals.payload_bytes += options.batch * options.record_bytes;
    }
    if (interval.count() > 0) {
      next += std::chrono::duration_cast<Clock::duration>(interval);
      pacer.expires_at(next);
      co_await pacer.async_wait(kNoThrow);
    }
  }
}

std::optional<std::string> StringMember(simdjson::dom::element root, const char* key) {
  std::string_view value;
  if (root[key].get(value) != simdjson::SUCCESS) return std::nullopt;
  return std::string(value);
}

asio::awaitable<std::optional<std::string>> ShardIterator(Connection& connection,
                                                          const Options& options, size_t shard,
                                                          const char* type) {
  char shard_id[32];
  std::snprintf(shard_id, sizeof(shard_id), "shardId-%012zu", shard);
  auto request =
      MakeRequest("GetShardIterator", "{\"StreamName\":\"" + options.stream + "\",\"ShardId\":\"" +
                                          shard_id + "\",\"ShardIteratorType\":\"" + type + "\"}");
  auto body = co_await connection.Call(request);
  if (!body) co_return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(*body).get(root) != simdjson::SUCCESS) co_return std::nullopt;
  co_return StringMember(root, "ShardIterator");
}

// What a GetRecords response says, found by scanning instead of parsing: the load
// generator must not be the bottleneck of the read benchmark.
struct ScannedPage {
  size_t records = 0;
  std::optional<std::string> next_iterator;
  int64_t millis_behind = 0;
  std::string_view first_data;  // base64 Data of the first (oldest) record
};

// Occurrences of `needle` in `haystack`. memmem, not string_view::find: find stops at every
// occurrence of the needle's first character, and JSON is full of quotes.
size_t CountOccurrences(std::string_view haystack, std::string_view needle) {
  size_t count = 0;
  const char* at = haystack.data();
  const char* const end = haystack.data() + haystack.size();
  while (const void* found =
             memmem(at, static_cast<size_t>(end - at), needle.data(), needle.size())) {
    ++count;
    at = static_cast<const char*>(found) + needle.size();
  }
  return count;
}

ScannedPage ScanGetRecords(std::string_view body) {
  ScannedPage page;
  page.records = CountOccurrences(body, "\"SequenceNumber\":");
  constexpr std::string_view kData = "\"Data\":\"";
  if (size_t at = body.find(kData); at != std::string_view::npos) {
    const size_t start = at + kData.size();
    page.first_data = body.substr(start, body.find('"', start) - start);
  }
  constexpr std::string_view kNext = "\"NextShardIterator\":\"";
  if (size_t at = body.rfind(kNext); at != std::string_view::npos) {
    const size_t start = at + kNext.size();
    page.next_iterator = std::string(body.substr(start, body.find('"', start) - start));
  }
  constexpr std::string_view kBehind = "\"MillisBehindLatest\":";
  if (size_t at = body.rfind(kBehind); at != std::string_view::npos) {
    std::from_chars(body.data() + at + kBehind.size(), body.data() + body.size(),
                    page.millis_behind);
  }
  return page;
}

// Reads shards worker, worker + connections, ... from TRIM_HORIZON until caught up
// (or, with `latencies`, until `end`, recording put-to-read latency of stamped records).
asio::awaitable<void> GetLoop(const Options& options, Totals& totals, size_t worker,
                              const char* type, Clock::time_point end,
                              std::vector<int64_t>* latencies) {
  Connection connection(co_await asio::this_coro::executor);
  if (!co_await connection.Open(options.port)) {
    totals.failures++;
    co_return;
  }
  asio::steady_timer idle(co_await asio::this_coro::executor);
  for (size_t shard = worker; shard < options.shards; shard += options.connections) {
    auto iterator = co_await ShardIterator(connection, options, shard, type);
    while (iterator) {
      auto request = MakeRequest("GetRecords", "{\"ShardIterator\":\"" + *iterator + "\"}");
      auto body = co_await connection.Call(request);
      totals.requests++;
      if (!body) {
        totals.failures++;
        break;
      }
      const ScannedPage page = ScanGetRecords(*body);
      totals.records += page.records;
      iterator = page.next_iterator;
      if (!latencies) {
        if (page.records == 0 && page.millis_behind == 0) break;
        if (options.pause_ms > 0) {
          idle.expires_after(std::chrono::duration_cast<Clock::duration>(
              std::chrono::duration<double, std::milli>(options.pause_ms)));
          co_await idle.async_wait(kNoThrow);
        }
        continue;
      }
      // The oldest record of a response waited longest: its latency stands for the batch.
      if (auto data = sluice::Base64Decode(page.first_data); data && !data->empty()) {
        latencies->push_back(WallMicros() - std::stoll(*data));
      }
      if (Clock::now() >= end) break;
      if (page.records == 0) {  // caught up: poll again in 1 ms, as a tight consumer would
        idle.expires_after(std::chrono::milliseconds(1));
        co_await idle.async_wait(kNoThrow);
      }
    }
  }
}

double Percentile(std::vector<int64_t>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return static_cast<double>(values[static_cast<size_t>(p * (values.size() - 1))]) / 1000.0;
}

// GetLoops on threads of their own, reader i taking shards i, i + readers, ...: parsing
// large responses must not make the client the limit, nor one reader that fell behind (its
// pages grow to 10,000 records) hold up the others. With `latencies`, reader i records
// into (*latencies)[i].
class Readers {
 public:
  Readers(const Options& options, Totals& totals, const char* type, Clock::time_point end,
          std::vector<std::vector<int64_t>>* latencies) {
    const size_t readers = std::min(options.connections, options.shards);
    for (size_t i = 0; i < readers; ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(1));
      asio::co_spawn(*contexts_.back(),
                     GetLoop(options, totals, i, type, end, latencies ? &(*latencies)[i] : nullptr),
                     asio::detached);
      threads_.emplace_back([&context = *contexts_.back()] { context.run(); });
    }
  }

  void Join() {
    for (std::thread& thread : threads_) thread.join();
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<std::thread> threads_;
};

int RunPut(const Options& options) {
  asio::io_context context(1);
  Totals totals;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.seconds));
  for (size_t i = 0; i < options.connections; ++i) {
    asio::co_spawn(context, PutLoop(options, totals, end, i, nullptr), asio::detached);
  }
  context.run();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double rate = totals.records / elapsed;
  const double mb = totals.payload_bytes / elapsed / 1e6;
  std::printf(
      "put: %llu records in %.2f s = %.0f records/s, %.1f MB/s payload, %llu failed "
      "requests of %llu\n",
      static_cast<unsigned long long>(totals.records.load()), elapsed, rate, mb,
      static_cast<unsigned long long>(totals.failures.load()),
      static_cast<unsigned long long>(totals.requests.load()));
  std::printf(
      "mode=put records=%llu seconds=%.2f records_per_s=%.0f payload_mb_per_s=%.1f "
      "failed_requests=%llu\n",
      static_cast<unsigned long long>(totals.records.load()), elapsed, rate, mb,
      static_cast<unsigned long long>(totals.failures.load()));
  return totals.failures > 0 ? 1 : 0;
}

int RunGet(const Options& options) {
  Totals totals;
  const auto start = Clock::now();
  Readers(options, totals, "TRIM_HORIZON", Clock::time_point::max(), nullptr).Join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double rate = totals.records / elapsed;
  std::printf("get: %llu records in %.2f s = %.0f records/s (%llu requests, %llu failed)\n",
              static_cast<unsigned long long>(totals.records.load()), elapsed, rate,
              static_cast<unsigned long long>(totals.requests.load()),
              static_cast<unsigned long long>(totals.failures.load()));
  std::printf("mode=get records=%llu seconds=%.2f records_per_s=%.0f failed_requests=%llu\n",
              static_cast<unsigned long long>(totals.records.load()), elapsed, rate,
              static_cast<unsigned long long>(totals.failures.load()));
  return totals.failures > 0 ? 1 : 0;
}

int RunLatency(const Options& options) {
  // Writers on this thread, each reader on one of its own (Readers): building requests
  // never delays a read, and a reader that fell behind catches up (with one thread for
  // all four, the latency grew for the rest of the run once one had fallen behind).
  asio::io_context context(1);
  Totals put_totals, get_totals;
  std::vector<std::vector<int64_t>> latencies(options.shards);
  std::vector<int64_t> put_calls;  // PutRecords call times: how much of the latency is the write
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.seconds));
  Options one_per_shard = options;
  one_per_shard.connections = options.shards;
  Readers readers(one_per_shard, get_totals, "LATEST", end + std::chrono::milliseconds(200),
                  &latencies);
  for (size_t i = 0; i < options.connections; ++i) {
    asio::co_spawn(context, PutLoop(options, put_totals, end, i, &put_calls), asio::detached);
  }
  context.run();
  readers.Join();
  std::vector<int64_t> all;
  for (auto& shard : latencies) all.insert(all.end(), shard.begin(), shard.end());
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double p50 = Percentile(all, 0.50), p99 = Percentile(all, 0.99);
  const double put_p50 = Percentile(put_calls, 0.50), put_p99 = Percentile(put_calls, 0.99);
  std::printf(
      "latency: %zu records seen of %llu put at %.0f records/s; put->visible p50 %.2f ms, "
      "p99 %.2f ms; PutRecords call p50 %.2f ms, p99 %.2f ms\n",
      all.size(), static_cast<unsigned long long>(put_totals.records.load()),
      put_totals.records / elapsed, p50, p99, put_p50, put_p99);
  std::printf(
      "mode=latency records=%zu put_rate=%.0f p50_ms=%.2f p99_ms=%.2f put_call_p50_ms=%.2f "
      "put_call_p99_ms=%.2f failed_requests=%llu\n",
      all.size(), put_totals.records / elapsed, p50, p99, put_p50, put_p99,
      static_cast<unsigned long long>(put_totals.failures + get_totals.failures));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Kinesis API load generator"};
  app.add_option("mode", options.mode, "put | get | latency")
      ->required()
      ->check(CLI::IsMember({"put", "get", "latency"}));
  app.add_option("--port", options.port)->required();
  app.add_option("--stream", options.stream);
  app.add_option("--record-bytes", options.record_bytes);
  app.add_option("--batch", options.batch);
  app.add_option("--connections", options.connections);
  app.add_option("--seconds", options.seconds);
  app.add_option("--rate", options.rate);
  app.add_option("--shards", options.shards);
  app.add_option("--pause-ms", options.pause_ms);
  CLI11_PARSE(app, argc, argv);
  if (options.mode == "put") return RunPut(options);
  if (options.mode == "get") return RunGet(options);
  return RunLatency(options);
}
