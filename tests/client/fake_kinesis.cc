#include "fake_kinesis.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <simdjson.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <stdexcept>

#include "common/base64.h"
#include "protocol/json_writer.h"

namespace sluice::client::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::string ErrorJson(std::string_view type, std::string_view message) {
  return protocol::ErrorBody(type, message);
}

}  // namespace

std::vector<FakeShard> EvenShards(int count, int first_index) {
  std::vector<FakeShard> shards;
  HashKey width = kMaxHashKey / static_cast<unsigned>(count);
  for (int i = 0; i < count; ++i) {
    char id[32];
    std::snprintf(id, sizeof(id), "shardId-%012d", first_index + i);
    FakeShard shard;
    shard.shard_id = id;
    shard.start = width * static_cast<unsigned>(i);
    shard.end = i + 1 == count ? kMaxHashKey : width * static_cast<unsigned>(i + 1) - 1;
    shards.push_back(shard);
  }
  return shards;
}

class FakeKinesis::Server {
 public:
  Server(FakeKinesis& owner, std::optional<TlsFiles> tls)
      : owner_(owner), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    if (tls) {
      ssl_.emplace(asio::ssl::context::tls_server);
      ssl_->use_certificate_chain_file(tls->certificate_pem);
      ssl_->use_private_key_file(tls->private_key_pem, asio::ssl::context::pem);
    }
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Server() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      {
        std::lock_guard lock(owner_.mutex_);
        ++owner_.connections_;
      }
      if (ssl_) {
        asio::co_spawn(io_, ServeTls(std::move(socket)), asio::detached);
      } else {
        asio::co_spawn(io_, Serve(beast::tcp_stream(std::move(socket))), asio::detached);
      }
    }
  }

  asio::awaitable<void> ServeTls(tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ssl_);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
    if (ec) co_return;
    co_await Serve(std::move(stream));
  }

  template <typename Stream>
  asio::awaitable<void> Serve(Stream stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kNoThrow);
      if (read_ec) co_return;
      http::request<http::string_body> request = parser.release();
      FakeRequest received;
      received.received = std::chrono::steady_clock::now();
      if (auto it = request.find("X-Amz-Target"); it != request.end()) {
        received.target = std::string(it->value());
      }
      for (const auto& field : request) {
        received.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      received.body = std::move(request.body());
      Reply reply = owner_.Handle(std::move(received));
      if (reply.delay.count() > 0) {
        asio::steady_timer timer(co_await asio::this_coro::executor, reply.delay);
        co_await timer.async_wait(kNoThrow);
      }
      if (reply.drop) co_return;  // the stream closes as it goes out of scope
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      response.set(http::field::content_type, "application/x-amz-json-1.1");
      response.keep_alive(request.keep_alive());
      response.body() = std::move(reply.body);
      response.prepare_payload();
      auto [write_ec, written] = co_await http::async_write(stream, response, kNoThrow);
      if (write_ec || !request.keep_alive()) co_return;
    }
  }

  FakeKinesis& owner_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::optional<asio::ssl::context> ssl_;
  std::thread thread_;
};

FakeKinesis::FakeKinesis(int shards, std::optional<TlsFiles> tls)
    : shards_(EvenShards(shards)), tls_(tls.has_value()) {
  server_ = std::make_unique<Server>(*this, std::move(tls));
  port_ = server_->port();
}

FakeKinesis::~FakeKinesis() { server_.reset(); }

std::string FakeKinesis::endpoint() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

void FakeKinesis::SetShards(std::vector<FakeShard> shards) {
  std::lock_guard lock(mutex_);
  shards_ = std::move(shards);
}

void FakeKinesis::FailRequests(int count, unsigned status, std::string type) {
  std::lock_guard lock(mutex_);
  fail_count_ = count;
  fail_status_ = status;
  fail_type_ = std::move(type);
}

void FakeKinesis::DropConnections(int count) {
  std::lock_guard lock(mutex_);
  drop_count_ = count;
}

void FakeKinesis::SetDelay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delay_ = delay;
}

void FakeKinesis::SetRecordErrors(RecordErrors errors) {
  std::lock_guard lock(mutex_);
  record_errors_ = std::move(errors);
}

void FakeKinesis::FailListShards(std::optional<std::pair<unsigned, std::string>> failure) {
  std::lock_guard lock(mutex_);
  list_failure_ = std::move(failure);
}

void FakeKinesis::SetListShardsPageSize(size_t shards) {
  std::lock_guard lock(mutex_);
  page_size_ = shards;
}

std::vector<FakeRequest> FakeKinesis::Requests(std::string_view target_suffix) const {
  std::lock_guard lock(mutex_);
  std::vector<FakeRequest> out;
  for (const FakeRequest& request : requests_) {
    if (request.target.ends_with(target_suffix)) out.push_back(request);
  }
  return out;
}

std::vector<StoredRecord> FakeKinesis::Stored() const {
  std::lock_guard lock(mutex_);
  return stored_;
}

size_t FakeKinesis::connections_accepted() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

