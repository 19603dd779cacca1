#include "protocol/validation_errors.h"

namespace sluice::protocol {

void ValidationErrors::Add(std::string_view value, std::string_view path,
                           std::string_view constraint) {
  std::string error = "Value ";
  error.append(value).append(" at '").append(path).append("' failed to satisfy constraint: ");
  error.append(constraint);
  errors_.push_back(std::move(error));
}

Status ValidationErrors::ToStatus() const {
  if (errors_.empty()) return Ok();
  std::string message = std::to_string(errors_.size());
  message += errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ";
  for (size_t i = 0; i < errors_.size(); ++i) {
    if (i > 0) message += "; ";
    message += errors_[i];
  }
  return Fail(ErrorCode::kInvalidArgument, std::move(message), "ValidationException");
}

std::string QuotedBlob(size_t size) {
  const std::string n = std::to_string(size);
  return "'java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]'";
}

}  // namespace sluice::protocol
