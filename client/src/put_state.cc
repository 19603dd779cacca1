#include "put_state.h"

#include <array>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <new>
#include <set>

#include "record_pool.h"

namespace sluice::client {

const std::string* InternShardId(std::string_view id) {
  static std::mutex mutex;
  static auto* ids = new std::set<std::string, std::less<>>();  // never freed: results point here
  std::lock_guard lock(mutex);
  auto it = ids->find(id);
  if (it == ids->end()) it = ids->emplace(id).first;
  return &*it;
}

}  // namespace sluice::client

namespace sluice::client::detail {

namespace {

// Blocking waiters park on one of a few shared mutex/condition pairs, chosen by the
// state's address, so a record costs no mutex of its own. A completion notifies only
// when a waiter announced itself (`has_waiter`); the announcement and `phase` are both
// sequentially consistent, so either the waiter sees kDone or the completer sees it.
struct WaitSlot {
  std::mutex mutex;
  std::condition_variable changed;
};

WaitSlot& SlotFor(const PutState* state) {
  static std::array<WaitSlot, 64> slots;
  return slots[(reinterpret_cast<uintptr_t>(state) >> 6) % slots.size()];
}

Attempt ToAttempt(const AttemptLog& log) {
  Attempt attempt{log.started, log.finished, {}, {}};
  if (log.error) {
    attempt.error_code = log.error->code;
    attempt.error_message = log.error->message;
  }
  return attempt;
}

}  // namespace

PutState* PutState::Create(std::string_view partition_key, std::string_view data,
                           std::string_view explicit_hash_key) {
  const size_t extra = partition_key.size() + data.size() + explicit_hash_key.size();
  void* memory = RecordPool::Allocate(sizeof(PutState) + extra);
  auto* state = new (memory) PutState;  // no zeroing beyond the member initializers
  state->partition_key_size = static_cast<uint32_t>(partition_key.size());
  state->data_size = static_cast<uint32_t>(data.size());
  state->explicit_hash_key_size = static_cast<uint32_t>(explicit_hash_key.size());
  char* bytes = reinterpret_cast<char*>(state + 1);
  if (!partition_key.empty()) std::memcpy(bytes, partition_key.data(), partition_key.size());
  bytes += partition_key.size();
  if (!data.empty()) std::memcpy(bytes, data.data(), data.size());
  bytes += data.size();
  if (!explicit_hash_key.empty()) {
    std::memcpy(bytes, explicit_hash_key.data(), explicit_hash_key.size());
  }
  return state;
}

PutState::~PutState() {
  if (has_outcome) outcome().~RecordOutcome();
  if (phase.load(std::memory_order_relaxed) == kCallbackSet) callback().~Callback();
}

void PutState::Release() {
  if (refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  const size_t bytes = sizeof(PutState) + partition_key_size + data_size + explicit_hash_key_size;
  this->~PutState();
  RecordPool::Free(static_cast<void*>(this), bytes);
}

RecordOutcome& PutState::MakeOutcome() {
  if (!has_outcome) {
    new (outcome_) RecordOutcome;
    has_outcome = true;
  }
  return outcome();
}

PutState::Callback PutState::TakeCallback() {
  Callback taken = std::move(callback());
  callback().~Callback();
  return taken;
}

void PutState::AddAttempt(AttemptLog attempt) {
  if (tries < UINT8_MAX) ++tries;
  RecordOutcome& out = MakeOutcome();
  if (!out.attempted) {
    out.first_attempt = std::move(attempt);
    out.attempted = true;
  } else {
    out.more_attempts.push_back(std::move(attempt));
  }
}

void PutState::SetLanding(const std::string* shard, std::string_view sequence_number) {
  RecordOutcome& out = MakeOutcome();
  out.shard_id = shard;
  if (sequence_number.size() <= out.sequence.size()) {
    std::memcpy(out.sequence.data(), sequence_number.data(), sequence_number.size());
    out.sequence_size = static_cast<uint8_t>(sequence_number.size());
  } else {
    out.long_sequence = std::make_unique<std::string>(sequence_number);
  }
}

void PutState::Complete() {
  completed = true;
  const uint8_t before = phase.exchange(kDone, std::memory_order_seq_cst);
  if (before == kCallbackSet) TakeCallback()(BuildResult());
  if (has_waiter.load(std::memory_order_seq_cst)) {
    WaitSlot& slot = SlotFor(this);
    std::lock_guard lock(slot.mutex);
    slot.changed.notify_all();
  }
}

void PutState::Wait() {
  if (done()) return;
  WaitSlot& slot = SlotFor(this);
  has_waiter.store(true, std::memory_order_seq_cst);
  std::unique_lock lock(slot.mutex);
  slot.changed.wait(lock, [this] { return phase.load(std::memory_order_seq_cst) == kDone; });
}

bool PutState::WaitFor(std::chrono::milliseconds timeout) {
  if (done()) return true;
  WaitSlot& slot = SlotFor(this);
  has_waiter.store(true, std::memory_order_seq_cst);
  std::unique_lock lock(slot.mutex);
  return slot.changed.wait_for(lock, timeout,
                               [this] { return phase.load(std::memory_order_seq_cst) == kDone; });
}

bool PutState::Then(Callback run) {
  uint8_t current = phase.load(std::memory_order_acquire);
  if (current == kCallbackSet) return false;
  if (current == kDone) {
    run(BuildResult());
    return true;
  }
  new (callback_) Callback(std::move(run));
  uint8_t expected = kPending;
  if (phase.compare_exchange_strong(expected, kCallbackSet, std::memory_order_acq_rel)) {
    return true;
  }
  // Completed meanwhile: the completer saw kPending and left the callback to us.
  TakeCallback()(BuildResult());
  return true;
}

PutResult PutState::BuildResult() const {
  PutResult result;
  result.succeeded = succeeded;
  if (sub_sequence_number != UINT32_MAX) result.sub_sequence_number = sub_sequence_number;
  if (!has_outcome) return result;
  const RecordOutcome& out = outcome();
  if (out.shard_id != nullptr) result.shard_id = *out.shard_id;
  result.sequence_number =
      out.long_sequence ? *out.long_sequence : std::string(out.sequence.data(), out.sequence_size);
  if (out.attempted) {
    result.attempts.reserve(1 + out.more_attempts.size());
    result.attempts.push_back(ToAttempt(out.first_attempt));
    for (const AttemptLog& attempt : out.more_attempts) {
      result.attempts.push_back(ToAttempt(attempt));
    }
  }
  return result;
}

}  // namespace sluice::client::detail

namespace sluice::client {

PutFuture::PutFuture(detail::PutState* state) : state_(state) {}

PutFuture::PutFuture(const PutFuture& other) : state_(other.state_) {
  if (state_) state_->AddRef();
}

PutFuture::PutFuture(PutFuture&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}

PutFuture& PutFuture::operator=(PutFuture other) noexcept {
  std::swap(state_, other.state_);
  return *this;
}

PutFuture::~PutFuture() {
  if (state_) state_->Release();
}

bool PutFuture::ready() const { return state_->done(); }

void PutFuture::wait() const { state_->Wait(); }

bool PutFuture::wait_for(std::chrono::milliseconds timeout) const {
  return state_->WaitFor(timeout);
}

PutResult PutFuture::get() const {
  state_->Wait();
  return state_->BuildResult();
}

bool PutFuture::succeeded() const {
  state_->Wait();
  return state_->succeeded;
}

bool PutFuture::then(std::function<void(const PutResult&)> callback) {
  return state_->Then(std::move(callback));
}

}  // namespace sluice::client
