// StreamManager's resharding: SplitShard, MergeShards, UpdateShardCount, the reshard
// primitive they share with the on-demand scaler, and the expiry of closed shards.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "storage/posix_env.h"
#include "stream/stream_manager.h"

namespace sluice::stream {

namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr uint32_t kMaxShardsPerStream = 10'000;

HashKey Midpoint(const HashKeyRange& range) {
  return range.start + (range.end - range.start) / 2 + 1;
}

}  // namespace

Result<std::shared_ptr<StreamManager::Stream>> StreamManager::FindReshardable(
    std::string_view name, std::string_view operation) {
  auto stream = FindUpdatable(name);
  if (!stream) return Fail(stream.error());
  if ((*stream)->info.mode == StreamMode::kOnDemand) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(operation) + " is not supported for stream " + std::string(name) +
                    " under account " + options_.account_id +
                    " because it is in ON_DEMAND mode: its shards follow its traffic.",
                "ValidationException");
  }
  return stream;
}

Result<const LiveShard*> StreamManager::FindOpenShard(const Stream& stream,
                                                      std::string_view shard_id) const {
  const std::shared_ptr<const ShardSet> set = stream.shards();
  const std::optional<uint32_t> index = ParseShardId(shard_id);
  const LiveShard* shard = index ? set->Find(*index) : nullptr;
  if (!shard) {
    return Fail(ErrorCode::kNotFound, "Could not find shard " + std::string(shard_id) +
                                          " in stream " + stream.info.name + " under account " +
                                          options_.account_id + ".");
  }
  if (!set->IsOpen(*index)) {
    return Fail(ErrorCode::kInvalidArgument,
                "Shard " + std::string(shard_id) + " in stream " + stream.info.name +
                    " under account " + options_.account_id +
                    " has already been merged or split, and thus is not eligible for merging or "
                    "splitting.");
  }
  return shard;
}

Status StreamManager::SplitShard(std::string_view name, std::string_view shard_id,
                                 HashKey new_starting_hash_key) {
  std::lock_guard lock(mu_);
  auto stream = FindReshardable(name, "SplitShard");
  if (!stream) return Fail(stream.error());
  auto shard = FindOpenShard(**stream, shard_id);
  if (!shard) return Fail(shard.error());
  const HashKeyRange range = (*shard)->info.range;
  if (new_starting_hash_key <= range.start || new_starting_hash_key > range.end) {
    return Fail(ErrorCode::kInvalidArgument,
                "NewStartingHashKey " + FormatHashKey(new_starting_hash_key) +
                    " used in SplitShard() on shard " + std::string(shard_id) + " in stream " +
                    std::string(name) + " under account " + options_.account_id +
                    " is not both greater than the shard's StartingHashKey " +
                    FormatHashKey(range.start) + " and at most its EndingHashKey " +
                    FormatHashKey(range.end) + ".");
  }
  if (auto ok = CheckShardLimit(1); !ok) return ok;
  return BeginUpdate(**stream, StreamChange::Split((*shard)->info.index, new_starting_hash_key));
}

Status StreamManager::MergeShards(std::string_view name, std::string_view shard_id,
                                  std::string_view adjacent_shard_id) {
  std::lock_guard lock(mu_);
  auto stream = FindReshardable(name, "MergeShards");
  if (!stream) return Fail(stream.error());
  auto shard = FindOpenShard(**stream, shard_id);
  if (!shard) return Fail(shard.error());
  auto adjacent = FindOpenShard(**stream, adjacent_shard_id);
  if (!adjacent) return Fail(adjacent.error());
  const HashKeyRange a = (*shard)->info.range;
  const HashKeyRange b = (*adjacent)->info.range;
  const bool touching = (a.end != kMaxHashKey && a.end + 1 == b.start) ||
                        (b.end != kMaxHashKey && b.end + 1 == a.start);
  if (!touching) {
    return Fail(ErrorCode::kInvalidArgument,
                "Shards " + std::string(shard_id) + " and " + std::string(adjacent_shard_id) +
                    " in stream " + std::string(name) + " under account " + options_.account_id +
                    " are not an adjacent pair of shards eligible for merging");
  }
  return BeginUpdate(**stream, StreamChange::Merge((*shard)->info.index, (*adjacent)->info.index));
}

