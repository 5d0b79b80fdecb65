#include "pipefit/serve/api_runner.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "pipefit/base/subprocess.h"
#include "pipefit/base/text.h"
#include "pipefit/report/json_util.h"
#include "pipefit/sources/hub_client.h"

namespace pipefit {
namespace {

// A private folder for one request, removed with everything in it.
class RequestFolder {
 public:
  RequestFolder() {
    const char* tmp = getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/pipefit-serve-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~RequestFolder() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  RequestFolder(const RequestFolder&) = delete;
  RequestFolder& operator=(const RequestFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The message of the child's last "pipefit: error: …" line, else its stderr.
std::string ErrorMessageOf(const std::string& stderr_text, int exit_code) {
  constexpr std::string_view kPrefix = "pipefit: error: ";
  std::string message;
  for (size_t at = stderr_text.find(kPrefix); at != std::string::npos;
       at = stderr_text.find(kPrefix, at + 1)) {
    if (at != 0 && stderr_text[at - 1] != '\n') continue;
    const size_t end = stderr_text.find('\n', at);
    message = stderr_text.substr(at + kPrefix.size(),
                                 end == std::string::npos ? std::string::npos : end - at - kPrefix.size());
  }
  if (message.empty()) message = std::string(TrimWhitespace(stderr_text));
  if (message.size() > 4096) message = message.substr(0, 4096) + "…";
  if (message.empty()) message = fmt::format("pipefit exited with status {}", exit_code);
  return message;
}

int StatusForExitCode(int exit_code) {
  if (exit_code == 2) return 400;
  if (exit_code == 1) return 422;
  return 500;
}

}  // namespace

ApiAnswer ApiErrorAnswer(int status, const std::string& message, int exit_code) {
  Json j;
  j["schema"] = "pipefit.error/1";
  j["error"] = message;
  j["exit_code"] = exit_code;
  return ApiAnswer{status, DumpJson(j), exit_code};
}

std::vector<std::string> SecretsFromEnvironment(const Environment& env, const FileSystem& fs) {
  std::vector<std::string> secrets;
  auto settings = HubSettingsFromEnvironment(env, fs);
  if (settings.ok() && !settings->token.empty()) secrets.push_back(settings->token);
  for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
    if (auto value = env.GetNonEmpty(name)) secrets.push_back(*value);
  }
  return secrets;
}

std::string WithoutSecrets(std::string body, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.size() < 8) continue;
    for (size_t at = body.find(secret); at != std::string::npos; at = body.find(secret, at)) {
      body.replace(at, secret.size(), "[hidden]");
    }
  }
  return body;
}

ApiAnswer RunApiCommand(const ApiCommand& command, const ApiRunnerOptions& options) {
  RequestFolder folder;
  if (folder.path().empty()) return ApiErrorAnswer(500, "cannot create a folder for the request", -1);
  std::string working_directory = options.root.empty() ? folder.path() : options.root;
  if (command.script) {
    std::ofstream out(folder.path() + "/script.py", std::ios::binary);
    out << *command.script;
    if (!out.good()) return ApiErrorAnswer(500, "cannot write the script for the request", -1);
    working_directory = folder.path();
  }
  SubprocessOptions run;
  run.argv.push_back(options.binary);
  run.argv.insert(run.argv.end(), command.arguments.begin(), command.arguments.end());
  run.stdin_text = command.stdin_text;
  run.working_directory = working_directory;
  run.extra_environment = {"PIPEFIT_LOCAL_ROOT=" + (options.root.empty() ? std::string("-") : options.root),
                           "NO_COLOR=1"};
  run.timeout_ms = options.timeout_ms;
  run.max_output = kMaxApiAnswerBytes;
  auto result = RunSubprocess(run);
  if (!result.ok()) return ApiErrorAnswer(500, result.error().message, -1);
  const std::string name = command.arguments.empty() ? "pipefit" : "pipefit " + command.arguments.front();
  if (result->timed_out) {
    return ApiErrorAnswer(
        504, fmt::format("{} took longer than {} s and was stopped", name, options.timeout_ms / 1000), -1);
  }
  if (result->output_limited) {
    return ApiErrorAnswer(502, fmt::format("{} answered more than {} MiB", name, kMaxApiAnswerBytes >> 20),
                          -1);
  }
  // A document of the expected schema is the answer, whatever the exit code
  // (check exits 1 when it found an error, with its findings printed).
  const auto document = nlohmann::json::parse(result->stdout_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_object() && command.schema && document.contains("schema") &&
      document["schema"] == *command.schema) {
    return ApiAnswer{200, WithoutSecrets(std::move(result->stdout_text), options.secrets), result->exit_code};
  }
  ApiAnswer answer =
      ApiErrorAnswer(StatusForExitCode(result->exit_code),
                     ErrorMessageOf(result->stderr_text, result->exit_code), result->exit_code);
  answer.body = WithoutSecrets(std::move(answer.body), options.secrets);
  return answer;
}

}  // namespace pipefit
