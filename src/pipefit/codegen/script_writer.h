// Maps each candidate knob to its diffusers call (DESIGN.md: one code
// writer). CandidateCode is the snippet that loads and places the pipeline
// (what `plan --json` puts in each candidate's `code`); EmitScript is a
// complete runnable script for `plan --emit FILE.py`. Every call written is
// current diffusers API (shared/reference/diffusers-internals.md §3-§9).
#ifndef PIPEFIT_CODEGEN_SCRIPT_WRITER_H_
#define PIPEFIT_CODEGEN_SCRIPT_WRITER_H_

#include <string>
#include <vector>

#include "pipefit/model/measure.h"
#include "pipefit/plan/candidate.h"
#include "pipefit/plan/code_context.h"
#include "pipefit/plan/workload.h"

namespace pipefit {

// The load + placement snippet for `candidate` (no imports). Starts with
// `pipe = ...from_pretrained(...)` (preceded by the quantization config or
// the GGUF model where the candidate needs them) and ends with the
// placement, casting, and VAE calls.
std::string CandidateCode(const Candidate& candidate, const CodeContext& context);

// The lines that follow `pipe = ...from_pretrained(...)` in CandidateCode:
// layerwise casting, placement, VAE tiling/slicing ("pipe" as the variable).
std::string PostLoadCode(const Candidate& candidate, const CodeContext& context);

// For a context-parallel candidate, the lines before the pipeline is
// loaded: the launch command as a comment, the NCCL process group, the
// rank and its device (`rank`, `device`, which the code after load uses);
// "" otherwise. Part of CandidateCode; `apply` inserts it on its own.
std::string ParallelSetupCode(const Candidate& candidate, const CodeContext& context);

// The import lines the candidate's code needs (torch, the pipeline class,
// quantization configs, torch.distributed for torchrun layouts).
std::string ImportCode(const Candidate& candidate, const CodeContext& context);

// The arguments of the one generation call (`pipe(` ... `)`), one per line
// with four spaces of indentation, the workload's sizes and a seeded CPU
// generator; the prompt is the variable `prompt` (PromptCode assigns it).
std::string PipelineCallArguments(const CodeContext& context);
std::string PromptCode();

// A complete script: imports, CandidateCode, the guarded speed-ups
// (compile_repeated_blocks when available, the attention backend in a
// try/except), one generation call with the workload, and saving the
// result. Parses with python3 -m py_compile.
std::string EmitScript(const Candidate& candidate, const CodeContext& context);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_SCRIPT_WRITER_H_
