#include "storage/shard_writer.h"

// Sealing: the part of ShardWriter that encodes batches as sealed frames.

#include "storage/frame.h"

namespace sluice::storage {

Status ShardWriter::SetSealKey(std::optional<SealKey> key) {
  std::unique_ptr<SealCipher> cipher;
  if (key) {
    auto created = SealCipher::Create(*key);
    if (!created) return Fail(Annotate(created.error()));
    cipher = std::move(*created);
  }
  std::lock_guard lock(mu_);
  sealer_.swap(cipher);  // the previous cipher goes once the lock is released
  return Ok();
}

Result<uint64_t> ShardWriter::PlanSealed(std::span<const RecordInput> records,
                                         std::vector<SealedPiece>& pieces) const {
  for (size_t i = 0; i < records.size(); ++i) {
    size_t frame_bytes = RecordFrameSize(records[i]);
    if (pieces.empty() || pieces.back().plain_bytes + frame_bytes > seal_plain_bytes_) {
      pieces.emplace_back();
    }
    pieces.back().end = i + 1;
    pieces.back().plain_bytes += frame_bytes;
  }
  // The nonces are drawn before anything is encoded, so an append fails whole or not at all.
  uint64_t batch_bytes = 0;
  for (SealedPiece& piece : pieces) {
    if (auto status = FillRandom(piece.nonce); !status) return Fail(status.error());
    batch_bytes += SealedFrameSize(piece.plain_bytes);
  }
  return batch_bytes;
}

void ShardWriter::EncodeSealed(std::span<const RecordInput> records,
                               std::span<const SealedPiece> pieces, int64_t arrival_ms) {
  size_t begin = 0;
  for (const SealedPiece& piece : pieces) {
    size_t frame_bytes = SealedFrameSize(piece.plain_bytes);
    char* out = ReserveFrame(frame_bytes, arrival_ms);
    // The record frames go where the ciphertext will be and are encrypted in place.
    char* plain = out + kSealedFrameHeaderBytes;
    for (size_t i = begin; i < piece.end; ++i) {
      EncodeRecordFrame(next_position_ + (i - begin), arrival_ms, records[i], plain);
      plain += RecordFrameSize(records[i]);
    }
    auto count = static_cast<uint32_t>(piece.end - begin);
    SealBatchFrame(*sealer_, piece.nonce, next_position_, count, arrival_ms, piece.plain_bytes,
                   out);
    AdvanceFrame(frame_bytes, count, arrival_ms);
    begin = piece.end;
  }
}

}  // namespace sluice::storage
