#include "taxi/trip_json.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/assert.h"
#include "taxi/civil_time.h"
#include "taxi/number_format.h"
#include "taxi/utf8.h"

namespace sluice::taxi {
namespace {

// Bytes an object takes besides its two strings: names and punctuation (about 250), four
// int64s (20 each), seven doubles (24 each) and two dates (22 each), rounded up.
constexpr size_t kFixedBytesBound = 640;
// The longest escape of one input byte: "\u001f" or "\ufffd".
constexpr size_t kEscapedBytesPerByte = 6;

// Unix seconds of 1970-01-01 and of 9999-12-31T23:59:59Z: the years FormatDateTime takes.
constexpr int64_t kMinDateUnixS = 0;
constexpr int64_t kMaxDateUnixS = 253402300799;

char* Put(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

char* PutEscape(char* p, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      return Put(p, "\\\"");
    case '\\':
      return Put(p, "\\\\");
    case '\n':
      return Put(p, "\\n");
    case '\r':
      return Put(p, "\\r");
    case '\t':
      return Put(p, "\\t");
    case '\b':
      return Put(p, "\\b");
    case '\f':
      return Put(p, "\\f");
    default:
      p = Put(p, "\\u00");
      *p++ = kHex[c >> 4];
      *p++ = kHex[c & 0x0f];
      return p;
  }
}

// Writes `text` as a quoted JSON string; needs room for 2 + 6 * text.size() bytes.
char* PutString(char* p, std::string_view text) {
  *p++ = '"';
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      *p++ = static_cast<char>(c);
      ++i;
    } else if (c < 0x80) {
      p = PutEscape(p, c);
      ++i;
    } else if (const size_t length = Utf8SequenceLength(text, i); length != 0) {
      p = Put(p, text.substr(i, length));
      i += length;
    } else {
      p = Put(p, "\\ufffd");
      ++i;
    }
  }
  *p++ = '"';
  return p;
}

char* PutInt(char* p, int64_t value) { return std::to_chars(p, p + 20, value).ptr; }

char* PutDouble(char* p, double value) {
  if (!std::isfinite(value)) return Put(p, "null");
  return FormatShortest(value, p);
}

char* PutDate(char* p, int64_t unix_s) {
  if (unix_s < kMinDateUnixS || unix_s > kMaxDateUnixS) return Put(p, "null");
  *p++ = '"';
  FormatDateTime(unix_s, 'T', p);
  p += kDateTimeChars;
  return Put(p, "Z\"");
}

}  // namespace

TripJsonEncoder::TripJsonEncoder(std::string_view source) {
  source_tail_.resize(16 + kEscapedBytesPerByte * source.size());
  char* p = Put(source_tail_.data(), ",\"source\":");
  p = PutString(p, source);
  *p++ = '}';
  source_tail_.resize(static_cast<size_t>(p - source_tail_.data()));
}

void TripJsonEncoder::Append(const Trip& trip, std::string& out) const {
  const size_t start = out.size();
  out.resize(start + kFixedBytesBound + kEscapedBytesPerByte * trip.id.size() +
             source_tail_.size());
  char* p = out.data() + start;
  p = PutString(Put(p, "{\"id\":"), trip.id);
  p = PutInt(Put(p, ",\"vendorId\":"), trip.vendor_id);
  p = PutDate(Put(p, ",\"pickupDate\":"), trip.pickup_unix_s);
  p = PutDate(Put(p, ",\"dropoffDate\":"), trip.dropoff_unix_s);
  p = PutInt(Put(p, ",\"passengerCount\":"), trip.passenger_count);
  p = PutDouble(Put(p, ",\"pickupLongitude\":"), trip.pickup_longitude);
  p = PutDouble(Put(p, ",\"pickupLatitude\":"), trip.pickup_latitude);
  p = PutDouble(Put(p, ",\"dropoffLongitude\":"), trip.dropoff_longitude);
  p = PutDouble(Put(p, ",\"dropoffLatitude\":"), trip.dropoff_latitude);
  p = Put(p, trip.store_and_fwd ? ",\"storeAndFwdFlag\":\"Y\"" : ",\"storeAndFwdFlag\":\"N\"");
  p = PutDouble(Put(p, ",\"gcDistance\":"), trip.gc_distance_km);
  p = PutInt(Put(p, ",\"tripDuration\":"), trip.trip_duration_s);
  p = Put(p, ",\"googleDistance\":");
  p = trip.google_distance_km ? PutDouble(p, *trip.google_distance_km) : Put(p, "null");
  p = Put(p, ",\"googleDuration\":");
  p = trip.google_duration_s ? PutInt(p, *trip.google_duration_s) : Put(p, "null");
  p = Put(p, source_tail_);
  SLUICE_ASSERT(p <= out.data() + out.size(), "trip JSON longer than its bound");
  out.resize(static_cast<size_t>(p - out.data()));
}

std::string TripToJson(const Trip& trip, std::string_view source) {
  std::string out;
  TripJsonEncoder(source).Append(trip, out);
  return out;
}

}  // namespace sluice::taxi
