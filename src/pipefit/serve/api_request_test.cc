// The API's translation from request bodies to pipefit command lines:
// exact argument lists, and every refusal.
#include "pipefit/serve/api_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipefit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const ApiEndpoint& Endpoint(std::string_view path) {
  const ApiEndpoint* endpoint = FindApiEndpoint(path);
  EXPECT_NE(endpoint, nullptr) << path;
  return *endpoint;
}

TEST(ApiRequestTest, PlanFieldsBecomeFlagsAndTheModelComesAfterDoubleDash) {
  auto command = TranslateApiRequest(
      Endpoint("/api/plan"),
      R"({"model": "flux.1-dev", "gpu": "RTX 4090", "ram": "64GiB", "height": 768, "all": true, "offline": false,
          "quality": "full"})");
  ASSERT_TRUE(command.ok()) << command.error().message;
  // Flags in the order of the body's keys, sorted (so equal bodies give equal commands).
  EXPECT_THAT(command->arguments, ElementsAre("plan", "--json", "--all", "--gpu=RTX 4090", "--height=768",
                                              "--quality=full", "--ram=64GiB", "--", "flux.1-dev"));
  EXPECT_EQ(command->schema, "pipefit.plan/1");
  EXPECT_FALSE(command->script.has_value());
}

TEST(ApiRequestTest, AFieldThatLooksLikeAFlagStaysAValue) {
  auto command =
      TranslateApiRequest(Endpoint("/api/plan"), R"({"model": "--emit=/tmp/x.py", "gpu": "--force"})");
  ASSERT_TRUE(command.ok());
  EXPECT_THAT(command->arguments, ElementsAre("plan", "--json", "--gpu=--force", "--", "--emit=/tmp/x.py"));
}

TEST(ApiRequestTest, DoctorReadsTheLogOnStdinAndTheScriptFromAFile) {
  auto command =
      TranslateApiRequest(Endpoint("/api/doctor"),
                          R"({"log": "CUDA out of memory.\n", "script": "import torch\n", "vram": "12GiB"})");
  ASSERT_TRUE(command.ok());
  EXPECT_THAT(command->arguments,
              ElementsAre("doctor", "--json", "--script=script.py", "--vram=12GiB", "--", "-"));
  EXPECT_EQ(command->stdin_text, "CUDA out of memory.\n");
  EXPECT_EQ(command->script, "import torch\n");
}

TEST(ApiRequestTest, CheckAndApplyRunOnScriptPy) {
  auto check = TranslateApiRequest(Endpoint("/api/check"), R"({"script": "x = 1\n"})");
  ASSERT_TRUE(check.ok());
  EXPECT_THAT(check->arguments, ElementsAre("check", "--json", "--", "script.py"));
  auto apply = TranslateApiRequest(Endpoint("/api/apply"),
                                   R"({"script": "x = 1\n", "strategy": "fp8_layerwise+model_offload"})");
  ASSERT_TRUE(apply.ok());
  EXPECT_THAT(apply->arguments,
              ElementsAre("apply", "--json", "--strategy=fp8_layerwise+model_offload", "--", "script.py"));
}

TEST(ApiRequestTest, GetEndpointsTakeNoBody) {
  auto gpus = TranslateApiRequest(Endpoint("/api/gpus"), "");
  ASSERT_TRUE(gpus.ok());
  EXPECT_THAT(gpus->arguments, ElementsAre("gpus", "--json"));
  auto with_body = TranslateApiRequest(Endpoint("/api/catalog"), "{}");
  ASSERT_FALSE(with_body.ok());
  EXPECT_EQ(with_body.error().message, "/api/catalog takes no request body");
}

TEST(ApiRequestTest, NullFieldsAreLeftOutAndAnEmptyBodyPlansTheDefaultModel) {
  auto command = TranslateApiRequest(Endpoint("/api/plan"), R"({"gpu": null, "steps": null})");
  ASSERT_TRUE(command.ok());
  EXPECT_THAT(command->arguments, ElementsAre("plan", "--json"));
  auto empty = TranslateApiRequest(Endpoint("/api/plan"), " \n");
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(empty->arguments, ElementsAre("plan", "--json"));
}

TEST(ApiRequestTest, RefusalsNameTheField) {
  struct Case {
    std::string_view path;
    std::string body;
    std::string message;
  };
  const Case cases[] = {
      {"/api/plan", "{", "the request body is not valid JSON"},
      {"/api/plan", "[1]", "the request body must be a JSON object"},
      {"/api/plan", R"({"emit": "x.py"})", "unknown field 'emit' for /api/plan"},
      {"/api/plan", R"({"steps": "28"})", "field 'steps' must be an integer"},
      {"/api/plan", R"({"steps": 2.5})", "field 'steps' must be an integer"},
      {"/api/plan", R"({"steps": 0})", "field 'steps' must be between 1 and 1000000"},
      {"/api/plan", R"({"height": 1000001})", "field 'height' must be between 1 and 1000000"},
      {"/api/plan", R"({"all": "yes"})", "field 'all' must be true or false"},
      {"/api/plan", R"({"model": 5})", "field 'model' must be a string"},
      {"/api/plan", R"({"model": ""})", "field 'model' is empty (leave it out instead)"},
      {"/api/plan", R"({"gpu": "RTX\n4090"})", "field 'gpu' contains a control character"},
      {"/api/plan", R"({"model": ")" + std::string(1025, 'a') + R"("})",
       "field 'model' is longer than 1024 bytes"},
      {"/api/doctor", R"({"vram": "12GiB"})", "field 'log' is required"},
      {"/api/doctor", "", "field 'log' is required"},
      {"/api/check", R"({"script": "a\u0000b"})", "field 'script' contains a NUL byte"},
      {"/api/check", R"({"script": ")" + std::string(kMaxApiTextBytes + 1, 'a') + R"("})",
       "field 'script' is larger than 4 MiB"},
  };
  for (const Case& c : cases) {
    auto command = TranslateApiRequest(Endpoint(c.path), c.body);
    ASSERT_FALSE(command.ok()) << c.body.substr(0, 80);
    EXPECT_EQ(command.error().code, ErrorCode::kUsage);
    EXPECT_THAT(command.error().message, HasSubstr(c.message)) << c.body.substr(0, 80);
  }
}

TEST(ApiRequestTest, EveryEndpointIsAPipefitCommandWithItsSchema) {
  ASSERT_EQ(ApiEndpoints().size(), 8u);
  for (const ApiEndpoint& endpoint : ApiEndpoints()) {
    EXPECT_EQ(endpoint.path, "/api/" + std::string(endpoint.command));
    EXPECT_EQ(endpoint.schema, "pipefit." + std::string(endpoint.command) + "/1");
  }
  EXPECT_EQ(FindApiEndpoint("/api/emit"), nullptr);
  EXPECT_THAT(ApiFieldsOf(Endpoint("/api/check")), ElementsAre("script (text, required)", "model (string)"));
}

}  // namespace
}  // namespace pipefit
