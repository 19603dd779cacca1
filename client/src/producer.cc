#include "sluice/producer.h"

#include "producer_core.h"

namespace sluice::client {

Producer::Producer(std::unique_ptr<Core> core) : core_(std::move(core)) {}

Producer::~Producer() = default;

Result<std::unique_ptr<Producer>> Producer::Create(ProducerConfig config) {
  auto core = Core::Create(std::move(config));
  if (!core) return Fail(core.error());
  return std::unique_ptr<Producer>(new Producer(std::move(*core)));
}

Result<PutFuture> Producer::Put(std::string_view stream, std::string_view partition_key,
                                std::string_view data,
                                std::optional<std::string_view> explicit_hash_key) {
  return core_->Put(stream, partition_key, data, explicit_hash_key);
}

void Producer::Flush() { core_->Flush(); }

bool Producer::FlushSync(std::chrono::milliseconds timeout) { return core_->FlushSync(timeout); }

uint64_t Producer::OutstandingRecords() const { return core_->outstanding_records(); }

MetricsSnapshot Producer::Metrics() const { return core_->Metrics(); }

}  // namespace sluice::client
