#include "http/metrics.h"

#include <fmt/format.h>

#include "common/process_memory.h"

namespace sluice::http {

namespace {

constexpr std::array<std::string_view, 3> kOutcomeNames = {"success", "client_error",
                                                           "server_error"};

}  // namespace

void AppendMetricHeader(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void OperationMetrics::Record(Outcome outcome, std::chrono::nanoseconds latency) {
  outcomes_[static_cast<size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(latency).count();
  size_t bucket = 0;
  while (bucket < kBucketBounds.size() && seconds > kBucketBounds[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
}

void OperationMetrics::RenderCounters(std::string& out) const {
  for (size_t i = 0; i < outcomes_.size(); ++i) {
    fmt::format_to(std::back_inserter(out),
                   "sluice_requests_total{{service=\"{}\",operation=\"{}\",outcome=\"{}\"}} {}\n",
                   service_, operation_, kOutcomeNames[i],
                   outcomes_[i].load(std::memory_order_relaxed));
  }
}

void OperationMetrics::RenderHistogram(std::string& out) const {
  auto it = std::back_inserter(out);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string bound = i < kBucketBounds.size() ? fmt::format("{}", kBucketBounds[i]) : "+Inf";
    fmt::format_to(it,
                   "sluice_request_duration_seconds_bucket{{service=\"{}\",operation=\"{}\","
                   "le=\"{}\"}} {}\n",
                   service_, operation_, bound, cumulative);
  }
  fmt::format_to(it, "sluice_request_duration_seconds_sum{{service=\"{}\",operation=\"{}\"}} {}\n",
                 service_, operation_, latency_sum_ns_.load(std::memory_order_relaxed) / 1e9);
  fmt::format_to(it,
                 "sluice_request_duration_seconds_count{{service=\"{}\",operation=\"{}\"}} {}\n",
                 service_, operation_, cumulative);
}

OperationMetrics& Metrics::Register(std::string_view service, std::string_view operation) {
  std::lock_guard lock(mutex_);
  return operations_.emplace_back(std::string(service), std::string(operation));
}

void Metrics::AddCollector(std::function<void(std::string&)> render) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(render));
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  out.reserve(4096);
  {
    std::lock_guard lock(mutex_);
    AppendMetricHeader(out, "sluice_requests_total", "counter",
                       "Requests by service, operation and outcome.");
    for (const OperationMetrics& operation : operations_) operation.RenderCounters(out);
    AppendMetricHeader(out, "sluice_request_duration_seconds", "histogram",
                       "Request latency from the end of reading to the response, in seconds.");
    for (const OperationMetrics& operation : operations_) operation.RenderHistogram(out);
    for (const auto& render : collectors_) render(out);
  }
  AppendMetricHeader(out, "sluice_open_connections", "gauge", "Open client connections.");
  fmt::format_to(std::back_inserter(out), "sluice_open_connections {}\n", open_connections());
  AppendMetricHeader(out, "process_resident_memory_bytes", "gauge",
                     "Resident memory size in bytes.");
  fmt::format_to(std::back_inserter(out), "process_resident_memory_bytes {}\n", ResidentSetBytes());
  return out;
}

}  // namespace sluice::http
