#include "storage/segment.h"

#include <charconv>
#include <cstdio>
#include <cstring>

#include "common/crc32c.h"
#include "storage/byte_order.h"
#include "storage/segment_writer.h"

namespace sluice::storage {

namespace {

constexpr char kSegmentMagic[8] = {'S', 'L', 'U', 'I', 'C', 'S', 'E', 'G'};
constexpr size_t kBaseDigits = 20;

std::string BaseDigits(uint64_t base_position) {
  char text[kBaseDigits + 1];
  std::snprintf(text, sizeof(text), "%020llu", static_cast<unsigned long long>(base_position));
  return std::string(text, kBaseDigits);
}

}  // namespace

// Header layout (little-endian): magic @0 (8), version u32 @8, header size u32 @12, base
// position u64 @16, created_ms i64 @24, reserved u32 @32, crc u32 @36 (of bytes [0, 36)).
void EncodeSegmentHeader(const SegmentHeader& header, char* out) {
  std::memcpy(out, kSegmentMagic, sizeof(kSegmentMagic));
  StoreLittle32(out + 8, header.format_version);
  StoreLittle32(out + 12, static_cast<uint32_t>(kSegmentHeaderBytes));
  StoreLittle64(out + 16, header.base_position);
  StoreLittle64(out + 24, static_cast<uint64_t>(header.created_ms));
  StoreLittle32(out + 32, 0);
  StoreLittle32(out + 36, Crc32c(out, 36));
}

Result<SegmentHeader> DecodeSegmentHeader(std::string_view bytes) {
  if (bytes.size() < kSegmentHeaderBytes ||
      std::memcmp(bytes.data(), kSegmentMagic, sizeof(kSegmentMagic)) != 0 ||
      LoadLittle32(bytes.data() + 36) != Crc32c(bytes.data(), 36)) {
    return Fail(ErrorCode::kDataLoss, "bad segment header");
  }
  uint32_t version = LoadLittle32(bytes.data() + 8);
  if (version < kOldestSegmentFormatVersion || version > kSegmentFormatVersion ||
      LoadLittle32(bytes.data() + 12) != kSegmentHeaderBytes) {
    return Fail(ErrorCode::kFailedPrecondition,
                "segment format version " + std::to_string(version) + " is not supported");
  }
  SegmentHeader header;
  header.base_position = LoadLittle64(bytes.data() + 16);
  header.created_ms = static_cast<int64_t>(LoadLittle64(bytes.data() + 24));
  header.format_version = version;
  return header;
}

std::string SegmentFileName(uint64_t base_position) { return BaseDigits(base_position) + ".seg"; }

std::string IndexFileName(uint64_t base_position) { return BaseDigits(base_position) + ".idx"; }

bool ParseSegmentFileName(std::string_view name, uint64_t* base_position, bool* is_index) {
  if (name.size() != kBaseDigits + 4) return false;
  std::string_view suffix = name.substr(kBaseDigits);
  if (suffix != ".seg" && suffix != ".idx") return false;
  for (char c : name.substr(0, kBaseDigits)) {
    if (c < '0' || c > '9') return false;
  }
  uint64_t value = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + kBaseDigits, value);
  if (error != std::errc() || end != name.data() + kBaseDigits) return false;
  *base_position = value;
  *is_index = suffix == ".idx";
  return true;
}

Segment::Segment(std::string dir, uint64_t base_position, int64_t created_ms)
    : dir_(std::move(dir)),
      base_position_(base_position),
      created_ms_(created_ms),
      file_name_(SegmentFileName(base_position)),
      path_(JoinPath(dir_, file_name_)),
      tail_(std::make_shared<SegmentTail>()),
      visible_end_offset_(kSegmentHeaderBytes),
      visible_end_position_(base_position),
      last_arrival_ms_(created_ms) {}

Segment::~Segment() = default;

void Segment::set_reader(std::shared_ptr<const ReadableFile> file) {
  reader_ = SegmentTail::Overlay(tail_, std::move(file));
}

std::string Segment::index_path() const { return JoinPath(dir_, IndexFileName(base_position_)); }

void Segment::Publish(uint64_t end_offset, uint64_t end_position, int64_t last_arrival_ms) {
  last_arrival_ms_.store(last_arrival_ms, std::memory_order_release);
  visible_end_position_.store(end_position, std::memory_order_release);
  visible_end_offset_.store(end_offset, std::memory_order_release);
}

void Segment::AddIndexEntries(std::span<const IndexEntry> entries) {
  if (entries.empty()) return;
  std::lock_guard lock(index_mu_);
  for (const IndexEntry& entry : entries) index_.Append(entry);
}

std::optional<IndexEntry> Segment::IndexFloor(uint64_t position) const {
  std::lock_guard lock(index_mu_);
  return index_.Floor(position);
}

std::optional<IndexEntry> Segment::IndexLastBefore(int64_t arrival_ms) const {
  std::lock_guard lock(index_mu_);
  return index_.LastBefore(arrival_ms);
}

std::optional<IndexEntry> Segment::IndexBoundaryAtOrAfter(uint64_t offset) const {
  std::lock_guard lock(index_mu_);
  return index_.FirstAtOrAfterOffset(offset);
}

uint64_t Segment::AverageFrameBytes() const {
  uint64_t end_position = visible_end_position();
  uint64_t end_offset = visible_end_offset();
  if (end_position <= base_position_ || end_offset <= kSegmentHeaderBytes) return 0;
  return (end_offset - kSegmentHeaderBytes) / (end_position - base_position_);
}

void Segment::set_writer(std::unique_ptr<SegmentWriter> writer) { writer_ = std::move(writer); }

void Segment::ReleaseWriter() { writer_.reset(); }

}  // namespace sluice::storage
