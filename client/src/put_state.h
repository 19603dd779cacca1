#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
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

// What only a record whose result someone reads needs: where it landed and every attempt.
struct RecordOutcome {
  const std::string* shard_id = nullptr;  // interned
  uint8_t sequence_size = 0;
  bool attempted = false;  // first_attempt is set
  AttemptLog first_attempt;
  std::unique_ptr<std::string> long_sequence;  // see `sequence`
  std::vector<AttemptLog> more_attempts;
  // Kinesis sequence numbers have 56 digits; a longer one (the API allows 129) goes to
  // long_sequence.
  std::array<char, 64> sequence;
};

// One user record and its result, in one allocation with the record's bytes after it
// (partition key, data, explicit hash key). Reference-counted: the PutFuture and the
// pipeline each hold one reference.
//
// Put() writes only the first cache line and the bytes; the outcome and the callback are
// built in place only when needed (a future still held or a callback set): records are
// written on the caller's core and completed on the pipeline's, and every line that
// neither touches is one less to move between them.
//
// Threads: the record fields are written once by Put(); the routing and result fields
// belong to the pipeline until Complete() publishes the result (release on `phase`);
// futures read the result only after seeing kDone (acquire). The callback is built by
// Then() before it publishes kCallbackSet and is taken by whoever moves `phase` on.
struct PutState {
  enum Phase : uint8_t { kPending, kCallbackSet, kDone };
  using Callback = std::function<void(const PutResult&)>;

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
  size_t attempt_count() const {
    return has_outcome && outcome().attempted ? 1 + outcome().more_attempts.size() : 0;
  }
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
  bool Then(Callback callback);
  PutResult BuildResult() const;

  // The first cache line: all that Put() writes besides the bytes.
  std::atomic<uint32_t> refs{1};
  std::atomic<uint8_t> phase{kPending};
  std::atomic<bool> has_waiter{false};
  bool completed = false;    // Complete() was called (pipeline's guard)
  bool sent = false;         // has been in a Kinesis record (for buffering-time metrics)
  uint8_t tries = 0;         // attempts so far, saturating (for metrics)
  bool succeeded = false;    // the result
  bool has_outcome = false;  // the outcome is built (pipeline side)
  // The record (immutable after Put()).
  uint32_t partition_key_size = 0;
  uint32_t data_size = 0;
  uint32_t explicit_hash_key_size = 0;
  uint32_t sub_sequence_number = UINT32_MAX;  // result; UINT32_MAX: not aggregated
  HashKey hash_key = 0;  // the explicit one from Put(), else set by the pipeline on arrival
  Clock::time_point arrival;
  ShardState* shard = nullptr;  // predicted shard of the latest routing, if any

  // Pipeline state, set when the record reaches its pipeline (a union member: Put() leaves
  // it unwritten, and with it the second cache line).
  union {
    Clock::time_point deadline;  // send by (RecordMaxBufferedTime), reset on retry
  };

 private:
  PutState() {}  // NOLINT: leaves `deadline` and the storage below uninitialized
  ~PutState();
  const char* bytes() const { return reinterpret_cast<const char*>(this + 1); }
  RecordOutcome& outcome() { return *std::launder(reinterpret_cast<RecordOutcome*>(outcome_)); }
  const RecordOutcome& outcome() const {
    return *std::launder(reinterpret_cast<const RecordOutcome*>(outcome_));
  }
  // The outcome, built on first use (pipeline side).
  RecordOutcome& MakeOutcome();
  Callback& callback() { return *std::launder(reinterpret_cast<Callback*>(callback_)); }
  // Moves the callback out and ends its life in place.
  Callback TakeCallback();

  alignas(RecordOutcome) std::byte outcome_[sizeof(RecordOutcome)];  // see has_outcome
  alignas(Callback) std::byte callback_[sizeof(Callback)];           // alive while kCallbackSet
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
