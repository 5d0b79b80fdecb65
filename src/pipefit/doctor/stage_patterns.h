// Traceback frames and log lines that tell which pipeline stage ran out of
// memory, as a table of rows with an example each (stage_patterns.cc).
// A frame is `File "PATH", line N, in FUNC` plus its source line; a row
// matches when every non-empty field is a substring of the corresponding
// part.
#ifndef PIPEFIT_DOCTOR_STAGE_PATTERNS_H_
#define PIPEFIT_DOCTOR_STAGE_PATTERNS_H_

#include <span>
#include <string_view>

#include "pipefit/doctor/oom_log.h"

namespace pipefit {

struct StagePattern {
  OomStage stage;
  std::string_view path;      // substring of the frame's file path ('/' or '\\' normalised to '/')
  std::string_view function;  // the frame's function name, exactly ("" = any)
  std::string_view source;    // substring of the frame's source line
  std::string_view vae_call;  // "decode" | "encode" for VAE rows
  std::string_view example;   // a frame this row matches
};

// Frame rows: kTraining rows over every frame first, then the others
// innermost frame first; the first matching row decides. vae_call is set
// on rows that name the call; otherwise the parser finds it from the
// frames (encode/decode functions, vae.encode(/vae.decode( sources).
std::span<const StagePattern> FrameStagePatterns();

struct ContextPattern {
  OomStage stage;
  std::string_view text;  // substring of a log line before the error
  std::string_view example;
  // A denoising progress bar: when it is the deciding line and its count
  // reached its total, the stage is the VAE decode that follows.
  bool progress_bar = false;
};

// Log-line rows (progress bars, loader messages, ComfyUI's "Requested to
// load X", Forge's "[Memory Management] Target: X"), used when no frame
// matches: the last matching line before the error decides, and within a
// line the first matching row.
std::span<const ContextPattern> ContextStagePatterns();

struct NodePattern {
  OomStage stage;
  std::string_view name;  // a ComfyUI node class name, or its ending when `suffix`
  bool suffix = false;
  std::string_view vae_call;  // "decode" | "encode" for VAE nodes
};

// ComfyUI node classes by the stage they run: core nodes by name, then
// custom nodes (WanVideoWrapper, HunyuanVideoWrapper, ...) by how their
// names end. A log names the executing node as "Error occurred when
// executing VAEDecode:", "- **Node Type:** VAEDecode", or the name alone on
// a line (the UI's error box); exact names first, then suffixes in order.
std::span<const NodePattern> ComfyNodeStagePatterns();

// InvokeAI invocation types ("l2i" = latents to image) as its "Graph
// stats:" table after a failure lists them; the last row is the node that
// was running. Exact names first, then suffixes.
std::span<const NodePattern> InvokeNodeStagePatterns();

}  // namespace pipefit

#endif  // PIPEFIT_DOCTOR_STAGE_PATTERNS_H_
