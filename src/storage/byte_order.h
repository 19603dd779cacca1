#pragma once

#include <cstdint>
#include <cstring>

namespace sluice::storage {

// Little-endian loads and stores for the on-disk formats (docs/formats/shard-log.md).
// The targets we build for are little-endian, so these are plain unaligned copies.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "storage formats assume little-endian");

inline void StoreLittle16(char* out, uint16_t value) { std::memcpy(out, &value, sizeof(value)); }
inline void StoreLittle32(char* out, uint32_t value) { std::memcpy(out, &value, sizeof(value)); }
inline void StoreLittle64(char* out, uint64_t value) { std::memcpy(out, &value, sizeof(value)); }

inline uint16_t LoadLittle16(const char* in) {
  uint16_t value;
  std::memcpy(&value, in, sizeof(value));
  return value;
}
inline uint32_t LoadLittle32(const char* in) {
  uint32_t value;
  std::memcpy(&value, in, sizeof(value));
  return value;
}
inline uint64_t LoadLittle64(const char* in) {
  uint64_t value;
  std::memcpy(&value, in, sizeof(value));
  return value;
}

}  // namespace sluice::storage
