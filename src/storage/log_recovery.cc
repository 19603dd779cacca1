#include "storage/log_recovery.h"

#include <algorithm>
#include <map>

#include "storage/segment_scanner.h"
#include "storage/segment_writer.h"

namespace sluice::storage {

namespace {

constexpr size_t kProbeWindowBytes = size_t{64} << 10;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

LogRecovery::LogRecovery(Env* env, std::string dir, const ShardLogOptions& options)
    : env_(env), dir_(std::move(dir)), options_(options) {}

Result<RecoveredLog> LogRecovery::Run(Env* env, const std::string& dir,
                                      const ShardLogOptions& options) {
  LogRecovery recovery(env, dir, options);
  return recovery.Recover();
}

Error LogRecovery::Damage(const SegmentFile& file, uint64_t offset, std::string_view what) const {
  return Error{ErrorCode::kDataLoss,
               "shard log '" + options_.name + "': " + std::string(what) + " in segment " +
                   SegmentFileName(file.base) + " at offset " + std::to_string(offset),
               {}};
}

Result<std::vector<LogRecovery::SegmentFile>> LogRecovery::LoadFiles() {
  if (auto status = env_->CreateDirs(dir_); !status) return Fail(status.error());
  auto names = env_->ListDir(dir_);
  if (!names) return Fail(names.error());
  std::map<uint64_t, std::pair<bool, bool>> found;  // base -> (segment, index)
  for (const std::string& name : *names) {
    if (EndsWith(name, ".idx.tmp")) {  // an index rewrite that did not finish
      if (auto status = env_->RemoveFile(JoinPath(dir_, name)); !status)
        return Fail(status.error());
      dir_changed_ = true;
      continue;
    }
    uint64_t base = 0;
    bool is_index = false;
    if (!ParseSegmentFileName(name, &base, &is_index)) continue;
    (is_index ? found[base].second : found[base].first) = true;
  }
  std::vector<SegmentFile> files;
  for (const auto& [base, kinds] : found) {
    if (!kinds.first) {  // an index without its segment (retention removes the segment first)
      if (auto status = env_->RemoveFile(JoinPath(dir_, IndexFileName(base))); !status) {
        return Fail(status.error());
      }
      dir_changed_ = true;
      continue;
    }
    auto file = LoadFile(base, kinds.second);
    if (!file) return Fail(file.error());
    files.push_back(std::move(*file));
  }
  return files;
}

Result<LogRecovery::SegmentFile> LogRecovery::LoadFile(uint64_t base, bool has_index_file) {
  SegmentFile file;
  file.base = base;
  auto reader = env_->OpenReadable(JoinPath(dir_, SegmentFileName(base)));
  if (!reader) return Fail(reader.error());
  file.reader = std::move(*reader);
  auto size = file.reader->Size();
  if (!size) return Fail(size.error());
  file.size = *size;
  char header_bytes[kSegmentHeaderBytes];
  auto got = ReadFully(*file.reader, 0, std::span<char>(header_bytes, sizeof(header_bytes)));
  if (!got) return Fail(got.error());
  auto header = DecodeSegmentHeader(std::string_view(header_bytes, *got));
  if (header && header->base_position == base) {
    file.header = *header;
  } else if (!header && header.error().code == ErrorCode::kFailedPrecondition) {
    return Fail(ErrorCode::kFailedPrecondition, "shard log '" + options_.name + "': segment " +
                                                    SegmentFileName(base) + ": " +
                                                    header.error().message);
  }
  if (has_index_file) {
    auto index = IndexFile::Load(env_, JoinPath(dir_, IndexFileName(base)), base);
    if (index) {
      file.index = std::move(*index);
      file.has_index_file = true;
    } else if (index.error().code != ErrorCode::kNotFound) {
      return Fail(index.error());
    }
  }
  return file;
}

Result<std::shared_ptr<Segment>> LogRecovery::CreateEmptySegment(uint64_t base) {
  auto segment = std::make_shared<Segment>(dir_, base, NowMs(options_));
  auto writer = SegmentWriter::Create(env_, *segment, options_.preallocate_bytes);
  if (!writer) return Fail(writer.error());
  if (auto status = (*writer)->Sync(); !status) return Fail(status.error());
  if (auto status = env_->SyncDir(dir_); !status) return Fail(status.error());
  auto reader = env_->OpenReadable(segment->path());
  if (!reader) return Fail(reader.error());
  segment->set_writer(std::move(*writer));
  segment->set_reader(std::move(*reader));
  return segment;
}

Result<RecoveredLog> LogRecovery::CreateFirstSegment(uint64_t base) {
  auto segment = CreateEmptySegment(base);
  if (!segment) return Fail(segment.error());
  RecoveredLog log;
  log.tail_position = base;
  log.last_arrival_ms = (*segment)->created_ms();
  log.segments.push_back(std::move(*segment));
  return log;
}

Status LogRecovery::RemoveSegmentFiles(uint64_t base) {
  dir_changed_ = true;
  for (const std::string& name : {SegmentFileName(base), IndexFileName(base)}) {
    Status status = env_->RemoveFile(JoinPath(dir_, name));
    if (!status && status.error().code != ErrorCode::kNotFound) return status;
  }
  return Ok();
}

Status LogRecovery::TruncateSegment(const SegmentFile& file, uint64_t size) {
  auto writable =
      env_->OpenWritable(JoinPath(dir_, SegmentFileName(file.base)), OpenMode::kOpenExisting);
  if (!writable) return Fail(writable.error());
  if (auto status = (*writable)->Truncate(size); !status) return status;
  return (*writable)->Sync();
}

bool LogRecovery::TrustedSeal(const SegmentFile& file, uint64_t next_base) const {
  const auto& seal = file.index.seal;
  if (!seal || seal->position != next_base || seal->offset != file.size ||
      seal->offset < kSegmentHeaderBytes) {
    return false;
  }
  const auto& entries = file.index.entries;
  return entries.empty() ||
         (entries.front().position == file.base && entries.front().offset == kSegmentHeaderBytes &&
          entries.back().position < seal->position && entries.back().offset < seal->offset);
}

std::shared_ptr<Segment> LogRecovery::MakeSegment(const SegmentFile& file) const {
  auto segment = std::make_shared<Segment>(dir_, file.base, file.header->created_ms);
  segment->set_reader(file.reader);
  return segment;
}

Result<LogRecovery::ScanResult> LogRecovery::Scan(const SegmentFile& file,
                                                  std::optional<uint64_t> stop_position) {
  ScanResult result;
  result.entries = file.index.entries;
  result.index_changed = !file.has_index_file || file.index.seal.has_value();
  uint64_t start_offset = kSegmentHeaderBytes;
  uint64_t start_position = file.base;
  result.last_arrival_ms = file.header->created_ms;
  // The checkpoint: the last index entry whose frame checks out. Entries are written
  // after their data is durable, so what precedes it needs no scan.
  while (!result.entries.empty()) {
    const IndexEntry& checkpoint = result.entries.back();
    if (checkpoint.offset < file.size && checkpoint.position >= file.base) {
      SegmentScanner probe(*file.reader, checkpoint.offset, file.size, kProbeWindowBytes);
      auto step = probe.Next();
      if (!step) return Fail(step.error());
      if (step->outcome == SegmentScanner::Outcome::kFrame &&
          step->frame.record.position == checkpoint.position &&
          step->frame.record.arrival_ms == checkpoint.arrival_ms) {
        start_offset = checkpoint.offset;
        start_position = checkpoint.position;
        break;
      }
    }
    result.entries.pop_back();
    result.index_changed = true;
  }
  std::optional<uint64_t> last_index_offset;
  if (!result.entries.empty()) last_index_offset = result.entries.back().offset;
  SegmentScanner scanner(*file.reader, start_offset, file.size);
  uint64_t expected = start_position;
  result.end_offset = start_offset;
  while (!stop_position || expected < *stop_position) {
    auto step = scanner.Next();
    if (!step) return Fail(step.error());
    const DecodedFrame& frame = step->frame;
    if (step->outcome != SegmentScanner::Outcome::kFrame || frame.record.position != expected ||
        (stop_position && expected + frame.record_count > *stop_position)) {
      break;
    }
    scanned_bytes_ += frame.size;
    int64_t arrival_ms = frame.record.arrival_ms;
    bool arrival_in_order =
        result.entries.empty() || arrival_ms >= result.entries.back().arrival_ms;
    if (arrival_in_order && (!last_index_offset ||
                             step->offset - *last_index_offset >= options_.index_interval_bytes)) {
      result.entries.push_back(IndexEntry{expected, step->offset, arrival_ms});
      last_index_offset = step->offset;
      result.index_changed = true;
    }
    result.last_arrival_ms = std::max(result.last_arrival_ms, arrival_ms);
    expected += frame.record_count;
    result.end_offset = scanner.offset();
  }
  result.end_position = expected;
  return result;
}

std::shared_ptr<Segment> LogRecovery::SealedSegment(const SegmentFile& file,
                                                    std::span<const IndexEntry> entries,
                                                    const IndexEntry& seal) const {
  auto segment = MakeSegment(file);
  segment->AddIndexEntries(entries);
  segment->Publish(seal.offset, seal.position, seal.arrival_ms);
  segment->MarkSealed();
  return segment;
}

Result<std::shared_ptr<Segment>> LogRecovery::ResealComplete(const SegmentFile& file,
                                                             const ScanResult& scan,
                                                             uint64_t next_base) {
  if (file.size > scan.end_offset) {
    if (auto status = TruncateSegment(file, scan.end_offset); !status) return Fail(status.error());
  }
  IndexEntry seal{next_base, scan.end_offset, scan.last_arrival_ms};
  if (auto status = IndexFile::Rewrite(env_, JoinPath(dir_, IndexFileName(file.base)), file.base,
                                       scan.entries, seal);
      !status) {
    return Fail(status.error());
  }
  dir_changed_ = true;
  return SealedSegment(file, scan.entries, seal);
}

std::shared_ptr<Segment> LogRecovery::DamagedSegment(const SegmentFile& file,
                                                     const ScanResult& scan, uint64_t next_base,
                                                     RecoveredLog& log) const {
  Error error = Damage(file, scan.end_offset,
                       "corrupt frame (records " + std::to_string(scan.end_position) + " to " +
                           std::to_string(next_base - 1) + " unreadable)");
  auto segment = MakeSegment(file);
  segment->AddIndexEntries(scan.entries);
  segment->Publish(scan.end_offset, scan.end_position, scan.last_arrival_ms);
  segment->set_damage(SegmentDamage{scan.end_offset, scan.end_position, error});
  segment->MarkSealed();
  log.damage.push_back(std::move(error));
  return segment;
}

Result<std::shared_ptr<Segment>> LogRecovery::ReopenLast(const SegmentFile& file,
                                                         const ScanResult& scan) {
  if (file.size > scan.end_offset) {
    if (auto status = TruncateSegment(file, scan.end_offset); !status) return Fail(status.error());
  }
  uint64_t index_valid_bytes = file.index.valid_bytes;
  if (scan.index_changed || index_valid_bytes == 0) {
    if (auto status = IndexFile::Rewrite(env_, JoinPath(dir_, IndexFileName(file.base)), file.base,
                                         scan.entries, std::nullopt);
        !status) {
      return Fail(status.error());
    }
    dir_changed_ = true;
    index_valid_bytes = kIndexHeaderBytes + scan.entries.size() * kIndexEntryBytes;
  }
  auto segment = MakeSegment(file);
  segment->AddIndexEntries(scan.entries);
  segment->Publish(scan.end_offset, scan.end_position, scan.last_arrival_ms);
  std::optional<uint64_t> last_index_offset;
  if (!scan.entries.empty()) last_index_offset = scan.entries.back().offset;
  auto writer = SegmentWriter::Reopen(env_, *segment, options_.preallocate_bytes, scan.end_offset,
                                      scan.end_position, index_valid_bytes, last_index_offset);
  if (!writer) return Fail(writer.error());
  segment->set_writer(std::move(*writer));
  return segment;
}

Status LogRecovery::OpenLast(const SegmentFile& file, const ScanResult& scan, RecoveredLog& log) {
  log.tail_position = scan.end_position;
  if (file.header->format_version == kSegmentFormatVersion) {
    auto segment = ReopenLast(file, scan);
    if (!segment) return Fail(segment.error());
    log.segments.push_back(std::move(*segment));
    return Ok();
  }
  // An older version cannot hold sealed batches: appends go to a new segment instead. The
  // old one is sealed first; an empty one is simply replaced (same name, same base).
  if (scan.end_position > file.base) {
    auto sealed = ResealComplete(file, scan, scan.end_position);
    if (!sealed) return Fail(sealed.error());
    log.segments.push_back(std::move(*sealed));
  }
  auto segment = CreateEmptySegment(scan.end_position);
  if (!segment) return Fail(segment.error());
  log.segments.push_back(std::move(*segment));
  return Ok();
}

Status LogRecovery::DropTornCreations(std::vector<SegmentFile>& files) {
  // A newest segment with a torn header and no index entries was being created when the
  // process stopped: it holds nothing acknowledged.
  while (!files.empty() && !files.back().header && files.back().index.entries.empty() &&
         !files.back().index.seal) {
    if (files.size() == 1) return Ok();  // CreateFirstSegment replaces it
    if (auto status = RemoveSegmentFiles(files.back().base); !status) return status;
    files.pop_back();
  }
  return Ok();
}

Result<RecoveredLog> LogRecovery::Recover() {
  auto loaded = LoadFiles();
  if (!loaded) return Fail(loaded.error());
  std::vector<SegmentFile>& files = *loaded;
  if (auto status = DropTornCreations(files); !status) return Fail(status.error());
  if (files.empty()) return CreateFirstSegment(0);
  if (files.size() == 1 && !files[0].header && files[0].index.entries.empty() &&
      !files[0].index.seal) {
    uint64_t base = files[0].base;
    if (auto status = RemoveSegmentFiles(base); !status) return Fail(status.error());
    return CreateFirstSegment(base);
  }
  RecoveredLog log;
  int64_t last_arrival_ms = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const SegmentFile& file = files[i];
    bool last = i + 1 == files.size();
    if (!file.header) {
      Error error = Damage(file, 0, "bad segment header");
      if (last) return Fail(error);  // cannot append after an unreadable segment
      auto segment = std::make_shared<Segment>(dir_, file.base, 0);
      segment->set_reader(file.reader);
      segment->set_damage(SegmentDamage{0, file.base, error});
      segment->MarkSealed();
      log.damage.push_back(std::move(error));
      log.segments.push_back(std::move(segment));
      continue;
    }
    uint64_t next_base = last ? 0 : files[i + 1].base;
    if (!last && TrustedSeal(file, next_base)) {
      log.segments.push_back(SealedSegment(file, file.index.entries, *file.index.seal));
      last_arrival_ms = std::max(last_arrival_ms, file.index.seal->arrival_ms);
      continue;
    }
    auto scan = Scan(file, last ? std::nullopt : std::optional<uint64_t>(next_base));
    if (!scan) return Fail(scan.error());
    last_arrival_ms = std::max(last_arrival_ms, scan->last_arrival_ms);
    if (!last && scan->end_position == next_base) {  // complete but not sealed: seal it now
      auto segment = ResealComplete(file, *scan, next_base);
      if (!segment) return Fail(segment.error());
      log.segments.push_back(std::move(*segment));
      continue;
    }
    if (!last && LaterSegmentAcknowledged(files, i)) {  // corruption mid-log: report, keep
      log.segments.push_back(DamagedSegment(file, *scan, next_base, log));
      continue;
    }
    if (!last) {
      // The torn tail of the log spans a roll: the later segments hold nothing
      // acknowledged (their data needed this one synced first).
      for (size_t j = i + 1; j < files.size(); ++j) {
        if (auto status = RemoveSegmentFiles(files[j].base); !status) return Fail(status.error());
      }
    }
    if (auto status = OpenLast(file, *scan, log); !status) return Fail(status.error());
    break;
  }
  if (dir_changed_) {
    if (auto status = env_->SyncDir(dir_); !status) return Fail(status.error());
  }
  log.last_arrival_ms = last_arrival_ms;
  log.scanned_bytes = scanned_bytes_;
  return log;
}

bool LogRecovery::LaterSegmentAcknowledged(const std::vector<SegmentFile>& files, size_t i) {
  return std::any_of(files.begin() + static_cast<ptrdiff_t>(i) + 1, files.end(),
                     [](const SegmentFile& later) {
                       return !later.index.entries.empty() || later.index.seal.has_value();
                     });
}

}  // namespace sluice::storage
