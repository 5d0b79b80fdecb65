#include "pipefit/codegen/weights_code.h"

#include <cstdio>

#include "pipefit/plan/rules.h"

namespace pipefit {
namespace {

// bitsandbytes through PipelineQuantizationConfig's backend form
// (internals §6.5; diffusers docs quantization/overview.md "Basic
// quantization"). The diffusers and transformers BitsAndBytesConfig take
// the same arguments, so one quant_kwargs serves the denoiser and the text
// encoders. 4-bit defaults to fp4 and an fp32 compute dtype (internals §6.1),
// so nf4 and the load dtype are asked for explicitly.
struct BnbRow {
  WeightsKind kind;
  const char* backend;
  const char* kwargs;         // the quant_kwargs dict body
  bool append_compute_dtype;  // kwargs ends with a key awaiting the dtype
};
constexpr BnbRow kBnbRows[] = {
    {WeightsKind::kBnbNf4, "bitsandbytes_4bit",
     "\"load_in_4bit\": True, \"bnb_4bit_quant_type\": \"nf4\", \"bnb_4bit_compute_dtype\": ", true},
    {WeightsKind::kBnbInt8, "bitsandbytes_8bit", "\"load_in_8bit\": True", false},
};

// torchao: diffusers accepts only AOBaseConfig instances (internals §6.2).
// The diffusers and transformers TorchAoConfig signatures differ
// (transformers adds include_input_output_embeddings, ...), so the backend
// form raises in PipelineQuantizationConfig._validate_init_kwargs_in_backends;
// torchao therefore goes through quant_mapping with one config per component.
struct TorchaoRow {
  WeightsKind kind;
  const char* config_class;  // from torchao.quantization
  const char* config_args;
};
constexpr TorchaoRow kTorchaoRows[] = {
    {WeightsKind::kTorchaoInt8wo, "Int8WeightOnlyConfig", ""},
    {WeightsKind::kTorchaoFp8wo, "Float8WeightOnlyConfig", ""},
    // group_size=128: the 4.25 bpw layout the estimator assumes (§6.2
    // table). The default PLAIN packing routes through mslk kernels that
    // torchao tests only on SM 9.0; diffusers' own tests pin
    // tile_packed_to_4d (tinygemm, SM >= 8.0, bf16), whose packing op is
    // CUDA-only, so the pipeline is loaded and quantized on the GPU
    // (torchao int4_tile_packed_to_4d_tensor.py; diffusers
    // tests/models/testing_utils/quantization.py). The planner offers it
    // only all on GPU (rules.cc torchao-int4-gpu-only).
    {WeightsKind::kTorchaoInt4wo, "Int4WeightOnlyConfig",
     "group_size=128, int4_packing_format=\"tile_packed_to_4d\""},
};

const BnbRow* FindBnb(WeightsKind kind) {
  for (const BnbRow& row : kBnbRows) {
    if (row.kind == kind) return &row;
  }
  return nullptr;
}

const TorchaoRow* FindTorchao(WeightsKind kind) {
  for (const TorchaoRow& row : kTorchaoRows) {
    if (row.kind == kind) return &row;
  }
  return nullptr;
}

std::string DTypeKwarg(const CodeContext& context) {
  return std::string("torch_dtype=") + TorchDTypeExpr(context.dtype);
}

// Pipelines keep transformers models under text_encoder* / image_encoder*;
// they need transformers' own config class (quantization/overview.md
// "Advanced quantization": "use transformers.BitsAndBytesConfig for
// components that come from Transformers"; the same holds for TorchAoConfig).
bool IsTransformersComponent(const std::string& name, const CodeContext& context) {
  if (name == context.denoiser) return false;
  return name.starts_with("text_encoder") || name.starts_with("image_encoder");
}

// Quantizing on the fly: the pipeline config, loaded where
// LoadDeviceMapFor (plan/rules.h) says — the CPU in general
// (memory-calculator.md "device_map="cpu" while quantizing"; pipelines accept
// "cpu": pipeline_utils.py SUPPORTED_DEVICE_MAP), the GPU for torchao int4,
// no device_map for bitsandbytes 8-bit under model offload — then placed by
// the PLACEMENT knob. The estimator's load stage follows the same choice.
void AddQuantizedLoadKwargs(const Candidate& candidate, const CodeContext& context, WeightsCode* code) {
  code->load_kwargs = {"quantization_config=pipeline_quant_config", DTypeKwarg(context)};
  const std::string device_map = LoadDeviceMapValue(LoadDeviceMapFor(candidate));
  if (!device_map.empty()) code->load_kwargs.push_back("device_map=\"" + device_map + "\"");
  code->diffusers_imports.push_back("PipelineQuantizationConfig");
}

WeightsCode BnbCode(const BnbRow& row, const Candidate& candidate, const CodeContext& context) {
  WeightsCode code;
  std::string kwargs = row.kwargs;
  if (row.append_compute_dtype) kwargs += TorchDTypeExpr(context.dtype);
  code.setup = "pipeline_quant_config = PipelineQuantizationConfig(\n";
  code.setup += std::string("    quant_backend=\"") + row.backend + "\",\n";
  code.setup += "    quant_kwargs={" + kwargs + "},\n";
  code.setup += "    components_to_quantize=" + PythonList(WeightsTargets(candidate, context)) + ",\n";
  code.setup += ")\n";
  AddQuantizedLoadKwargs(candidate, context, &code);
  return code;
}

WeightsCode TorchaoCode(const TorchaoRow& row, const Candidate& candidate, const CodeContext& context) {
  WeightsCode code;
  const std::string ao_config = std::string(row.config_class) + "(" + row.config_args + ")";
  bool uses_diffusers = false;
  bool uses_transformers = false;
  code.setup = "pipeline_quant_config = PipelineQuantizationConfig(\n    quant_mapping={\n";
  for (const std::string& name : WeightsTargets(candidate, context)) {
    const bool from_transformers = IsTransformersComponent(name, context);
    (from_transformers ? uses_transformers : uses_diffusers) = true;
    const char* config_class = from_transformers ? "TransformersTorchAoConfig" : "TorchAoConfig";
    code.setup += "        " + PythonString(name) + ": " + config_class + "(" + ao_config + "),\n";
  }
  code.setup += "    },\n)\n";
  AddQuantizedLoadKwargs(candidate, context, &code);
  if (uses_diffusers) code.diffusers_imports.push_back("TorchAoConfig");
  code.other_imports.push_back(std::string("from torchao.quantization import ") + row.config_class);
  if (uses_transformers)
    code.other_imports.push_back("from transformers import TorchAoConfig as TransformersTorchAoConfig");
  return code;
}

// GGUF loads only through the model class's from_single_file, then joins
// the base repo's pipeline (internals §6.4; docs quantization/gguf.md).
// compute_dtype defaults to fp32, so the load dtype is passed.
WeightsCode GgufCode(const CodeContext& context) {
  WeightsCode code;
  const std::string& variable = context.denoiser;
  const std::string& file = context.gguf_file.empty() ? context.model_id : context.gguf_file;
  std::string model_class = context.denoiser_class;
  if (model_class.empty()) {
    // Without the class no from_single_file call can be written; the
    // placeholder keeps the script parseable and names what is missing.
    code.setup = "# pipefit: the denoiser's model class is unknown; replace DenoiserModelClass.\n";
    model_class = "DenoiserModelClass";
  } else {
    code.diffusers_imports.push_back(model_class);
  }
  code.setup += variable + " = " + model_class + ".from_single_file(\n";
  code.setup += "    " + PythonString(file) + ",\n";
  code.setup += std::string("    quantization_config=GGUFQuantizationConfig(compute_dtype=") +
                TorchDTypeExpr(context.dtype) + "),\n";
  code.setup += "    " + DTypeKwarg(context) + ",\n";
  // The file's repo is pinned here; the base pipeline's repo is not.
  if (!context.revision.empty()) code.setup += "    revision=" + PythonString(context.revision) + ",\n";
  code.setup += ")\n";
  code.load_kwargs = {variable + "=" + variable, DTypeKwarg(context)};
  code.diffusers_imports.push_back("GGUFQuantizationConfig");
  return code;
}

}  // namespace

std::string PythonString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string PythonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += PythonString(items[i]);
  }
  return out + "]";
}