Result<uint32_t> StreamManager::UpdateShardCount(std::string_view name, uint32_t target_count) {
  std::lock_guard lock(mu_);
  auto stream = FindReshardable(name, "UpdateShardCount");
  if (!stream) return Fail(stream.error());
  const auto current = static_cast<uint32_t>((*stream)->shards()->open_count());
  const std::string counts = " Current open shard count: " + std::to_string(current) +
                             ", target shard count: " + std::to_string(target_count) + ".";
  if (target_count > 2 * current) {
    return Fail(ErrorCode::kResourceExhausted,
                "UpdateShardCount cannot scale up over double the current open shard count "
                "of stream " +
                    std::string(name) + "." + counts);
  }
  if (2 * target_count < current) {
    return Fail(ErrorCode::kResourceExhausted,
                "UpdateShardCount cannot scale down below half the current open shard count "
                "of stream " +
                    std::string(name) + "." + counts);
  }
  if (target_count > kMaxShardsPerStream) {
    return Fail(ErrorCode::kResourceExhausted,
                "UpdateShardCount cannot scale a stream above 10000 shards." + counts);
  }
  if (target_count > current) {
    if (auto ok = CheckShardLimit(target_count - current); !ok) return Fail(ok.error());
  }
  if (auto ok = CheckCallRate(**stream, LimitedCall::kUpdateShardCount); !ok) {
    return Fail(ok.error());
  }
  if (auto ok = BeginUpdate(**stream, StreamChange::ShardCount(target_count)); !ok) {
    return Fail(ok.error());
  }
  RecordCall(**stream, LimitedCall::kUpdateShardCount);
  return current;
}

Result<std::vector<uint32_t>> StreamManager::Reshard(Stream& stream,
                                                     const std::vector<uint32_t>& parents,
                                                     std::vector<ShardInfo> children) {
  const std::shared_ptr<const ShardSet> before = stream.shards();
  uint32_t next = before->next_index();
  const int64_t now = NowMs();
  std::vector<LiveShard> opened;
  std::vector<uint32_t> indexes;
  for (ShardInfo& child : children) {
    child.index = next++;
    child.created_ms = now;
    auto shard = OpenShard(stream, child);
    if (!shard) {
      DestroyShards(stream, opened);
      return Fail(shard.error());
    }
    opened.push_back(std::move(*shard));
    indexes.push_back(child.index);
  }
  // The children exist in meta.db before they take a record: a crash from here on
  // finishes the reshard at the next start (FinishInterruptedReshards).
  if (auto ok = store_->AddShards(stream.info.uid, children); !ok) {
    DestroyShards(stream, opened);
    return Fail(ok.error());
  }
  stream.info.shards.insert(stream.info.shards.end(), children.begin(), children.end());
  PublishShards(stream, opened);
  // New appends now go to the children. Appends already queued on the parents finish
  // before Close returns; later ones were refused and routed again (PutEntries).
  for (uint32_t parent : parents) {
    const LiveShard* shard = before->Find(parent);
    if (auto ok = shard->log->Close(); !ok) return Fail(ok.error());
    const uint64_t end = shard->log->tail_position();
    if (auto ok = store_->SetShardEnd(stream.info.uid, parent, end); !ok) return Fail(ok.error());
    for (ShardInfo& info : stream.info.shards) {
      if (info.index == parent) info.end_position = end;
    }
  }
  PublishShards(stream);
  return indexes;
}

void StreamManager::DestroyShards(const Stream& stream, const std::vector<LiveShard>& shards) {
  for (const LiveShard& shard : shards) {
    (void)shard.log->Close();
    const std::string dir = (StreamDir(stream.info.uid) / ShardIdOf(shard.info.index)).string();
    if (auto ok = storage::ShardLog::Destroy(storage::PosixEnv::Default(), dir); !ok) {
      spdlog::warn("removing shard data {}: {}", dir, ok.error().message);
    }
  }
}

