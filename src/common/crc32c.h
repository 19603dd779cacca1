#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice {

// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final xor
// 0xFFFFFFFF), the checksum of iSCSI, ext4 and leveldb: Crc32c("123456789") == 0xE3069283.
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once), otherwise a
// slicing-by-8 table. Thread-safe; no allocation.
uint32_t Crc32c(const void* data, size_t size);
inline uint32_t Crc32c(std::string_view bytes) { return Crc32c(bytes.data(), bytes.size()); }

// Continues a checksum over more bytes: Crc32cExtend(Crc32c(a), b) == Crc32c(a + b).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);

// Whether Crc32c runs on the SSE4.2 instruction on this CPU.
bool Crc32cUsesHardware();

// The table implementation, always available; tests compare it with the hardware one.
uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t size);

}  // namespace sluice