const char* TorchDTypeExpr(LoadDType dtype) {
  switch (dtype) {
    case LoadDType::kBF16:
      return "torch.bfloat16";
    case LoadDType::kFP16:
      return "torch.float16";
    case LoadDType::kFP32:
      return "torch.float32";
  }
  return "torch.bfloat16";
}

std::string CommentSafe(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

std::vector<std::string> WeightsTargets(const Candidate& candidate, const CodeContext& context) {
  if (!candidate.quantized_components.empty()) return candidate.quantized_components;
  return {context.denoiser};
}

WeightsCode WriteWeightsCode(const Candidate& candidate, const CodeContext& context) {
  if (candidate.weights == WeightsKind::kGguf) return GgufCode(context);
  WeightsCode code;
  if (const BnbRow* bnb = FindBnb(candidate.weights)) {
    code = BnbCode(*bnb, candidate, context);
  } else if (const TorchaoRow* torchao = FindTorchao(candidate.weights)) {
    code = TorchaoCode(*torchao, candidate, context);
  } else {
    code.load_kwargs = {DTypeKwarg(context)};  // full and fp8_layerwise load at the load dtype
  }
  if (!context.revision.empty()) code.load_kwargs.push_back("revision=" + PythonString(context.revision));
  // Whole components on several GPUs, placed by from_pretrained
  // (docs/multi-gpu/diffusers-parallelism.md §5).
  if (candidate.parallel.kind == ParallelKind::kBalanced)
    code.load_kwargs.push_back("device_map=\"balanced\"");
  return code;
}

}  // namespace pipefit
