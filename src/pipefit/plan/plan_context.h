// Everything the estimator reads besides the candidate: the measured
// components, the architecture facts, the pipeline's traits and call
// order, the workload, its activations and the target hardware. Built once
// per plan by planner.cc; plain values.
#ifndef PIPEFIT_PLAN_PLAN_CONTEXT_H_
#define PIPEFIT_PLAN_PLAN_CONTEXT_H_

#include <optional>
#include <string>
#include <vector>

#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/model/measure.h"
#include "pipefit/plan/activation.h"
#include "pipefit/plan/model_facts.h"
#include "pipefit/plan/pipeline_traits.h"
#include "pipefit/plan/plan_result.h"

namespace pipefit {

// One model call of a pipeline __call__, in order.
struct ModelCall {
  Stage stage;
  int component;  // index into PlanContext::measurement.components
};

// The denoiser's tensor-parallel shape, from its class's `_tp_plan` and
// its tensors (plan/parallel.h ReadTensorParallelFacts): what shards and
// which row-wise layers end in an all-reduce. Empty without a plan.
struct TensorParallelFacts {
  bool has_plan = false;
  double sharded_fraction = 0;  // of the denoiser's parameters, split over the TP ranks
  // One entry per row-wise layer: its output width and the tokens it sees
  // (0 image, 1 text, 2 both streams).
  struct RowwiseLayer {
    int64_t out_features = 0;
    int stream = 0;
  };
  std::vector<RowwiseLayer> rowwise;
};

struct PlanContext {
  PipelineMeasurement measurement;
  ModelFacts facts;
  const PipelineTraits* traits = nullptr;  // null for classes pipefit has no row for
  int denoiser = -1;                       // component index, -1 when none
  int vae = -1;
  std::vector<ModelCall> calls;
  std::vector<std::string> offload_chain;     // model_cpu_offload_seq, absent components dropped
  std::vector<std::string> offload_excluded;  // _exclude_from_cpu_offload present in the pipeline
  Workload workload;
  bool vae_fp32_decode = false;              // SDXL-family force_upcast (internals §9)
  bool quadratic_attention = false;          // SDPA math fallback (activation.h)
  StageActivations activations;              // without VAE modifiers
  std::optional<Bytes> activation_override;  // --activation
  int requested_resident_blocks = 0;         // PlanRequest::resident_blocks
  PlanHardware hardware;
  const GpuSpec* gpu = nullptr;   // catalog row for time; null when unknown
  DType gguf_type = DType::kF32;  // dominant quant type of a GGUF denoiser
  bool denoiser_gguf = false;
  TensorParallelFacts tensor_parallel;
};

// The planned GPU's compute capability (the catalog row's, else the
// probe's or the flag's) as ComputeCapabilityValue gives it; nullopt when
// unknown.
std::optional<int> PlannedComputeCapability(const PlanContext& context);

// The activation model's inputs for this context (points into `context`).
ActivationInputs MakeActivationInputs(const PlanContext& context);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_PLAN_CONTEXT_H_