FakeKinesis::Reply FakeKinesis::Handle(FakeRequest request) {
  if (request.target.ends_with(".PutRecords")) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(request.body).get(root) == simdjson::SUCCESS) {
      simdjson::dom::array records;
      if (root["Records"].get_array().get(records) == simdjson::SUCCESS) {
        for (simdjson::dom::element item : records) {
          FakeRecord record;
          std::string_view text;
          if (item["Data"].get_string().get(text) == simdjson::SUCCESS) {
            record.data = Base64Decode(text).value_or("<bad base64>");
          }
          if (item["PartitionKey"].get_string().get(text) == simdjson::SUCCESS) {
            record.partition_key = std::string(text);
          }
          if (item["ExplicitHashKey"].get_string().get(text) == simdjson::SUCCESS) {
            record.explicit_hash_key = std::string(text);
          }
          request.records.push_back(std::move(record));
        }
      }
    }
  }
  std::lock_guard lock(mutex_);
  requests_.push_back(request);
  Reply reply;
  reply.delay = delay_;
  if (request.target.ends_with(".ListShards")) {
    if (list_failure_) {
      reply.status = list_failure_->first;
      reply.body = ErrorJson(list_failure_->second, "injected ListShards failure");
      return reply;
    }
    Reply listing = ListShards(request.body);
    listing.delay = delay_;
    return listing;
  }
  if (!request.target.ends_with(".PutRecords")) {
    reply.status = 400;
    reply.body = ErrorJson("UnknownOperationException", "fake speaks PutRecords, ListShards");
    return reply;
  }
  if (drop_count_ > 0) {
    --drop_count_;
    reply.drop = true;
    return reply;
  }
  if (fail_count_ > 0) {
    --fail_count_;
    reply.status = fail_status_;
    reply.body = ErrorJson(fail_type_, "injected failure");
    return reply;
  }
  Reply put = PutRecords(request);
  put.delay = delay_;
  return put;
}

FakeKinesis::Reply FakeKinesis::PutRecords(const FakeRequest& request) {
  protocol::JsonWriter writer;
  int failed = 0;
  writer.BeginObject().Key("Records").BeginArray();
  for (const FakeRecord& record : request.records) {
    writer.BeginObject();
    std::optional<std::pair<std::string, std::string>> error;
    if (record_errors_) error = record_errors_(record);
    const FakeShard* target = nullptr;
    if (!error) {
      HashKey key = 0;
      if (!record.explicit_hash_key.empty()) {
        key = ParseHashKey(record.explicit_hash_key).value_or(0);
      } else {
        key = HashKeyOf(record.partition_key);
      }
      for (const FakeShard& shard : shards_) {
        if (shard.open && key >= shard.start && key <= shard.end) target = &shard;
      }
      if (target == nullptr) error = {{"InternalFailure", "no open shard for the key"}};
    }
    if (error) {
      ++failed;
      writer.Key("ErrorCode").String(error->first).Key("ErrorMessage").String(error->second);
    } else {
      const uint64_t number = ++next_sequence_[target->shard_id];
      char sequence[64];
      std::snprintf(sequence, sizeof(sequence), "4959%020llu%012d",
                    static_cast<unsigned long long>(number), 7);
      stored_.push_back(StoredRecord{target->shard_id, sequence, record});
      writer.Key("SequenceNumber").String(sequence).Key("ShardId").String(target->shard_id);
    }
    writer.EndObject();
  }
  writer.EndArray().Key("FailedRecordCount").Int(failed).EndObject();
  Reply reply;
  reply.body = writer.Take();
  return reply;
}

FakeKinesis::Reply FakeKinesis::ListShards(const std::string& body) const {
  // NextToken is the index of the page's first shard; the first page names the stream.
  size_t first = 0;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view token;
  Reply reply;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) {
    reply.status = 400;
    reply.body = ErrorJson("SerializationException", "bad JSON");
    return reply;
  }
  if (root["NextToken"].get_string().get(token) == simdjson::SUCCESS) {
    std::string_view stream;
    if (root["StreamName"].get_string().get(stream) == simdjson::SUCCESS) {
      reply.status = 400;
      reply.body = ErrorJson("InvalidArgumentException", "NextToken and StreamName together");
      return reply;
    }
    first = std::stoul(std::string(token));
  }
  const size_t end =
      page_size_ == 0 ? shards_.size() : std::min(shards_.size(), first + page_size_);
  protocol::JsonWriter writer;
  writer.BeginObject().Key("Shards").BeginArray();
  for (size_t i = first; i < end; ++i) {
    const FakeShard& shard = shards_[i];
    writer.BeginObject().Key("ShardId").String(shard.shard_id);
    writer.Key("HashKeyRange")
        .BeginObject()
        .Key("StartingHashKey")
        .String(FormatHashKey(shard.start))
        .Key("EndingHashKey")
        .String(FormatHashKey(shard.end))
        .EndObject();
    writer.Key("SequenceNumberRange").BeginObject().Key("StartingSequenceNumber").String("0");
    if (!shard.open) writer.Key("EndingSequenceNumber").String("99");
    writer.EndObject().EndObject();
  }
  writer.EndArray();
  if (end < shards_.size()) writer.Key("NextToken").String(std::to_string(end));
  writer.EndObject();
  reply.body = writer.Take();
  return reply;
}

FakeKinesis::TlsFiles MakeSelfSignedCertificate(const std::string& dir) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600 * 24);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  X509_add_ext(cert, san, -1);
  X509_EXTENSION_free(san);
  X509_EXTENSION* basic = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, "CA:TRUE");
  X509_add_ext(cert, basic, -1);
  X509_EXTENSION_free(basic);
  X509_sign(cert, key, EVP_sha256());
  FakeKinesis::TlsFiles files{dir + "/cert.pem", dir + "/key.pem"};
  FILE* cert_file = std::fopen(files.certificate_pem.c_str(), "w");
  FILE* key_file = std::fopen(files.private_key_pem.c_str(), "w");
  if (cert_file == nullptr || key_file == nullptr) throw std::runtime_error("cannot write PEM");
  PEM_write_X509(cert_file, cert);
  PEM_write_PrivateKey(key_file, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(cert_file);
  std::fclose(key_file);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

}  // namespace sluice::client::testing
