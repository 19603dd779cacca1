#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/hash_key.h"

namespace sluice::client::testing {

// One record of a PutRecords request as the fake received it (data decoded).
struct FakeRecord {
  std::string data;
  std::string partition_key;
  std::string explicit_hash_key;  // empty: none
};

// One HTTP request as received.
struct FakeRequest {
  std::string target;  // X-Amz-Target
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<FakeRecord> records;  // PutRecords only
  std::chrono::steady_clock::time_point received;
};

// A record the fake accepted.
struct StoredRecord {
  std::string shard_id;
  std::string sequence_number;
  FakeRecord record;
};

struct FakeShard {
  std::string shard_id;
  HashKey start = 0;
  HashKey end = 0;
  bool open = true;
};

// The shards a new stream of `count` shards has (even split of the key space).
std::vector<FakeShard> EvenShards(int count, int first_index = 0);

// A Kinesis endpoint for tests on 127.0.0.1 (free port), speaking PutRecords and
// ListShards over HTTP/1.1 keep-alive (or HTTPS with a certificate the test supplies), with
// faults to inject: HTTP errors, dropped connections, delays, per-record errors.
// Thread-safe; its own thread serves connections.
class FakeKinesis {
 public:
  struct TlsFiles {
    std::string certificate_pem;  // file paths
    std::string private_key_pem;
  };
  // Decides the error of one record (nullopt: accept it): {ErrorCode, ErrorMessage}.
  using RecordErrors =
      std::function<std::optional<std::pair<std::string, std::string>>(const FakeRecord&)>;

  explicit FakeKinesis(int shards = 4, std::optional<TlsFiles> tls = std::nullopt);
  ~FakeKinesis();
  FakeKinesis(const FakeKinesis&) = delete;
  FakeKinesis& operator=(const FakeKinesis&) = delete;

  uint16_t port() const { return port_; }
  std::string endpoint() const;

  void SetShards(std::vector<FakeShard> shards);
  // The next `count` PutRecords requests get `status` with an AWS error body of `type`.
  void FailRequests(int count, unsigned status, std::string type);
  // The next `count` PutRecords requests: the connection closes without a response.
  void DropConnections(int count);
  // Every request waits this long before its response.
  void SetDelay(std::chrono::milliseconds delay);
  void SetRecordErrors(RecordErrors errors);
  // ListShards answers with this status/type instead while set.
  void FailListShards(std::optional<std::pair<unsigned, std::string>> failure);
  // ListShards pages hold at most this many shards (0: all), with a NextToken.
  void SetListShardsPageSize(size_t shards);

  std::vector<FakeRequest> Requests(std::string_view target_suffix = "PutRecords") const;
  std::vector<StoredRecord> Stored() const;
  size_t connections_accepted() const;

 private:
  struct Reply {
    unsigned status = 200;
    std::string body;
    bool drop = false;
    std::chrono::milliseconds delay{0};
  };
  class Server;

  Reply Handle(FakeRequest request);
  Reply PutRecords(const FakeRequest& request);
  Reply ListShards(const std::string& body) const;

  mutable std::mutex mutex_;
  std::vector<FakeShard> shards_;                                 // guarded by mutex_
  std::map<std::string, uint64_t> next_sequence_;                 // guarded by mutex_
  std::vector<FakeRequest> requests_;                             // guarded by mutex_
  std::vector<StoredRecord> stored_;                              // guarded by mutex_
  int fail_count_ = 0;                                            // guarded by mutex_
  unsigned fail_status_ = 500;                                    // guarded by mutex_
  std::string fail_type_;                                         // guarded by mutex_
  int drop_count_ = 0;                                            // guarded by mutex_
  std::chrono::milliseconds delay_{0};                            // guarded by mutex_
  RecordErrors record_errors_;                                    // guarded by mutex_
  std::optional<std::pair<unsigned, std::string>> list_failure_;  // guarded by mutex_
  size_t connections_ = 0;                                        // guarded by mutex_
  size_t page_size_ = 0;                                          // guarded by mutex_

  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  bool tls_ = false;
};

// Writes a self-signed certificate for "localhost" and 127.0.0.1 and its key to `dir`.
FakeKinesis::TlsFiles MakeSelfSignedCertificate(const std::string& dir);

}  // namespace sluice::client::testing
