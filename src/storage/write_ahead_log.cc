#include "storage/write_ahead_log.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <system_error>

#include "common/crc32c.h"
#include "common/thread_name.h"
#include "common/thread_priority.h"
#include "storage/byte_order.h"
#include "storage/seal.h"

namespace sluice::storage {
namespace {

// File layout (docs/formats/write-ahead-log.md): a header block, then entries.
// Header: magic, version, salt (u64), CRC32C of the 16 bytes before it. All zeros: retired.
// Entry: magic, CRC32C of everything after the CRC field, salt, lsn (u64), payload bytes,
// write count; the payload is per write: bytes length (u32), path length (u16), file
// offset (u64), the path, the bytes.
constexpr uint32_t kFileMagic = 0x4C415753;  // "SWAL"
constexpr uint32_t kFormatVersion = 1;
constexpr uint64_t kHeaderBlockBytes = 4096;
constexpr size_t kFileHeaderBytes = 24;
constexpr uint32_t kEntryMagic = 0x45574C53;  // "SLWE"
constexpr size_t kEntryHeaderBytes = 32;
constexpr size_t kWriteHeaderBytes = 14;

std::string EncodeFileHeader(uint64_t salt) {
  std::string header(kFileHeaderBytes, '\0');
  StoreLittle32(header.data(), kFileMagic);
  StoreLittle32(header.data() + 4, kFormatVersion);
  StoreLittle64(header.data() + 8, salt);
  StoreLittle32(header.data() + 16, Crc32c(header.data(), 16));
  return header;
}

// The salt of a live run, or nullopt for a retired (or unreadable) file.
std::optional<uint64_t> DecodeFileHeader(std::string_view header) {
  if (header.size() < kFileHeaderBytes || LoadLittle32(header.data()) != kFileMagic ||
      LoadLittle32(header.data() + 4) != kFormatVersion ||
      LoadLittle32(header.data() + 16) != Crc32c(header.data(), 16)) {
    return std::nullopt;
  }
  return LoadLittle64(header.data() + 8);
}

// The entry of `writes` (paths relative to the log's root; `entry_bytes` in all) as
// `pieces` to write one after another: the headers and paths, encoded into `heads`, and
// the writes' bytes in place.
void EncodeEntry(uint64_t salt, uint64_t lsn, std::span<const LoggedWrite> writes,
                 uint64_t entry_bytes, std::string& heads, std::vector<std::string_view>& pieces) {
  size_t heads_bytes = kEntryHeaderBytes;
  for (const LoggedWrite& write : writes) heads_bytes += kWriteHeaderBytes + write.path.size();
  heads.resize(heads_bytes);  // before taking views of it
  pieces.clear();
  char* at = heads.data();
  StoreLittle32(at, kEntryMagic);
  StoreLittle64(at + 8, salt);
  StoreLittle64(at + 16, lsn);
  StoreLittle32(at + 24, static_cast<uint32_t>(entry_bytes - kEntryHeaderBytes));
  StoreLittle32(at + 28, static_cast<uint32_t>(writes.size()));
  pieces.emplace_back(at, kEntryHeaderBytes);
  uint32_t crc = Crc32c(at + 8, kEntryHeaderBytes - 8);
  at += kEntryHeaderBytes;
  for (const LoggedWrite& write : writes) {
    char* head = at;
    StoreLittle32(at, static_cast<uint32_t>(write.bytes.size()));
    StoreLittle16(at + 4, static_cast<uint16_t>(write.path.size()));
    StoreLittle64(at + 6, write.offset);
    at = std::copy(write.path.begin(), write.path.end(), at + kWriteHeaderBytes);
    pieces.emplace_back(head, static_cast<size_t>(at - head));
    pieces.push_back(write.bytes);
    crc = Crc32cExtend(crc, head, static_cast<size_t>(at - head));
    crc = Crc32cExtend(crc, write.bytes.data(), write.bytes.size());
  }
  StoreLittle32(heads.data() + 4, crc);
}

// One replayable entry of a file: its lsn and payload.
struct Entry {
  uint64_t lsn;
  std::string payload;
  uint32_t writes;
};

// The entries of one file's live run, in order, up to the first torn or foreign one.
Result<std::vector<Entry>> ReadRun(const ReadableFile& file, uint64_t file_bytes) {
  std::vector<Entry> entries;
  std::string header(kFileHeaderBytes, '\0');
  auto got = ReadFully(file, 0, header);
  if (!got) return Fail(got.error());
  std::optional<uint64_t> salt = DecodeFileHeader(std::string_view(header.data(), *got));
  if (!salt) return entries;
  uint64_t offset = kHeaderBlockBytes;
  char head[kEntryHeaderBytes];
  while (offset + kEntryHeaderBytes <= file_bytes) {
    got = ReadFully(file, offset, head);
    if (!got) return Fail(got.error());
    if (*got < kEntryHeaderBytes || LoadLittle32(head) != kEntryMagic ||
        LoadLittle64(head + 8) != *salt) {
      break;
    }
    const uint64_t lsn = LoadLittle64(head + 16);
    const uint32_t payload_bytes = LoadLittle32(head + 24);
    if (!entries.empty() && lsn != entries.back().lsn + 1) break;
    if (offset + kEntryHeaderBytes + payload_bytes > file_bytes) break;
    Entry entry{lsn, std::string(payload_bytes, '\0'), LoadLittle32(head + 28)};
    got = ReadFully(file, offset + kEntryHeaderBytes, entry.payload);
    if (!got) return Fail(got.error());
    uint32_t crc = Crc32cExtend(Crc32c(head + 8, kEntryHeaderBytes - 8), entry.payload.data(),
                                entry.payload.size());
    if (*got < payload_bytes || crc != LoadLittle32(head + 4)) break;
    entries.push_back(std::move(entry));
    offset += kEntryHeaderBytes + payload_bytes;
  }
  return entries;
}

// Applies one entry's writes to the files under `root` that exist, keeping them open in
// `touched`; counts what it applied and what it skipped.
Status ApplyEntry(Env* env, std::string_view root, const Entry& entry,
                  std::map<std::string, std::unique_ptr<WritableFile>>& touched, uint64_t& applied,
                  uint64_t& skipped) {
  std::string_view rest = entry.payload;
  for (uint32_t i = 0; i < entry.writes; ++i) {
    if (rest.size() < kWriteHeaderBytes) break;
    const uint32_t length = LoadLittle32(rest.data());
    const uint16_t path_length = LoadLittle16(rest.data() + 4);
    const uint64_t offset = LoadLittle64(rest.data() + 6);
    rest.remove_prefix(kWriteHeaderBytes);
    if (rest.size() < size_t{path_length} + length) break;
    std::string path = JoinPath(root, rest.substr(0, path_length));
    std::string_view bytes = rest.substr(path_length, length);
    rest.remove_prefix(path_length + length);
    auto it = touched.find(path);
    if (it == touched.end()) {
      auto file = env->OpenWritable(path, OpenMode::kOpenExisting);
      if (!file && file.error().code == ErrorCode::kNotFound) {  // removed since
        ++skipped;
        continue;
      }
      if (!file) return Fail(file.error());
      it = touched.emplace(path, std::move(*file)).first;
    }
    if (auto status = it->second->WriteAt(offset, bytes); !status) return status;
    ++applied;
  }
  return Ok();
}

uint64_t NewSalt() {
  uint64_t salt = 0;
  std::array<char, sizeof(salt)> bytes{};
  while (salt == 0) {
    (void)FillRandom(bytes);  // a failure leaves zeros: drawn again
    salt = LoadLittle64(bytes.data());
  }
  return salt;
}

std::string WithoutTrailingSlashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

WriteAheadLog::WriteAheadLog(Env* env, std::string root, WriteAheadLogOptions options)
    : env_(env),
      root_(WithoutTrailingSlashes(std::move(root))),
      dir_(JoinPath(root_, "wal")),
      options_(options) {}

Result<std::unique_ptr<WriteAheadLog>> WriteAheadLog::Open(Env* env, std::string root,
                                                           WriteAheadLogOptions options) {
  if (options.file_bytes < 2 * kHeaderBlockBytes) {
    return Fail(ErrorCode::kInvalidArgument, "write-ahead log files must be at least 8 KiB");
  }
  auto log = std::unique_ptr<WriteAheadLog>(new WriteAheadLog(env, std::move(root), options));
  if (auto status = log->OpenFiles(); !status) return Fail(status.error());
  if (auto status = log->Replay(); !status) return Fail(status.error());
  for (File& file : log->files_) {
    if (auto status = Retire(file); !status) return Fail(status.error());
  }
  std::lock_guard lock(log->mu_);
  log->StartRun(log->files_[0]);
  try {
    log->checkpointer_ = std::thread([raw = log.get()] {
      NameThisThread("sluice-ckpt");
      (void)MakeThisThreadBackground();  // appends wait for it only when a log file fills
      raw->RunCheckpoints();
    });
  } catch (const std::system_error& error) {
    return Fail(ErrorCode::kInternal,
                std::string("cannot start the checkpoint thread: ") + error.what());
  }
  return log;
}

WriteAheadLog::~WriteAheadLog() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

Status WriteAheadLog::OpenFiles() {
  if (auto status = env_->CreateDirs(dir_); !status) return status;
  bool created = false;
  for (size_t i = 0; i < files_.size(); ++i) {
    File& file = files_[i];
    file.path = JoinPath(dir_, "wal-" + std::to_string(i));
    auto opened = env_->OpenWritable(file.path, OpenMode::kOpenExisting);
    if (!opened && opened.error().code == ErrorCode::kNotFound) {
      opened = env_->OpenWritable(file.path, OpenMode::kCreateOrTruncate);
      created = true;
    }
    if (!opened) return Fail(opened.error());
    file.file = std::move(*opened);
    // Reserved once, so that an append never fails for lack of space; once written
    // over, appends change no file-system metadata.
    if (auto status = file.file->Allocate(0, options_.file_bytes); !status) return status;
  }
  file_system_id_ = files_[0].file->FileSystemId();
  if (created) return env_->SyncDir(dir_);
  return Ok();
}

Status WriteAheadLog::Replay() {
  std::vector<Entry> entries;
  for (File& file : files_) {
    auto reader = env_->OpenReadable(file.path);
    if (!reader) return Fail(reader.error());
    auto size = (*reader)->Size();
    if (!size) return Fail(size.error());
    auto run = ReadRun(**reader, *size);
    if (!run) return Fail(run.error());
    std::move(run->begin(), run->end(), std::back_inserter(entries));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.lsn < b.lsn; });
  std::map<std::string, std::unique_ptr<WritableFile>> touched;
  for (const Entry& entry : entries) {
    auto status = ApplyEntry(env_, root_, entry, touched, replayed_writes_, skipped_writes_);
    if (!status) return status;
  }
  for (auto& [path, file] : touched) {
    if (auto status = file->Sync(); !status) return status;
  }
  return Ok();
}

void WriteAheadLog::StartRun(File& file) {
  file.salt = NewSalt();
  write_offset_ = 0;
}

Status WriteAheadLog::Retire(File& file) {
  if (auto status = file.file->WriteAt(0, std::string(kFileHeaderBytes, '\0')); !status) {
    return status;
  }
  return file.file->Sync();
}

Status WriteAheadLog::status() const {
  std::lock_guard lock(mu_);
  if (failure_) return Fail(*failure_);
  return Ok();
}

uint64_t WriteAheadLog::EntryBytes(std::span<const LoggedWrite> writes) {
  uint64_t bytes = kEntryHeaderBytes;
  for (const LoggedWrite& write : writes) {
    bytes += kWriteHeaderBytes + write.path.size() + write.bytes.size();
  }
  return bytes;
}

uint64_t WriteAheadLog::entry_capacity() const { return options_.file_bytes - kHeaderBlockBytes; }

bool WriteAheadLog::CanLog(std::span<const LoggedWrite> writes) const {
  // Counted with the full paths: an upper bound of the entry's size.
  return EntryBytes(writes) <= entry_capacity() &&
         std::all_of(writes.begin(), writes.end(), [&](const LoggedWrite& write) {
           return RelativePath(write.path).has_value();
         });
}

std::optional<std::string_view> WriteAheadLog::RelativePath(std::string_view path) const {
  if (path.size() <= root_.size() + 1 || path.substr(0, root_.size()) != root_ ||
      path[root_.size()] != '/') {
    return std::nullopt;
  }
  return path.substr(root_.size() + 1);
}

Status WriteAheadLog::Append(std::span<const LoggedWrite> writes) {
  std::unique_lock lock(mu_);
  if (failure_) return Fail(*failure_);
  relative_.clear();
  for (const LoggedWrite& write : writes) {
    std::optional<std::string_view> path = RelativePath(write.path);
    if (!path) {
      return Fail(ErrorCode::kInvalidArgument,
                  "cannot log a write to " + std::string(write.path) + ": not under " + root_);
    }
    relative_.push_back(LoggedWrite{*path, write.offset, write.bytes});
  }
  const uint64_t entry_bytes = EntryBytes(relative_);
  if (entry_bytes > entry_capacity()) {
    return Fail(ErrorCode::kResourceExhausted, "the writes do not fit in one write-ahead log file");
  }
  if (write_offset_ != 0 && write_offset_ + entry_bytes > options_.file_bytes) {
    if (auto status = SwitchFiles(lock); !status) return status;
  }
  File& file = files_[active_];
  Status status = Ok();
  if (write_offset_ == 0) {
    status = file.file->WriteAt(0, EncodeFileHeader(file.salt));
    write_offset_ = kHeaderBlockBytes;
  }
  if (status) {
    EncodeEntry(file.salt, next_lsn_, relative_, entry_bytes, entry_heads_, entry_pieces_);
    status = file.file->WriteAtGathered(write_offset_, entry_pieces_);
  }
  if (status) status = file.file->Sync();
  if (!status) {
    Stop(status.error());
    return Fail(*failure_);
  }
  write_offset_ += entry_bytes;
  ++next_lsn_;
  unsynced_bytes_ += entry_bytes;
  if (unsynced_bytes_ >= options_.checkpoint_bytes) cv_.notify_all();
  return Ok();
}

Status WriteAheadLog::SwitchFiles(std::unique_lock<std::mutex>& lock) {
  File& full = files_[active_];
  File& next = files_[1 - active_];
  cv_.wait(lock, [&] { return !next.checkpointing || failure_; });
  if (failure_) return Fail(*failure_);
  full.checkpointing = true;
  cv_.notify_all();
  active_ = 1 - active_;
  StartRun(next);
  return Ok();
}

void WriteAheadLog::RunCheckpoints() {
  std::unique_lock lock(mu_);
  while (true) {
    auto pending = [this] {
      return std::any_of(files_.begin(), files_.end(),
                         [](const File& file) { return file.checkpointing; });
    };
    cv_.wait(lock,
             [&] { return closing_ || pending() || unsynced_bytes_ >= options_.checkpoint_bytes; });
    if (closing_ && !pending()) return;
    // Every segment write logged so far happened, or was deferred, before this point: once
    // the deferred ones are written out, one file-system sync makes them all durable, and
    // the entries of a file switched out are then not needed.
    std::vector<File*> retiring;
    for (File& file : files_) {
      if (file.checkpointing) retiring.push_back(&file);
    }
    unsynced_bytes_ = 0;
    lock.unlock();
    Status status = retiring.empty() ? Ok() : WriteOutDeferred();
    if (status) status = files_[0].file->SyncFileSystem();
    for (File* file : retiring) {
      if (status) status = Retire(*file);
    }
    lock.lock();
    if (!status) Stop(status.error());  // the files stay as they are, to be replayed
    for (File* file : retiring) file->checkpointing = false;
    cv_.notify_all();
  }
}

void WriteAheadLog::Defer(std::shared_ptr<DeferredWrites> writes) {
  std::lock_guard lock(deferred_mu_);
  deferred_.push_back(std::move(writes));
}

Status WriteAheadLog::WriteOutDeferred() {
  std::vector<std::shared_ptr<DeferredWrites>> deferred;
  {
    std::lock_guard lock(deferred_mu_);
    deferred.swap(deferred_);
  }
  Status status = Ok();
  for (const std::shared_ptr<DeferredWrites>& writes : deferred) {
    if (Status written = writes->WriteOut(); !written && status) status = written;
  }
  return status;
}

void WriteAheadLog::Stop(const Error& cause) {
  // Nothing is retired from now on: after a failed sync, Linux may have dropped the
  // failed pages and will not report the error again, so only the entries can be trusted.
  if (!failure_) {
    failure_ = Error{ErrorCode::kInternal,
                     "the write-ahead log stopped after a disk error (" + cause.message +
                         "); restart the server to replay it",
                     {}};
  }
  cv_.notify_all();
}

}  // namespace sluice::storage
