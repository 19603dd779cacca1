#include "http/front_door.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <regex>

#include "auth/sigv4_verifier.h"

namespace sluice::http {
namespace {

namespace beast_http = boost::beast::http;

Request JsonRequest(std::string_view target, std::string body,
                    std::string_view content_type = "application/x-amz-json-1.1") {
  Request request{beast_http::verb::post, "/", 11};
  if (!target.empty()) request.set("X-Amz-Target", target);
  request.set(beast_http::field::content_type, content_type);
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

std::string ErrorType(const Response& response) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(response.body());
  return std::string(std::string_view(root["__type"]));
}

class FrontDoorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.AddStandardServices();
    // Echo answers with the StreamName it was given; Fails answers with the error named
    // by its input.
    router_.AddOperation(
        "Kinesis_20131202", "Echo",
        [](const OperationCall& call) -> boost::asio::awaitable<Result<std::string>> {
          std::string_view name;
          if (call.input["StreamName"].get(name) != simdjson::SUCCESS) {
            co_return Fail(ErrorCode::kInvalidArgument, "StreamName missing");
          }
          co_return "{\"StreamName\":\"" + std::string(name) + "\"}";
        });
    router_.AddOperation(
        "Kinesis_20131202", "Fails",
        [](const OperationCall& call) -> boost::asio::awaitable<Result<std::string>> {
          if (call.input["internal"].is_bool()) {
            co_return Fail(ErrorCode::kInternal, "boom");
          }
          co_return Fail(ErrorCode::kNotFound, "Stream trips not found");
        });
  }

  Response Handle(FrontDoor& door, const Request& request) {
    boost::asio::io_context context;
    std::optional<Response> response;
    boost::asio::co_spawn(context, door.Handle(request),
                          [&](std::exception_ptr error, Response result) {
                            if (error) std::rethrow_exception(error);
                            response = std::move(result);
                          });
    context.run();
    return std::move(*response);
  }

  Response Handle(const Request& request) { return Handle(open_door_, request); }

  Metrics metrics_;
  Router router_{metrics_};
  protocol::JsonParserPool parsers_;
  FrontDoor open_door_{router_, metrics_, parsers_, nullptr};
};

TEST_F(FrontDoorTest, HealthAnswersOk) {
  Request request{beast_http::verb::get, "/health", 11};
  Response response = Handle(request);
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response.body(), "{\"status\":\"ok\"}");
}

TEST_F(FrontDoorTest, EveryResponseCarriesARequestId) {
  const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (const Request& request :
       {Request{beast_http::verb::get, "/health", 11}, Request{beast_http::verb::get, "/x", 11},
        JsonRequest("Kinesis_20131202.Echo", R"({"StreamName":"a"})"),
        JsonRequest("Nope.Nope", "{}")}) {
    Response response = Handle(request);
    EXPECT_TRUE(std::regex_match(std::string(response["x-amzn-RequestId"]), uuid));
  }
}

TEST_F(FrontDoorTest, DispatchesByTargetAndPassesTheParsedBody) {
  Response response = Handle(JsonRequest("Kinesis_20131202.Echo", R"({"StreamName":"trips"})"));
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response.body(), R"({"StreamName":"trips"})");
  EXPECT_EQ(response[beast_http::field::content_type], "application/x-amz-json-1.1");
}

TEST_F(FrontDoorTest, UnknownOperationIs400UnknownOperationException) {
  for (std::string_view target : {"Kinesis_20131202.Teleport", "Nope_2020.Echo", ""}) {
    Response response = Handle(JsonRequest(target, "{}"));
    EXPECT_EQ(response.result_int(), 400u) << target;
    EXPECT_EQ(ErrorType(response), "UnknownOperationException");
    EXPECT_EQ(response[beast_http::field::content_type], "application/x-amz-json-1.1");
  }
}

TEST_F(FrontDoorTest, InvalidJsonIs400SerializationException) {
  for (std::string body : {"{", "garbage", "[1]", "{\"StreamName\":\"\xff\"}"}) {
    Response response = Handle(JsonRequest("Kinesis_20131202.Echo", body));
    EXPECT_EQ(response.result_int(), 400u);
    EXPECT_EQ(ErrorType(response), "SerializationException");
  }
}

TEST_F(FrontDoorTest, WrongContentTypeIs400SerializationException) {
  Response response =
      Handle(JsonRequest("Kinesis_20131202.Echo", R"({"StreamName":"a"})", "text/plain"));
  EXPECT_EQ(response.result_int(), 400u);
  EXPECT_EQ(ErrorType(response), "SerializationException");
}

TEST_F(FrontDoorTest, HandlerErrorsAreMappedAtTheEdge) {
  Response not_found = Handle(JsonRequest("Kinesis_20131202.Fails", "{}"));
  EXPECT_EQ(not_found.result_int(), 400u);
  EXPECT_EQ(ErrorType(not_found), "ResourceNotFoundException");
  Response internal = Handle(JsonRequest("Kinesis_20131202.Fails", R"({"internal":true})"));
  EXPECT_EQ(internal.result_int(), 500u);
  EXPECT_EQ(ErrorType(internal), "InternalFailure");
}

TEST_F(FrontDoorTest, UnknownPathIsAnAwsError) {
  Response response = Handle(Request{beast_http::verb::get, "/nowhere", 11});
  EXPECT_EQ(response.result_int(), 400u);
  EXPECT_EQ(ErrorType(response), "UnknownOperationException");
}

TEST_F(FrontDoorTest, CountsRequestsPerOperationInMetrics) {
  Handle(JsonRequest("Kinesis_20131202.Echo", R"({"StreamName":"a"})"));
  Handle(JsonRequest("Kinesis_20131202.Echo", "{}"));
  Request request{beast_http::verb::get, "/metrics", 11};
  const std::string text = Handle(request).body();
  EXPECT_NE(text.find("operation=\"Echo\",outcome=\"success\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("operation=\"Echo\",outcome=\"client_error\"} 1\n"), std::string::npos);
}

TEST_F(FrontDoorTest, WithKeysAnUnsignedRequestIsRefusedBeforeRouting) {
  auth::CredentialStore store(std::vector<auth::AccessKey>{{"AKID", "secret"}});
  auth::SigV4Verifier verifier(store, "us-east-1");
  FrontDoor door(router_, metrics_, parsers_, &verifier);
  Response response = Handle(door, JsonRequest("Kinesis_20131202.Teleport", "{}"));
  EXPECT_EQ(response.result_int(), 403u);
  EXPECT_EQ(ErrorType(response), "MissingAuthenticationTokenException");
}

}  // namespace
}  // namespace sluice::http
