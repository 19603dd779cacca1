// StreamManager's limits on how often a stream may be rescaled: AWS allows UpdateShardCount
// ten times and UpdateStreamMode twice per stream in a rolling 24 hours.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "stream/stream_manager.h"

namespace sluice::stream {

namespace {

constexpr int64_t kWindowMs = 24 * 3'600'000;

struct CallLimit {
  std::string_view name;
  size_t max_calls;
};

CallLimit LimitOf(LimitedCall call) {
  return call == LimitedCall::kUpdateShardCount ? CallLimit{"UpdateShardCount", 10}
                                                : CallLimit{"UpdateStreamMode", 2};
}

// The times of the stream's recent `call`s (a StreamInfo or a const one).
template <typename Info>
auto& HistoryOf(Info& info, LimitedCall call) {
  return call == LimitedCall::kUpdateShardCount ? info.shard_count_updates_ms
                                                : info.mode_updates_ms;
}

// The calls of `history` still inside the window that ends at `now_ms`.
std::vector<int64_t> Recent(std::vector<int64_t> history, int64_t now_ms) {
  std::erase_if(history, [&](int64_t ms) { return ms <= now_ms - kWindowMs; });
  return history;
}

}  // namespace

Status StreamManager::CheckCallRate(const Stream& stream, LimitedCall call) const {
  if (!options_.enforce_limits) return Ok();
  const CallLimit limit = LimitOf(call);
  const int64_t now = NowMs();
  const std::vector<int64_t> recent = Recent(HistoryOf(stream.info, call), now);
  if (recent.size() < limit.max_calls) return Ok();
  const int64_t oldest = *std::min_element(recent.begin(), recent.end());
  const int64_t wait_minutes = (oldest + kWindowMs - now + 59'999) / 60'000;
  return Fail(ErrorCode::kResourceExhausted,
              std::string(limit.name) + " cannot change stream " + stream.info.name +
                  " under account " + options_.account_id + " more than " +
                  std::to_string(limit.max_calls) +
                  " times in a rolling 24-hour period; the next change is allowed in " +
                  std::to_string(wait_minutes) + " minutes.");
}

void StreamManager::RecordCall(Stream& stream, LimitedCall call) {
  const size_t max_calls = LimitOf(call).max_calls;
  const int64_t now = NowMs();
  std::vector<int64_t> recent = Recent(HistoryOf(stream.info, call), now);
  recent.push_back(now);
  if (recent.size() > max_calls) {  // only the newest ones count
    recent.erase(recent.begin(), recent.end() - static_cast<std::ptrdiff_t>(max_calls));
  }
  if (auto ok = store_->UpdateCallHistory(stream.info.uid, call, recent); !ok) {
    // The change goes ahead; only its count toward the next 24 hours is lost at a restart.
    spdlog::error("recording {} of stream '{}': {}", LimitOf(call).name, stream.info.name,
                  ok.error().message);
  }
  HistoryOf(stream.info, call) = std::move(recent);
}

}  // namespace sluice::stream
