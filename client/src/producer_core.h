#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "request_signer.h"
#include "sluice/producer.h"
#include "stream_pipeline.h"

namespace sluice::client {

// The producer's machinery behind the public Producer.
//
// Threads: Put() runs on callers' threads and only validates, reserves buffer room and
// appends to `incoming_` (one mutex, held for a push; with the kBlock policy it waits there
// while kMaxIncoming records are queued). Everything else runs on the io_context threads:
// pipelines (partition keys' hashing included), the timer and the dispatcher on `strand_`;
// requests (body encoding, signing, HTTP, response parsing) on any I/O thread, handing
// results back to the strand.
class Producer::Core : public PipelineHost {
 public:
  // Records Drain() routes before it lets other work on the strand run.
  static constexpr size_t kDrainSlice = 4096;
  // With the kBlock policy, Put() waits while this many records are queued for the
  // pipeline to take. A caller faster than the pipeline then waits a moment at each take
  // instead of filling the whole buffer, and the pipeline handles records written a few
  // milliseconds before, still in cache, instead of some written half a second before:
  // 10-20% more records per second, and buffering times of milliseconds (BENCHMARKS.md).
  static constexpr size_t kMaxIncoming = kDrainSlice;

  [[nodiscard]] static Result<std::unique_ptr<Core>> Create(ProducerConfig config);
  ~Core() override;
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  Result<PutFuture> Put(std::string_view stream, std::string_view partition_key,
                        std::string_view data, std::optional<std::string_view> explicit_hash_key);
  void Flush();
  bool FlushSync(std::chrono::milliseconds timeout);
  uint64_t outstanding_records() const { return uncompleted_.load(std::memory_order_relaxed); }
  MetricsSnapshot Metrics();

  // PipelineHost (strand only).
  void Send(std::unique_ptr<PutRecordsBatch> batch) override;
  void ListShards(StreamPipeline& pipeline) override;
  void WakeAt(Clock::time_point when) override;
  void Released(uint64_t records, uint64_t bytes) override;
  void Completed(uint64_t records) override;

 private:
  // A record on its way from Put() to its stream's pipeline.
  struct Incoming {
    uint32_t stream;  // index in stream_names_
    RecordRef record;
  };

  explicit Core(ProducerConfig config);

  [[nodiscard]] Status Reserve(uint64_t bytes);
  void Enqueue(std::string_view stream, RecordRef record);
  void PostDrain();  // DrainSlice on the strand
  bool OnIoThread() const;

  // Strand.
  // Takes what Put() queued when the last take is done, and routes a slice of it; true when
  // all of it is routed.
  bool Drain();
  // Drains a slice and posts itself again until the take is routed.
  void DrainSlice();
  void OnTimer();
  void Dispatch();
  StreamPipeline& PipelineFor(const std::string& stream);
  boost::asio::awaitable<void> RunBatch(std::unique_ptr<PutRecordsBatch> batch);
  boost::asio::awaitable<void> RunListShards(StreamPipeline* pipeline);

  const ProducerConfig config_;
  // Declared first so that it is destroyed last: coroutine frames it still holds at
  // destruction own sockets and timers of its services.
  boost::asio::io_context io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::optional<RequestSigner> signer_;
  std::unique_ptr<HttpClient> http_;
  std::vector<std::thread> threads_;

  // Put() side.
  std::atomic<bool> stopping_{false};
  // Buffer room taken (released just before records complete) ...
  std::atomic<uint64_t> outstanding_records_{0};
  std::atomic<uint64_t> outstanding_bytes_{0};
  // ... and records accepted whose futures have not completed yet.
  std::atomic<uint64_t> uncompleted_{0};
  std::atomic<int> capacity_waiters_{0};
  std::mutex capacity_mutex_;
  std::condition_variable capacity_changed_;  // with capacity_mutex_
  std::mutex incoming_mutex_;
  std::vector<std::string> stream_names_;   // guarded by incoming_mutex_; append-only
  std::vector<Incoming> incoming_;          // guarded by incoming_mutex_
  bool drain_posted_ = false;               // guarded by incoming_mutex_
  bool incoming_waiters_ = false;           // guarded by incoming_mutex_
  std::condition_variable incoming_taken_;  // with incoming_mutex_
  uint32_t last_stream_ = 0;                // guarded by incoming_mutex_

  // Strand.
  boost::asio::steady_timer timer_;
  Clock::time_point timer_at_ = Clock::time_point::max();
  std::map<std::string, std::unique_ptr<StreamPipeline>, std::less<>> pipelines_;
  std::vector<StreamPipeline*> pipeline_of_stream_;  // by index in stream_names_
  std::vector<Incoming> draining_;  // swapped with incoming_: both keep their capacity
  size_t drained_ = 0;              // draining_[0, drained_) is routed
  std::vector<RecordRef> run_;      // one stream's records of a drain
  std::deque<std::unique_ptr<PutRecordsBatch>> queued_;  // waiting for a connection
  size_t in_flight_ = 0;
  std::set<PutRecordsBatch*> running_;  // in flight, owned by their coroutines
};

}  // namespace sluice::client
