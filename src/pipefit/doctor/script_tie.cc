#include "pipefit/doctor/script_tie.h"

#include <fmt/format.h>

#include <algorithm>

#include "pipefit/codegen/script_pipelines.h"

namespace pipefit {
namespace {

const char* StageWhile(const OomReport& r) {
  switch (r.stage) {
    case OomStage::kTextEncoding:
      return "while the text encoder runs";
    case OomStage::kDenoising:
      return "while the denoiser runs";
    case OomStage::kVaeDecode:
      return r.vae_call == "encode" ? "while the VAE encodes" : "while the VAE decodes";
    case OomStage::kLoading:
      return "while loading";
    case OomStage::kTraining:
      return "while training";
    case OomStage::kUnknown:
      return "at the failing stage";
  }
  return "";
}

bool IsVaeTiling(const Call& c, const std::string& pipe) {
  return (c.receiver == pipe && (c.method == "enable_vae_tiling")) ||
         (c.receiver == pipe + ".vae" && c.method == "enable_tiling");
}

}  // namespace

std::vector<ScriptTie> TieLogToScript(const OomReport& r, const PythonScript& script) {
  std::vector<ScriptTie> out;
  if (r.kind == OomKind::kNotOom) return out;
  const std::vector<PipelineSite> sites = FindPipelines(script);
  if (sites.empty()) return out;
  const PipelineSite& site = sites.front();
  const std::string& pipe = site.variable;

  const Call* first_offload = nullptr;
  const Call* tiling = nullptr;
  const Call* last_setup = site.construction;
  for (const Call* c : site.calls) {
    if (c == site.generation) continue;
    if (IsOffloadCall(*c) && first_offload == nullptr) first_offload = c;
    if (IsVaeTiling(*c, pipe) && tiling == nullptr) tiling = c;
    if (site.generation == nullptr || c->range.begin < site.generation->range.begin) last_setup = c;
  }
  for (const Call* move : PipelineCudaMoves(script, site)) {
    const int line = move->line;
    if (first_offload == nullptr) {
      out.push_back(
          {"to-cuda-no-offload", line,
           r.stage == OomStage::kLoading
               ? fmt::format("line {} moves the whole pipeline to the GPU at once ({}.to(\"cuda\")): "
                             "every model's weights must fit together; replace it with "
                             "{}.enable_model_cpu_offload()",
                             line, pipe, pipe)
               : fmt::format("line {} moves the whole pipeline to the GPU ({}.to(\"cuda\")) and "
                             "nothing offloads it: every model stays resident {}; replace it with "
                             "{}.enable_model_cpu_offload()",
                             line, pipe, StageWhile(r), pipe)});
    } else if (move->range.begin < first_offload->range.begin) {
      out.push_back({"to-cuda-before-offload", line,
                     fmt::format("line {} moves the pipeline to the GPU before line {} offloads it: the load "
                                 "holds every model on the GPU first; delete line {}",
                                 line, first_offload->line, line)});
    } else {
      out.push_back(
          {"to-cuda-after-offload", line,
           fmt::format("line {} moves the pipeline back to the GPU after line {} offloaded it: every "
                       "model stays resident {}; delete line {}",
                       line, first_offload->line, StageWhile(r), line)});
    }
  }
  if (r.stage == OomStage::kVaeDecode && tiling == nullptr && last_setup != nullptr) {
    out.push_back({"vae-not-tiled", last_setup->line,
                   fmt::format("the script never tiles the VAE: add {}.vae.enable_tiling() after line {}",
                               pipe, last_setup->line)});
  }
  if (site.generation != nullptr && (r.stage == OomStage::kDenoising || r.stage == OomStage::kVaeDecode) &&
      (site.height || site.width || site.frames || site.batch)) {
    std::string size;
    if (site.height && site.width) size = fmt::format("{}x{}", *site.width, *site.height);
    if (site.frames) size += fmt::format("{}{} frames", size.empty() ? "" : ", ", *site.frames);
    if (site.batch) size += fmt::format("{}{} images per prompt", size.empty() ? "" : ", ", *site.batch);
    if (!size.empty()) {
      out.push_back({"generation-size", site.generation->line,
                     fmt::format("line {} asks for {}: activations grow with it; lower it there if the "
                                 "placement above is already right",
                                 site.generation->line, size)});
    }
  }
  std::sort(out.begin(), out.end(), [](const ScriptTie& a, const ScriptTie& b) { return a.line < b.line; });
  return out;
}

}  // namespace pipefit
