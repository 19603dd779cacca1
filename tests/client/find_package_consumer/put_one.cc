#include "put_one.h"

#include <iostream>

#include "sluice/producer.h"

int PutOneToNowhere() {
  sluice::client::ProducerConfig config;
  config.endpoint = "http://127.0.0.1:1";
  config.credentials = sluice::client::Credentials{"AKIDEXAMPLE", "secret", ""};
  config.record_ttl_ms = 500;
  auto producer = sluice::client::Producer::Create(config);
  if (!producer) {
    std::cerr << "Producer::Create failed: " << producer.error().message << "\n";
    return 1;
  }
  auto put = (*producer)->Put("orders", "key-1", "hello");
  if (!put) {
    std::cerr << "Put refused: " << put.error().message << "\n";
    return 1;
  }
  const sluice::client::PutResult result = put->get();
  if (result.succeeded || result.attempts.empty() || result.attempts.back().error_code.empty()) {
    std::cerr << "expected a failed put with its error, got succeeded=" << result.succeeded
              << " after " << result.attempts.size() << " attempts\n";
    return 1;
  }
  for (const sluice::client::Attempt& attempt : result.attempts) {
    std::cout << "attempt failed: " << attempt.error_code << ": " << attempt.error_message << "\n";
  }
  return 0;
}
