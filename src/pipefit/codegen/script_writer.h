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
#include "pipefit/plan/workload.h"

namespace pipefit {

struct CodeContext {
  std::string pipeline_class;  // "FluxPipeline"; "" -> DiffusionPipeline
  // What to pass to from_pretrained: a repo id, or a local path.
  std::string model_id;
  // The commit to load (`revision=`), set when MODEL named a revision
  // (org/name@rev) so the code loads what was measured; "" = default branch.
  std::string revision;
  LoadDType dtype = LoadDType::kBF16;
  std::string denoiser = "transformer";  // component name
  std::string denoiser_class;            // "FluxTransformer2DModel"
  bool has_vae = true;
  // The denoiser class has `_repeated_blocks` (compile_repeated_blocks works).
  bool compile_repeated_blocks = false;
  // diffusers attention backend name to try ("_flash_3_hub", "flash_hub",
  // "sage", ...), "" to keep the default (native SDPA). Only set when the
  // denoiser class dispatches attention (internals §7).
  std::string attention_backend;
  // GGUF single-file denoiser: the .gguf path/URL and the base pipeline repo
  // providing the other components (from_pretrained(base, transformer=...)).
  std::string gguf_file;
  std::string base_repo;
  Workload workload;
  bool video = false;  // export frames with diffusers.utils.export_to_video
  // The pipeline's __call__ takes prompt, height, width (and num_frames,
  // num_*_per_prompt) as text-to-image/video pipelines do. False for classes
  // pipefit has no row for: only prompt and num_inference_steps are passed.
  bool known_call = true;
};

// The load + placement snippet for `candidate` (no imports). Starts with
// `pipe = ...from_pretrained(...)` (preceded by the quantization config or
// the GGUF model where the candidate needs them) and ends with the
// placement, casting, and VAE calls.
std::string CandidateCode(const Candidate& candidate, const CodeContext& context);

// The lines that follow `pipe = ...from_pretrained(...)` in CandidateCode:
// layerwise casting, placement, VAE tiling/slicing ("pipe" as the variable).
std::string PostLoadCode(const Candidate& candidate, const CodeContext& context);

// A complete script: imports, CandidateCode, the guarded speed-ups
// (compile_repeated_blocks when available, the attention backend in a
// try/except), one generation call with the workload, and saving the
// result. Parses with python3 -m py_compile.
std::string EmitScript(const Candidate& candidate, const CodeContext& context);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_SCRIPT_WRITER_H_
