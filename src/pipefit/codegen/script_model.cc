#include "pipefit/codegen/script_model.h"

#include "pipefit/base/text.h"
#include "pipefit/model/family_table.h"
#include "pipefit/plan/pipeline_traits.h"

namespace pipefit {
namespace {

// Pipeline families plan/pipeline_traits has no row for. A class matches the
// first row whose fragment it contains, so specific rows come first.
// Sources: INT = shared/reference/diffusers-internals.md (App. B: the
// model_cpu_offload_seq naming the denoiser; §9: VAE tiling).
struct PipelineFamilyRow {
  std::string_view fragment;
  std::string_view denoiser;   // "unet" | "transformer"
  std::string_view vae_class;  // "" = a VAE whose class row says it tiles (or none known)
  std::string_view source;
};

constexpr PipelineFamilyRow kFamilies[] = {
    {.fragment = "StableDiffusion3", .denoiser = "transformer", .source = "INT:1174"},
    {.fragment = "StableVideoDiffusion",
     .denoiser = "unet",
     .vae_class = "AutoencoderKLTemporalDecoder",
     .source = "INT:1181; INT:686 (tiling and slicing raise)"},
    {.fragment = "I2VGenXL",
     .denoiser = "unet",
     .source = "INT:987; diffusers pipelines/i2vgen_xl/pipeline_i2vgen_xl.py imports AutoencoderKL"},
    {.fragment = "StableDiffusion",
     .denoiser = "unet",
     .source = "INT:1164 and the StableDiffusion* rows of App. B"},
    {.fragment = "Kandinsky5", .denoiser = "transformer", .source = "INT:1075-1078"},
    {.fragment = "Kandinsky", .denoiser = "unet", .source = "INT:1056-1067"},
    {.fragment = "AnimateDiff", .denoiser = "unet", .source = "INT:924 and the AnimateDiff* rows of App. B"},
    {.fragment = "IFPipeline", .denoiser = "unet", .source = "INT:971"},
    {.fragment = "IFImg2Img", .denoiser = "unet", .source = "INT:972-973"},
    {.fragment = "IFInpainting", .denoiser = "unet", .source = "INT:974-975"},
    {.fragment = "IFSuperResolution", .denoiser = "unet", .source = "INT:976"},
};

const PipelineFamilyRow* FindFamily(std::string_view pipeline_class) {
  for (const PipelineFamilyRow& row : kFamilies) {
    if (pipeline_class.find(row.fragment) != std::string_view::npos) return &row;
  }
  return nullptr;
}

// The denoiser named in a model_cpu_offload_seq ("text_encoder->unet->vae").
std::string_view DenoiserInSequence(std::string_view seq) {
  for (size_t start = 0; start <= seq.size();) {
    size_t end = seq.find("->", start);
    if (end == std::string_view::npos) end = seq.size();
    const std::string_view name = seq.substr(start, end - start);
    if (name == "unet" || name == "transformer") return name;
    start = end + 2;
  }
  return "";
}

bool IsGenericPipeline(std::string_view pipeline_class) {
  return pipeline_class == "DiffusionPipeline" || pipeline_class.starts_with("AutoPipelineFor");
}

// clang-format off
constexpr DocumentedDType kDocumentedDTypes[] = {
    {"black-forest-labs/FLUX", "bf16", "bf16",
     "FLUX.1/FLUX.2 checkpoints are bf16 (safetensors headers); diffusers docs api/pipelines/flux.md load torch.bfloat16"},
    {"Qwen/Qwen-Image", "bf16", "bf16", "Qwen-Image checkpoints are bf16; diffusers docs api/pipelines/qwenimage.md"},
    {"hunyuanvideo-community/HunyuanVideo", "bf16", "bf16",
     "transformer stored bf16 (pipefit catalog hunyuanvideo); diffusers docs api/pipelines/hunyuan_video.md load the "
     "transformer in torch.bfloat16"},
    {"Wan-AI/Wan2.1-", "fp32", "bf16",
     "Wan 2.1 Diffusers transformers are stored fp32 (pipefit catalog wan21-*); diffusers docs api/pipelines/wan.md "
     "load the pipeline with torch_dtype=torch.bfloat16 (VAE float32)"},
    {"Wan-AI/Wan2.2-", "fp32", "bf16", "as Wan 2.1 (pipefit catalog wan22-*; diffusers docs api/pipelines/wan.md)"},
    {"genmo/mochi-1-preview", "fp32", "bf16",
     "stored fp32 with a bf16 variant; diffusers docs api/pipelines/mochi.md load variant=\"bf16\", "
     "torch_dtype=torch.bfloat16"},
};
// clang-format on

// clang-format off
constexpr HalfPrecisionClass kHalfPrecisionClasses[] = {
    {"FluxTransformer2DModel", "bf16", "Flux", "diffusers docs api/pipelines/flux.md (torch.bfloat16 throughout)"},
    {"Flux2Transformer2DModel", "bf16", "Flux2", "diffusers docs api/pipelines/flux2.md (torch.bfloat16)"},
    {"QwenImageTransformer2DModel", "bf16", "QwenImage", "diffusers docs api/pipelines/qwenimage.md (torch.bfloat16)"},
    {"HunyuanVideoTransformer3DModel", "bf16", "HunyuanVideo", "diffusers docs api/pipelines/hunyuan_video.md (transformer in torch.bfloat16)"},
    {"WanTransformer3DModel", "bf16", "Wan", "diffusers docs api/pipelines/wan.md (torch.bfloat16, VAE float32)"},
    {"MochiTransformer3DModel", "bf16", "Mochi", "diffusers docs api/pipelines/mochi.md (variant bf16, torch.bfloat16)"},
    {"LTXVideoTransformer3DModel", "bf16", "LTX", "diffusers docs api/pipelines/ltx_video.md (torch.bfloat16)"},
    {"ChromaTransformer2DModel", "bf16", "Chroma", "diffusers docs api/pipelines/chroma.md (torch.bfloat16)"},
    {"SD3Transformer2DModel", "half", "StableDiffusion3",
     "pipefit catalog: SD3 Medium stored fp16, SD3.5 Large/Medium bf16; diffusers docs api/pipelines/stable_diffusion/stable_diffusion_3.md"},
    {"CogVideoXTransformer3DModel", "half", "CogVideoX",
     "pipefit catalog: CogVideoX-5b stored bf16; diffusers docs api/pipelines/cogvideox.md (fp16 for 2b, bf16 for 5b)"},
};
// clang-format on

}  // namespace

const HalfPrecisionClass* FindHalfPrecisionClass(std::string_view class_name) {
  for (const HalfPrecisionClass& row : kHalfPrecisionClasses)
    if (row.class_name == class_name) return &row;
  return nullptr;
}

const HalfPrecisionClass* FindHalfPrecisionPipeline(std::string_view pipeline_class) {
  const HalfPrecisionClass* best = nullptr;
  for (const HalfPrecisionClass& row : kHalfPrecisionClasses) {
    if (pipeline_class.starts_with(row.pipelines) &&
        (best == nullptr || row.pipelines.size() > best->pipelines.size()))
      best = &row;
  }
  return best;
}

const DocumentedDType* FindDocumentedDType(std::string_view model_id) {
  // A repo id, or a local folder named after it (`./models/org/name`).
  for (const DocumentedDType& row : kDocumentedDTypes) {
    if (model_id.starts_with(row.prefix)) return &row;
    const size_t at = model_id.find(row.prefix);
    if (at != std::string_view::npos && at > 0 && model_id[at - 1] == '/') return &row;
  }
  return nullptr;
}

ScriptModelFacts FactsFromPipeline(const Pipeline& pipeline) {
  ScriptModelFacts facts;
  facts.known = true;
  for (const Component& c : pipeline.components) {
    for (const TensorInfo& t : c.tensors) facts.stored_bytes += t.bytes;
    const ModelFamily* family = FindModelFamily(c.class_name);
    const ModelRole role = family ? family->role : ModelRole::kOther;
    if (role == ModelRole::kVae || c.name == "vae") facts.vae_class = c.class_name;
    if (role != ModelRole::kDenoiser && c.name != "transformer" && c.name != "unet") continue;
    facts.denoiser_class = c.class_name;
    if (const ClassTraits* t = FindClassTraits(c.class_name))
      facts.has_repeated_blocks = !t->repeated_blocks.empty();
    const std::optional<DType> stored = DominantDType(c, false);
    if (stored == DType::kBF16) facts.preferred_dtype = "bf16";
    if (stored == DType::kF16) facts.preferred_dtype = "fp16";
  }
  return facts;
}

std::string ScriptDenoiser(const PipelineSite& site) {
  if (const PipelineTraits* traits = FindPipelineTraits(site.class_name)) {
    const std::string_view denoiser = DenoiserInSequence(traits->offload_seq);
    if (!denoiser.empty()) return std::string(denoiser);
  }
  if (const PipelineFamilyRow* family = FindFamily(site.class_name)) return std::string(family->denoiser);
  if (IsGenericPipeline(site.class_name)) {
    const std::string id = AsciiLower(site.model_id);
    const bool unet_repo =
        (id.find("stable-diffusion") != std::string::npos || id.find("sdxl") != std::string::npos) &&
        id.find("stable-diffusion-3") == std::string::npos;
    if (unet_repo) return "unet";
  }
  return "transformer";
}

bool ScriptVaeTiles(const PipelineSite& site, const ScriptModelFacts& facts) {
  std::string_view vae_class = facts.vae_class;
  if (vae_class.empty()) {
    const PipelineFamilyRow* family = FindFamily(site.class_name);
    if (family != nullptr) vae_class = family->vae_class;
  }
  if (vae_class.empty()) return true;
  const ClassTraits* traits = FindClassTraits(vae_class);
  return traits == nullptr || traits->vae_tiling;
}

LoadDType ScriptLoadDType(const PipelineSite& site, std::optional<LoadDType> requested) {
  if (requested) return *requested;
  return ParseLoadDType(site.dtype).value_or(LoadDType::kBF16);
}

}  // namespace pipefit
