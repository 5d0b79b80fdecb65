// The JSON API of `pipefit serve` (docs/serve.md), as data: each endpoint is
// a pipefit subcommand run with `--json`, and each field of a request body
// becomes one flag, so every answer is exactly the CLI's `--json` document.
// This module only translates and validates; serve/api_runner.h runs the
// result. Nothing here touches the file system or the network.
//
// Safety by construction: values go after `--name=` or after `--`, so no
// field can become another flag; unknown fields, wrong types, control
// characters and oversized values are refused (kUsage) before anything runs.
#ifndef PIPEFIT_SERVE_API_REQUEST_H_
#define PIPEFIT_SERVE_API_REQUEST_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/result.h"

namespace pipefit {

// Limits on a request body's parts (docs/serve.md, tests/limits_test.cc).
inline constexpr size_t kMaxApiFieldBytes = 1024;       // a model id, GPU name, …
inline constexpr size_t kMaxApiTextBytes = 4u << 20;    // a pasted log or script
inline constexpr long long kMaxApiInteger = 1'000'000;  // height, steps, …
inline constexpr size_t kMaxApiBodyBytes = 9u << 20;    // the whole body (two texts and the rest)

enum class ApiMethod { kGet, kPost };

// What one request runs: `pipefit ARGUMENTS…` with STDIN_TEXT on stdin, and
// the script (when present) written as script.py in a fresh folder that is
// the command's working directory.
struct ApiCommand {
  std::vector<std::string> arguments;
  std::string stdin_text;
  std::optional<std::string> script;
  std::optional<std::string> schema;  // the document it answers with
};

struct ApiEndpoint {
  std::string_view path;  // "/api/plan"
  ApiMethod method;
  std::string_view command;  // "plan"
  std::string_view schema;   // "pipefit.plan/1"
  std::string_view summary;  // for docs and the 404 message
};

std::span<const ApiEndpoint> ApiEndpoints();
const ApiEndpoint* FindApiEndpoint(std::string_view path);

// The fields an endpoint accepts, as "name (type)" strings, for errors and
// docs/serve.md.
std::vector<std::string> ApiFieldsOf(const ApiEndpoint& endpoint);

// Validates BODY (a JSON object; empty means {}) for ENDPOINT and builds
// the command. kUsage with a message naming the field on any problem.
Result<ApiCommand> TranslateApiRequest(const ApiEndpoint& endpoint, std::string_view body);

}  // namespace pipefit

#endif  // PIPEFIT_SERVE_API_REQUEST_H_
