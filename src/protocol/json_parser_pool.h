#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "protocol/json_request.h"

namespace sluice::protocol {

// Lends JsonRequestParsers to in-flight requests, so parser memory is bounded by the
// number of concurrent requests rather than connections, and a request may hold its parsed
// document across co_awaits (it keeps the lease). Thread-safe.
class JsonParserPool {
 public:
  class Lease {
   public:
    Lease(JsonParserPool& pool, std::unique_ptr<JsonRequestParser> parser)
        : pool_(&pool), parser_(std::move(parser)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();

    JsonRequestParser& operator*() { return *parser_; }
    JsonRequestParser* operator->() { return parser_.get(); }

   private:
    JsonParserPool* pool_;
    std::unique_ptr<JsonRequestParser> parser_;
  };

  Lease Acquire();

 private:
  // Idle parsers kept for reuse; more than this are freed on release.
  static constexpr size_t kMaxIdle = 64;

  void Release(std::unique_ptr<JsonRequestParser> parser);

  std::mutex mutex_;
  std::vector<std::unique_ptr<JsonRequestParser>> idle_;  // guarded by mutex_
};

}  // namespace sluice::protocol
