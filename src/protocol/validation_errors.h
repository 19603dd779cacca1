#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sluice::protocol {

// Collects constraint violations of one request and reports them as AWS services do:
// "2 validation errors detected: Value 'x' at 'streamName' failed to satisfy constraint:
// Member must …; Value null at 'shardId' failed to satisfy constraint: Member must not be
// null", type ValidationException.
class ValidationErrors {
 public:
  // `value` is the offending value as the message quotes it: "'x'" or "null".
  void Add(std::string_view value, std::string_view path, std::string_view constraint);
  bool empty() const { return errors_.empty(); }
  // Ok when nothing was added, otherwise the ValidationException.
  [[nodiscard]] Status ToStatus() const;

 private:
  std::vector<std::string> errors_;
};

// How a blob of `size` bytes is quoted in AWS's messages (the service's Java type, as AWS
// prints it).
std::string QuotedBlob(size_t size);

}  // namespace sluice::protocol
