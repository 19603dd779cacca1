#include "storage/index_file.h"

#include <cstring>

#include "common/crc32c.h"
#include "storage/byte_order.h"
#include "storage/segment.h"

namespace sluice::storage {

namespace {

constexpr char kIndexMagic[8] = {'S', 'L', 'U', 'I', 'C', 'I', 'D', 'X'};
constexpr uint32_t kIndexFormatVersion = 1;
constexpr uint32_t kKindSparse = 1;
constexpr uint32_t kKindSeal = 2;

// Header (little-endian): magic @0 (8), version u32 @8, entry size u32 @12, base
// position u64 @16, reserved u32 @24, crc u32 @28 (of bytes [0, 28)).
void EncodeHeader(uint64_t base_position, char* out) {
  std::memcpy(out, kIndexMagic, sizeof(kIndexMagic));
  StoreLittle32(out + 8, kIndexFormatVersion);
  StoreLittle32(out + 12, static_cast<uint32_t>(kIndexEntryBytes));
  StoreLittle64(out + 16, base_position);
  StoreLittle32(out + 24, 0);
  StoreLittle32(out + 28, Crc32c(out, 28));
}

bool HeaderValid(const char* in, uint64_t base_position) {
  return std::memcmp(in, kIndexMagic, sizeof(kIndexMagic)) == 0 &&
         LoadLittle32(in + 8) == kIndexFormatVersion && LoadLittle32(in + 12) == kIndexEntryBytes &&
         LoadLittle64(in + 16) == base_position && LoadLittle32(in + 28) == Crc32c(in, 28);
}

// Entry: position u64 @0, offset u64 @8, arrival_ms i64 @16, kind u32 @24, crc u32 @28
// (of bytes [0, 28)).
void EncodeEntry(const IndexEntry& entry, uint32_t kind, char* out) {
  StoreLittle64(out, entry.position);
  StoreLittle64(out + 8, entry.offset);
  StoreLittle64(out + 16, static_cast<uint64_t>(entry.arrival_ms));
  StoreLittle32(out + 24, kind);
  StoreLittle32(out + 28, Crc32c(out, 28));
}

std::string EncodeEntries(std::span<const IndexEntry> entries, uint32_t kind) {
  std::string bytes(entries.size() * kIndexEntryBytes, '\0');
  for (size_t i = 0; i < entries.size(); ++i) {
    EncodeEntry(entries[i], kind, bytes.data() + i * kIndexEntryBytes);
  }
  return bytes;
}

}  // namespace

Result<IndexFileContents> IndexFile::Load(Env* env, const std::string& path,
                                          uint64_t base_position) {
  auto file = env->OpenReadable(path);
  if (!file) return Fail(file.error());
  IndexFileContents contents;
  std::string bytes;
  constexpr size_t kStep = 1 << 20;
  while (true) {
    size_t old_size = bytes.size();
    bytes.resize(old_size + kStep);
    auto got = ReadFully(**file, old_size, std::span<char>(bytes.data() + old_size, kStep));
    if (!got) return Fail(got.error());
    bytes.resize(old_size + *got);
    if (*got < kStep) break;
  }
  if (bytes.size() < kIndexHeaderBytes || !HeaderValid(bytes.data(), base_position)) {
    return contents;
  }
  contents.valid_bytes = kIndexHeaderBytes;
  for (size_t at = kIndexHeaderBytes; at + kIndexEntryBytes <= bytes.size();
       at += kIndexEntryBytes) {
    const char* p = bytes.data() + at;
    if (LoadLittle32(p + 28) != Crc32c(p, 28) || contents.seal) break;
    IndexEntry entry{LoadLittle64(p), LoadLittle64(p + 8),
                     static_cast<int64_t>(LoadLittle64(p + 16))};
    uint32_t kind = LoadLittle32(p + 24);
    const IndexEntry* last = contents.entries.empty() ? nullptr : &contents.entries.back();
    if (kind == kKindSparse) {
      if (entry.position < base_position || entry.offset < kSegmentHeaderBytes ||
          (last != nullptr && (entry.position <= last->position || entry.offset <= last->offset ||
                               entry.arrival_ms < last->arrival_ms))) {
        break;
      }
      contents.entries.push_back(entry);
    } else if (kind == kKindSeal) {
      if (last != nullptr && (entry.position <= last->position || entry.offset <= last->offset)) {
        break;
      }
      contents.seal = entry;
    } else {
      break;
    }
    contents.valid_bytes = at + kIndexEntryBytes;
  }
  return contents;
}

Status IndexFile::Rewrite(Env* env, const std::string& path, uint64_t base_position,
                          std::span<const IndexEntry> entries,
                          const std::optional<IndexEntry>& seal) {
  std::string bytes(kIndexHeaderBytes, '\0');
  EncodeHeader(base_position, bytes.data());
  bytes += EncodeEntries(entries, kKindSparse);
  if (seal) bytes += EncodeEntries(std::span<const IndexEntry>(&*seal, 1), kKindSeal);
  std::string temp_path = path + ".tmp";
  auto file = env->OpenWritable(temp_path, OpenMode::kCreateOrTruncate);
  if (!file) return Fail(file.error());
  if (auto status = (*file)->WriteAt(0, bytes); !status) return status;
  if (auto status = (*file)->Sync(); !status) return status;
  file->reset();
  return env->RenameFile(temp_path, path);
}

Result<std::unique_ptr<IndexFile>> IndexFile::Create(Env* env, const std::string& path,
                                                     uint64_t base_position) {
  auto file = env->OpenWritable(path, OpenMode::kCreateOrTruncate);
  if (!file) return Fail(file.error());
  char header[kIndexHeaderBytes];
  EncodeHeader(base_position, header);
  if (auto status = (*file)->WriteAt(0, std::string_view(header, sizeof(header))); !status) {
    return Fail(status.error());
  }
  return std::unique_ptr<IndexFile>(new IndexFile(std::move(*file), kIndexHeaderBytes));
}

Result<std::unique_ptr<IndexFile>> IndexFile::OpenForAppend(Env* env, const std::string& path,
                                                            uint64_t valid_bytes) {
  auto file = env->OpenWritable(path, OpenMode::kOpenExisting);
  if (!file) return Fail(file.error());
  auto size = (*file)->Size();
  if (!size) return Fail(size.error());
  if (*size != valid_bytes) {
    if (auto status = (*file)->Truncate(valid_bytes); !status) return Fail(status.error());
  }
  return std::unique_ptr<IndexFile>(new IndexFile(std::move(*file), valid_bytes));
}

Status IndexFile::Append(std::span<const IndexEntry> entries) {
  if (entries.empty()) return Ok();
  std::string bytes = EncodeEntries(entries, kKindSparse);
  if (auto status = file_->WriteAt(end_, bytes); !status) return status;
  end_ += bytes.size();
  return Ok();
}

Status IndexFile::AppendSeal(const IndexEntry& seal) {
  std::string bytes = EncodeEntries(std::span<const IndexEntry>(&seal, 1), kKindSeal);
  if (auto status = file_->WriteAt(end_, bytes); !status) return status;
  end_ += bytes.size();
  return file_->Sync();
}

}  // namespace sluice::storage
