#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http {

enum class Outcome { kSuccess, kClientError, kServerError };

// Counters and a latency histogram for one operation. Lock-free to update.
class OperationMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds (Prometheus `le`).
  static constexpr std::array<double, 13> kBucketBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  OperationMetrics(std::string service, std::string operation)
      : service_(std::move(service)), operation_(std::move(operation)) {}

  void Record(Outcome outcome, std::chrono::nanoseconds latency);
  void RenderCounters(std::string& out) const;
  void RenderHistogram(std::string& out) const;

 private:
  std::string service_;
  std::string operation_;
  std::array<std::atomic<uint64_t>, 3> outcomes_{};                        // by Outcome
  std::array<std::atomic<uint64_t>, kBucketBounds.size() + 1> buckets_{};  // last: +Inf
  std::atomic<uint64_t> latency_sum_ns_{0};
};

// The server's metrics, rendered in the Prometheus text format for GET /metrics.
// Register() is for start-up and returns a reference that stays valid for the
// registry's lifetime; updates and Render() are thread-safe.
// "# HELP name help\n# TYPE name type\n".
void AppendMetricHeader(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help);

class Metrics {
 public:
  OperationMetrics& Register(std::string_view service, std::string_view operation);

  void ConnectionOpened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t open_connections() const { return open_connections_.load(); }

  // Adds metrics another module keeps: `render` appends Prometheus text to its argument
  // on every scrape. Register collectors before the server starts.
  void AddCollector(std::function<void(std::string&)> render);

  std::string RenderPrometheus() const;

 private:
  mutable std::mutex mutex_;
  std::deque<OperationMetrics> operations_;  // guarded by mutex_; deque keeps addresses
  std::vector<std::function<void(std::string&)>> collectors_;  // guarded by mutex_
  std::atomic<int64_t> open_connections_{0};
};

}  // namespace sluice::http
