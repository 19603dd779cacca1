// End-to-end benchmark of the producer library (client/, include/sluice/producer.h): 100-byte
// user records put as fast as the caller can into a local sluice, with and without KPL
// aggregation.
//
//   producer_bench [--sluice PATH] [--endpoint URL] [--seconds 10] [--shards 4]
//                  [--record-bytes 100] [--put-threads 1] [--io-threads 1] [--keys 0]
//                  [--modes agg,plain] [--durability none]
//
// Without --endpoint it starts `sluice serve` (PATH defaults to the sluice binary next to
// bench/) on a free port with a temporary data folder, `kinesis.enforce_limits: false` and
// `storage.durability: none` (--durability sync|interval|none: the disk is not what this
// measures), and creates one provisioned stream of --shards shards per mode. --keys N draws
// partition keys from N distinct values (0: a new key per record). Prints user records/s, Kinesis
// records/s and the producer process's CPU seconds per million user records (getrusage:
// this process only, the server is another), ending with one line of key=value pairs.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sluice/producer.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using sluice::client::Producer;
using sluice::client::ProducerConfig;

struct Options {
  std::string sluice;
  std::string endpoint;
  double seconds = 10;
  int shards = 4;
  size_t record_bytes = 100;
  int put_threads = 1;
  uint32_t io_threads = 1;
  uint64_t keys = 0;
  std::string modes = "agg,plain";
  std::string durability = "none";
};

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
    if (i == 15) break;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// `sluice serve` in a temporary folder; stopped with SIGTERM at destruction.
class Server {
 public:
  Server(const std::string& binary, const std::string& durability) {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-producer-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "config.yaml")
        << "storage:\n  durability: " << durability
        << "\nkinesis:\n  enforce_limits: false\n  state_change_delay_ms: 50\nlog_level: warn\n";
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const std::string log = (dir_ / "server.log").string();
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const std::string data = (dir_ / "data").string();
    const std::string config = (dir_ / "config.yaml").string();
    std::vector<std::string> args = {binary,       "serve", "--listen", "127.0.0.1:0",
                                     "--data-dir", data,    "--config", config};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + binary);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    std::string line;
    char c = 0;
    while (read(out[0], &c, 1) == 1) {
      if (c != '\n') {
        line.push_back(c);
        continue;
      }
      if (line.find("listening on http://") != std::string::npos) break;
      line.clear();
    }
    close(out[0]);
    const size_t colon = line.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("sluice did not start; see " + log);
    port_ = std::stoi(line.substr(colon + 1));
  }
  ~Server() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    std::filesystem::remove_all(dir_);
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = 0;
  int port_ = 0;
};

// One unsigned AWS JSON call (the benchmark server runs open): the response body.
std::string Call(const std::string& endpoint, const std::string& operation,
                 const std::string& body) {
  const std::string host_port = endpoint.substr(endpoint.find("//") + 2);
  const std::string host = host_port.substr(0, host_port.rfind(':'));
  const std::string port = host_port.substr(host_port.rfind(':') + 1);
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(asio::ip::tcp::resolver(io).resolve(host, port));
  http::request<http::string_body> request{http::verb::post, "/", 11};
  request.set(http::field::host, host_port);
  request.set("X-Amz-Target", "Kinesis_20131202." + operation);
  request.set(http::field::content_type, "application/x-amz-json-1.1");
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return response.body();
}