Result<std::vector<uint32_t>> StreamManager::Split(Stream& stream, uint32_t index,
                                                   HashKey new_start) {
  const LiveShard* shard = stream.shards()->Find(index);
  const HashKeyRange range = shard->info.range;
  std::vector<ShardInfo> children(2);
  children[0].range = HashKeyRange{range.start, new_start - 1};
  children[1].range = HashKeyRange{new_start, range.end};
  for (ShardInfo& child : children) child.parent_index = index;
  return Reshard(stream, {index}, std::move(children));
}

Result<std::vector<uint32_t>> StreamManager::Merge(Stream& stream, uint32_t index,
                                                   uint32_t adjacent) {
  const std::shared_ptr<const ShardSet> set = stream.shards();
  const HashKeyRange a = set->Find(index)->info.range;
  const HashKeyRange b = set->Find(adjacent)->info.range;
  std::vector<ShardInfo> child(1);
  child[0].range = HashKeyRange{std::min(a.start, b.start), std::max(a.end, b.end)};
  child[0].parent_index = index;
  child[0].adjacent_parent_index = adjacent;
  return Reshard(stream, {index, adjacent}, std::move(child));
}

Status StreamManager::SplitInto(Stream& stream, uint32_t index, uint32_t pieces) {
  if (pieces < 2) return Ok();
  auto children = Split(stream, index, Midpoint(stream.shards()->Find(index)->info.range));
  if (!children) return Fail(children.error());
  for (uint32_t child : *children) {
    if (auto ok = SplitInto(stream, child, pieces / 2); !ok) return ok;
  }
  return Ok();
}

Status StreamManager::ScaleUniformly(Stream& stream, uint32_t target) {
  // UNIFORM_SCALING as a series of ordinary splits and merges, so that every new shard has
  // at most two parents: first cut every open shard at the target boundaries inside it,
  // then merge the pieces within each target range.
  const std::vector<HashKeyRange> ranges = SplitHashKeySpace(target);
  for (bool cut = true; cut;) {
    cut = false;
    for (const LiveShard* shard : stream.shards()->Open()) {
      const HashKeyRange range = shard->info.range;
      auto inside = std::find_if(ranges.begin() + 1, ranges.end(), [&](const HashKeyRange& r) {
        return r.start > range.start && r.start <= range.end;
      });
      if (inside == ranges.end()) continue;
      if (auto ok = Split(stream, shard->info.index, inside->start); !ok) return Fail(ok.error());
      cut = true;
      break;
    }
  }
  for (const HashKeyRange& range : ranges) {
    for (;;) {
      std::vector<uint32_t> inside;
      for (const LiveShard* shard : stream.shards()->Open()) {
        if (range.Contains(shard->info.range.start)) inside.push_back(shard->info.index);
      }
      if (inside.size() < 2) break;
      if (auto ok = Merge(stream, inside[0], inside[1]); !ok) return Fail(ok.error());
    }
  }
  return Ok();
}

void StreamManager::ExpireClosedShards(Stream& stream) {
  // A closed shard goes once its youngest record is past the retention period; it closed
  // when its children were created.
  const std::shared_ptr<const ShardSet> set = stream.shards();
  const int64_t retention_ms = stream.info.retention_hours * kHourMs;
  std::vector<LiveShard> expired;
  for (const LiveShard& shard : set->all()) {
    if (!shard.info.end_position) continue;
    const std::optional<int64_t> closed = ClosedAtMs(stream.info.shards, shard.info.index);
    if (!closed || *closed + retention_ms > NowMs()) continue;
    if (auto ok = store_->DeleteShard(stream.info.uid, shard.info.index); !ok) {
      spdlog::error("expiring {}: {}", ShardIdOf(shard.info.index), ok.error().message);
      continue;
    }
    expired.push_back(shard);
  }
  if (expired.empty()) return;
  std::erase_if(stream.info.shards, [&](const ShardInfo& info) {
    return std::any_of(expired.begin(), expired.end(),
                       [&](const LiveShard& shard) { return shard.info.index == info.index; });
  });
  PublishShards(stream);
  DestroyShards(stream, expired);
}

}  // namespace sluice::stream
