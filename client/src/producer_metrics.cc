#include "producer_metrics.h"

#include <cstdio>
#include <functional>
#include <vector>

namespace sluice::client {

PutCounters& PutCounters::operator+=(const PutCounters& other) {
  user_records_put += other.user_records_put;
  user_records_failed += other.user_records_failed;
  user_record_bytes_put += other.user_record_bytes_put;
  kinesis_records_put += other.kinesis_records_put;
  kinesis_record_bytes_put += other.kinesis_record_bytes_put;
  retries += other.retries;
  for (const auto& [code, count] : other.errors_by_code) errors_by_code[code] += count;
  return *this;
}

bool PutCounters::empty() const {
  return user_records_put == 0 && user_records_failed == 0 && kinesis_records_put == 0 &&
         retries == 0 && errors_by_code.empty();
}

LatencyHistogram Histogram::Snapshot() const {
  LatencyHistogram out;
  out.bounds_ms.assign(kBoundsMs.begin(), kBoundsMs.end());
  uint64_t cumulative = 0;
  for (uint64_t count : counts_) {
    cumulative += count;
    out.counts.push_back(cumulative);
  }
  out.count = cumulative;
  out.sum_ms = sum_ms_;
  return out;
}

namespace {

// Label values escape backslash, double quote and newline.
std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

class Writer {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP sluice_producer_";
    out_.append(name).append(" ").append(help).append("\n# TYPE sluice_producer_");
    out_.append(name).append(" ").append(type).append("\n");
  }
  void Sample(std::string_view name, std::string_view labels, double value) {
    char number[32];
    std::snprintf(number, sizeof(number), "%.17g", value);
    out_.append("sluice_producer_").append(name);
    if (!labels.empty()) out_.append("{").append(labels).append("}");
    out_.append(" ").append(number).append("\n");
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string StreamLabel(const StreamMetrics& stream) {
  return "stream=\"" + Escape(stream.stream) + "\"";
}

std::string ShardLabels(const StreamMetrics& stream, const ShardMetrics& shard) {
  return StreamLabel(stream) + ",shard=\"" + Escape(shard.shard_id) + "\"";
}

void ShardCounter(Writer& w, const MetricsSnapshot& snapshot, std::string_view name,
                  std::string_view help, const std::function<uint64_t(const ShardMetrics&)>& get) {
  w.Family(name, "counter", help);
  for (const StreamMetrics& stream : snapshot.streams) {
    for (const ShardMetrics& shard : stream.shards) {
      w.Sample(name, ShardLabels(stream, shard), static_cast<double>(get(shard)));
    }
  }
}

void HistogramFamily(Writer& w, const MetricsSnapshot& snapshot, std::string_view name,
                     std::string_view help,
                     const std::function<const LatencyHistogram&(const StreamMetrics&)>& get) {
  w.Family(name, "histogram", help);
  const std::string bucket = std::string(name) + "_bucket";
  for (const StreamMetrics& stream : snapshot.streams) {
    const LatencyHistogram& histogram = get(stream);
    const std::string labels = StreamLabel(stream);
    for (size_t i = 0; i < histogram.bounds_ms.size(); ++i) {
      char le[32];
      std::snprintf(le, sizeof(le), "%g", histogram.bounds_ms[i] / 1000.0);
      w.Sample(bucket, labels + ",le=\"" + le + "\"", static_cast<double>(histogram.counts[i]));
    }
    w.Sample(bucket, labels + ",le=\"+Inf\"", static_cast<double>(histogram.count));
    w.Sample(std::string(name) + "_sum", labels, histogram.sum_ms / 1000.0);
    w.Sample(std::string(name) + "_count", labels, static_cast<double>(histogram.count));
  }
}

}  // namespace

std::string RenderPrometheus(const MetricsSnapshot& snapshot) {
  Writer w;
  w.Family("user_records_received_total", "counter", "User records accepted by Put().");
  for (const StreamMetrics& stream : snapshot.streams) {
    w.Sample("user_records_received_total", StreamLabel(stream),
             static_cast<double>(stream.user_records_received));
  }
  w.Family("user_records_pending", "gauge", "User records accepted and not yet completed.");
  for (const StreamMetrics& stream : snapshot.streams) {
    w.Sample("user_records_pending", StreamLabel(stream),
             static_cast<double>(stream.user_records_pending));
  }
  ShardCounter(w, snapshot, "user_records_put_total", "User records put successfully.",
               [](const ShardMetrics& s) { return s.user_records_put; });
  ShardCounter(w, snapshot, "user_records_failed_total", "User records that failed for good.",
               [](const ShardMetrics& s) { return s.user_records_failed; });
  ShardCounter(w, snapshot, "user_record_bytes_put_total", "Data bytes of user records put.",
               [](const ShardMetrics& s) { return s.user_record_bytes_put; });
  ShardCounter(w, snapshot, "kinesis_records_put_total",
               "Kinesis records (aggregated or not) put successfully.",
               [](const ShardMetrics& s) { return s.kinesis_records_put; });
  ShardCounter(w, snapshot, "kinesis_record_bytes_put_total", "Data bytes of Kinesis records put.",
               [](const ShardMetrics& s) { return s.kinesis_record_bytes_put; });
  ShardCounter(w, snapshot, "retries_total", "Failed attempts of user records that were retried.",
               [](const ShardMetrics& s) { return s.retries; });
  w.Family("errors_total", "counter", "Failed Kinesis record attempts by error code.");
  for (const StreamMetrics& stream : snapshot.streams) {
    for (const ShardMetrics& shard : stream.shards) {
      for (const auto& [code, count] : shard.errors_by_code) {
        w.Sample("errors_total", ShardLabels(stream, shard) + ",code=\"" + Escape(code) + "\"",
                 static_cast<double>(count));
      }
    }
  }
  w.Family("records_by_retries_total", "counter",
           "Completed user records by how often they were retried (the last bucket: or more).");
  for (const StreamMetrics& stream : snapshot.streams) {
    for (size_t i = 0; i < stream.records_by_retries.size(); ++i) {
      const bool last = i + 1 == stream.records_by_retries.size();
      w.Sample("records_by_retries_total",
               StreamLabel(stream) + ",retries=\"" + std::to_string(i) + (last ? "+" : "") + "\"",
               static_cast<double>(stream.records_by_retries[i]));
    }
  }
  w.Family("put_records_requests_total", "counter", "PutRecords requests completed.");
  for (const StreamMetrics& stream : snapshot.streams) {
    w.Sample("put_records_requests_total", StreamLabel(stream),
             static_cast<double>(stream.put_records_requests));
  }
  HistogramFamily(
      w, snapshot, "buffering_time_seconds", "Time from Put() to a user record's first request.",
      [](const StreamMetrics& s) -> const LatencyHistogram& { return s.buffering_time; });
  HistogramFamily(
      w, snapshot, "request_latency_seconds", "PutRecords round-trip time.",
      [](const StreamMetrics& s) -> const LatencyHistogram& { return s.request_latency; });
  w.Family("outstanding_records", "gauge", "User records accepted and not completed.");
  w.Sample("outstanding_records", "", static_cast<double>(snapshot.outstanding_records));
  w.Family("outstanding_bytes", "gauge", "Bytes of the outstanding user records.");
  w.Sample("outstanding_bytes", "", static_cast<double>(snapshot.outstanding_bytes));
  return w.Take();
}

}  // namespace sluice::client
