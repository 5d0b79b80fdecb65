// Runs one API command (serve/api_request.h) as a child `pipefit` process and
// turns what it printed into an HTTP answer: the child's `--json` document
// unchanged (200), or a pipefit.error/1 document with the child's error
// message (400 for a usage error, 422 for input pipefit could not use, 504
// past the time limit, 502 for an oversized answer, 500 otherwise).
//
// Each request gets a fresh private folder (mode 0700), removed afterwards;
// a pasted script is written there as script.py and the command runs in that
// folder. Local model paths are confined with PIPEFIT_LOCAL_ROOT
// (sources/resolve.h): the served --root, or none at all. Secrets (the Hub
// token) are removed from every answer, should a message ever echo one.
#ifndef PIPEFIT_SERVE_API_RUNNER_H_
#define PIPEFIT_SERVE_API_RUNNER_H_

#include <string>
#include <vector>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/serve/api_request.h"

namespace pipefit {

inline constexpr size_t kMaxApiAnswerBytes = 16u << 20;

struct ApiRunnerOptions {
  std::string binary;  // the pipefit executable
  std::string root;    // local models may be read under it; "" = none
  int timeout_ms = 120000;
  std::vector<std::string> secrets;  // never sent in an answer
};

struct ApiAnswer {
  int status = 200;
  std::string body;   // a JSON document
  int exit_code = 0;  // the command's, or -1 when it did not finish
};

ApiAnswer RunApiCommand(const ApiCommand& command, const ApiRunnerOptions& options);

// A pipefit.error/1 document.
ApiAnswer ApiErrorAnswer(int status, const std::string& message, int exit_code);

// The Hub token as the child would read it (HF_TOKEN, its file), when set.
std::vector<std::string> SecretsFromEnvironment(const Environment& env, const FileSystem& fs);

// BODY with every secret of 8 or more bytes replaced by "[hidden]".
std::string WithoutSecrets(std::string body, const std::vector<std::string>& secrets);

}  // namespace pipefit

#endif  // PIPEFIT_SERVE_API_RUNNER_H_
