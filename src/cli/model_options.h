// The MODEL argument and the options every model-reading command shares
// (inspect, plan): --dtype, --variant, --offline, with the catalog's default
// model when MODEL is omitted and CONTRACT.md's resolution order.
#ifndef PIPEFIT_CLI_MODEL_OPTIONS_H_
#define PIPEFIT_CLI_MODEL_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "pipefit/base/environment.h"
#include "pipefit/base/result.h"
#include "pipefit/model/measure.h"
#include "pipefit/model/pipeline.h"

namespace pipefit::cli {

struct ModelFlags {
  std::string model;
  std::string dtype = "bf16";
  std::string variant;
  bool offline = false;
};

void AddModelOptions(CLI::App& command, ModelFlags& flags, const std::string& model_help);

struct ResolvedModel {
  std::string reference;  // MODEL, or the default catalog entry's repo
  LoadDType dtype = LoadDType::kBF16;
  Pipeline pipeline;
};

// "pipefit: read org/name@abc123 from https://huggingface.co: 9 requests,
// 1.23 MB received, 0 files from the cache, 0.84 s" for a Hub source.
std::string HubFetchSummaryLine(const SourceInfo& source);

// --model when given (resolved as ResolveModelFlags does), else `read_id`,
// a model id pipefit only read (in a script, in a log): that one is looked
// up locally — paths, HF cache, catalog, pipefit's Hub cache — and never
// fetched; its error then says that --model would read it from the Hub.
Result<ResolvedModel> ResolveModelOrReadId(const ModelFlags& flags, const std::string& read_id,
                                           const Environment& env);

// kUsage for a bad --dtype; resolution errors as ResolveModel gives them.
Result<ResolvedModel> ResolveModelFlags(const ModelFlags& flags, const Environment& env);

}  // namespace pipefit::cli

#endif  // PIPEFIT_CLI_MODEL_OPTIONS_H_