void CreateStream(const std::string& endpoint, const std::string& name, int shards) {
  Call(endpoint, "CreateStream",
       "{\"StreamName\":\"" + name + "\",\"ShardCount\":" + std::to_string(shards) + "}");
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    const std::string summary =
        Call(endpoint, "DescribeStreamSummary", "{\"StreamName\":\"" + name + "\"}");
    if (summary.find("\"ACTIVE\"") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("stream " + name + " did not become ACTIVE");
}

struct Figures {
  double seconds = 0;
  uint64_t user_records = 0;
  uint64_t failed = 0;
  uint64_t kinesis_records = 0;
  uint64_t requests = 0;
  double cpu_seconds = 0;
  double server_cpu_seconds = 0;
  double buffering_ms = 0;
  double latency_ms = 0;
};

Figures Run(const Options& options, const std::string& endpoint, pid_t server, bool aggregate) {
  const std::string stream = aggregate ? "bench-agg" : "bench-plain";
  CreateStream(endpoint, stream, options.shards);
  ProducerConfig config;
  config.endpoint = endpoint;
  config.sign_requests = false;
  config.aggregation_enabled = aggregate;
  config.rate_limit = 1000000000;  // the server enforces no shard limits here
  config.io_threads = options.io_threads;
  auto created = Producer::Create(config);
  if (!created) throw std::runtime_error(created.error().message);
  Producer& producer = **created;
  // The shard map loads before the clock starts.
  (void)producer.Put(stream, "warm-up", "x");
  producer.FlushSync();

  const std::string data(options.record_bytes, 'd');
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> put{0};
  std::atomic<uint64_t> refused{0};
  const double cpu_start = CpuSeconds();
  const double server_start = server > 0 ? ProcessCpuSeconds(server) : 0;
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < options.put_threads; ++t) {
    threads.emplace_back([&, t] {
      char key[32] = "pk-";
      uint64_t count = 0;
      uint64_t n = static_cast<uint64_t>(t) << 40;
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < 256; ++i, ++n) {
          const uint64_t k = options.keys > 0 ? n % options.keys : n;
          char* end = std::to_chars(key + 3, key + sizeof(key), k).ptr;
          if (!producer.Put(stream, std::string_view(key, static_cast<size_t>(end - key)), data)) {
            refused.fetch_add(1);
          }
        }
        count += 256;
      }
      put.fetch_add(count);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
  stop = true;
  for (std::thread& thread : threads) thread.join();
  producer.FlushSync();
  Figures figures;
  figures.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  figures.cpu_seconds = CpuSeconds() - cpu_start;
  figures.server_cpu_seconds = server > 0 ? ProcessCpuSeconds(server) - server_start : 0;
  for (const auto& metrics : producer.Metrics().streams) {
    figures.user_records += metrics.user_records_put - 1;  // not the warm-up record
    figures.failed += metrics.user_records_failed;
    figures.kinesis_records += metrics.kinesis_records_put - 1;
    figures.requests += metrics.put_records_requests - 1;
    if (metrics.buffering_time.count > 0) {
      figures.buffering_ms =
          metrics.buffering_time.sum_ms / static_cast<double>(metrics.buffering_time.count);
    }
    if (metrics.request_latency.count > 0) {
      figures.latency_ms =
          metrics.request_latency.sum_ms / static_cast<double>(metrics.request_latency.count);
    }
  }
  figures.failed += refused.load();
  if (figures.user_records + figures.failed != put.load()) {
    std::fprintf(stderr, "producer_bench: %llu put, %llu accounted for\n",
                 static_cast<unsigned long long>(put.load()),
                 static_cast<unsigned long long>(figures.user_records + figures.failed));
  }
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"producer library end-to-end benchmark"};
  app.add_option("--sluice", options.sluice, "sluice binary to start");
  app.add_option("--endpoint", options.endpoint, "use this running server instead");
  app.add_option("--seconds", options.seconds, "seconds of putting per mode");
  app.add_option("--shards", options.shards, "shards of each benchmark stream");
  app.add_option("--record-bytes", options.record_bytes, "bytes of data per user record");
  app.add_option("--put-threads", options.put_threads, "threads calling Put()");
  app.add_option("--io-threads", options.io_threads, "producer I/O threads");
  app.add_option("--keys", options.keys, "distinct partition keys (0: one per record)");
  app.add_option("--modes", options.modes, "agg, plain or agg,plain");
  app.add_option("--durability", options.durability, "the started server's storage.durability");
  CLI11_PARSE(app, argc, argv);
  if (options.sluice.empty()) {
    options.sluice =
        (std::filesystem::canonical("/proc/self/exe").parent_path().parent_path() / "sluice")
            .string();
  }
  std::unique_ptr<Server> server;
  std::string endpoint = options.endpoint;
  if (endpoint.empty()) {
    server = std::make_unique<Server>(options.sluice, options.durability);
    endpoint = server->endpoint();
  }
  std::map<std::string, double> summary;
  for (const std::string mode : {"agg", "plain"}) {
    if (options.modes.find(mode) == std::string::npos) continue;
    const Figures f = Run(options, endpoint, server ? server->pid() : 0, mode == "agg");
    const double users_per_s = static_cast<double>(f.user_records) / f.seconds;
    const double kinesis_per_s = static_cast<double>(f.kinesis_records) / f.seconds;
    const double cpu_per_million = f.cpu_seconds / (static_cast<double>(f.user_records) / 1e6);
    std::printf(
        "%-5s %llu user records in %.2f s: %.0f user records/s, %.0f Kinesis records/s "
        "(%.1f user records each), %llu requests, %llu failed; producer CPU %.2f s = %.3f s per "
        "million user records; server CPU %.2f s; mean buffering %.1f ms, request %.1f ms\n",
        mode.c_str(), static_cast<unsigned long long>(f.user_records), f.seconds, users_per_s,
        kinesis_per_s, static_cast<double>(f.user_records) / static_cast<double>(f.kinesis_records),
        static_cast<unsigned long long>(f.requests), static_cast<unsigned long long>(f.failed),
        f.cpu_seconds, cpu_per_million, f.server_cpu_seconds, f.buffering_ms, f.latency_ms);
    summary[mode + "_user_records_per_s"] = users_per_s;
    summary[mode + "_kinesis_records_per_s"] = kinesis_per_s;
    summary[mode + "_cpu_s_per_million"] = cpu_per_million;
    summary[mode + "_server_cpu_s"] = f.server_cpu_seconds;
    summary[mode + "_failed"] = static_cast<double>(f.failed);
  }
  std::printf("bench=producer_bench record_bytes=%zu shards=%d put_threads=%d io_threads=%u",
              options.record_bytes, options.shards, options.put_threads, options.io_threads);
  for (const auto& [key, value] : summary) std::printf(" %s=%.6g", key.c_str(), value);
  std::printf("\n");
  return 0;
}
