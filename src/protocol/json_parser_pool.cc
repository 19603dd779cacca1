#include "protocol/json_parser_pool.h"

namespace sluice::protocol {

JsonParserPool::Lease::~Lease() {
  if (parser_) pool_->Release(std::move(parser_));
}

JsonParserPool::Lease JsonParserPool::Acquire() {
  std::unique_ptr<JsonRequestParser> parser;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      parser = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!parser) parser = std::make_unique<JsonRequestParser>();
  return Lease(*this, std::move(parser));
}

void JsonParserPool::Release(std::unique_ptr<JsonRequestParser> parser) {
  if (parser->capacity() > JsonRequestParser::kRetainedCapacity) return;  // free big ones
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(parser));
}

}  // namespace sluice::protocol
