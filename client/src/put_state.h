#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/hash_key.h"
#include "sluice/producer.h"

namespace sluice::client {

struct ShardState;
using Clock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;

// The error of one failed attempt; every user record of the attempt shares the object.
struct AttemptError {
  std::string code;
  std::string message;
};

// One attempt of one user record, compact: a success costs no allocation or shared count.
struct AttemptLog {
  WallClock::time_point started;
  WallClock::time_point finished;
  std::shared_ptr<const AttemptError> error;  // null: success
};

// The shard id `id`, interned for the life of the process: results point at it. Distinct
// shard ids are few (bounded by the shards a process ever writes to). Thread-safe.
const std::string* InternShardId(std::string_view id);

}  // namespace sluice::client

namespace sluice::client::detail {

// One user record and its result, in one allocation with the record's bytes after it
// (partition key, data, explicit hash key). Reference-counted: the PutFuture and the
// pipeline each hold one reference.
//
// Threads: the record fields are written once by Put(); the routing and result fields
// belong to the pipeline until Complete() publishes the result (release on `phase`);
// futures read the result only after seeing kDone (acquire).
struct PutState {
  enum Phase : uint8_t { kPending, kCallbackSet, kDone };

  static PutState* Create(std::string_view partition_key, std::string_view data,
                          std::string_view explicit_hash_key);
  void AddRef() { refs.fetch_add(1, std::memory_order_relaxed); }
  void Release();

  std::string_view partition_key() const { return {bytes(), partition_key_size}; }
  std::string_view data() const { return {bytes() + partition_key_size, data_size}; }
  std::string_view explicit_hash_key() const {
    return {bytes() + partition_key_size + data_size, explicit_hash_key_size};
  }
  // Data + partition key: what Kinesis counts toward record and request limits.
  size_t size() const { return partition_key_size + data_size; }

  // Pipeline side: appends an attempt. A record has one attempt per try.
  void AddAttempt(AttemptLog attempt);
  size_t attempt_count() const { return attempted ? 1 + more_attempts.size() : 0; }
  // Whether anyone can see the result: a PutFuture (a reference besides the pipeline's)
  // or a callback. Pipeline side only; once false it stays false.
  bool Observed() const {
    return refs.load(std::memory_order_acquire) > 1 ||
           phase.load(std::memory_order_acquire) != kPending;
  }
  // Pipeline side: where the record landed.
  void SetLanding(const std::string* shard, std::string_view sequence_number);
  // Pipeline side, once: publishes the result, runs the callback, wakes waiters.
  void Complete();

  bool done() const { return phase.load(std::memory_order_acquire) == kDone; }
  void Wait();
  bool WaitFor(std::chrono::milliseconds timeout);
  bool Then(std::function<void(const PutResult&)> callback);
  PutResult BuildResult() const;

  // Hot fields first: Put() and routing touch the first cache line and the bytes after
  // the struct; completion the first three lines.
  std::atomic<uint32_t> refs{1};
  std::atomic<uint8_t> phase{kPending};
  std::atomic<bool> has_waiter{false};
  bool completed = false;  // Complete() was called (pipeline's guard)
  bool sent = false;       // has been in a Kinesis record (for buffering-time metrics)
  uint8_t tries = 0;       // attempts so far, saturating (for metrics, on the first line)

  // The record (immutable after Put()).
  uint32_t partition_key_size = 0;
  uint32_t data_size = 0;
  uint32_t explicit_hash_key_size = 0;
  uint32_t sub_sequence_number = UINT32_MAX;  // result; UINT32_MAX: not aggregated
  HashKey hash_key = 0;  // the explicit one from Put(), else set by the pipeline on arrival
  Clock::time_point arrival;
  Clock::time_point expiration;  // arrival + RecordTtl

  // Pipeline state.
  Clock::time_point deadline;   // send by (RecordMaxBufferedTime), reset on retry
  ShardState* shard = nullptr;  // predicted shard of the latest routing, if any

  // The result.
  bool succeeded = false;
  bool attempted = false;  // first_attempt is set
  uint8_t sequence_size = 0;
  const std::string* shard_id = nullptr;  // interned
  AttemptLog first_attempt;
  std::unique_ptr<std::string> long_sequence;  // see `sequence`
  std::vector<AttemptLog> more_attempts;
  std::function<void(const PutResult&)> callback;
  // Last: only a record whose result someone reads needs it, while every record's
  // completion destroys the members above (the first three cache lines).
  // Kinesis sequence numbers have 56 digits; a longer one (the API allows 129) goes to
  // long_sequence.
  std::array<char, 64> sequence;

 private:
  PutState() = default;
  ~PutState() = default;
  const char* bytes() const { return reinterpret_cast<const char*>(this + 1); }
};

}  // namespace sluice::client::detail

namespace sluice::client {

// The pipeline's counted reference to a user record.
class RecordRef {
 public:
  RecordRef() = default;
  explicit RecordRef(detail::PutState* state) : state_(state) {}  // adopts a reference
  RecordRef(const RecordRef& other) : state_(other.state_) {
    if (state_) state_->AddRef();
  }
  RecordRef(RecordRef&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  RecordRef& operator=(RecordRef other) noexcept {
    std::swap(state_, other.state_);
    return *this;
  }
  ~RecordRef() {
    if (state_) state_->Release();
  }

  detail::PutState* operator->() const { return state_; }
  detail::PutState& operator*() const { return *state_; }
  detail::PutState* get() const { return state_; }

 private:
  detail::PutState* state_ = nullptr;
};

}  // namespace sluice::client
