// `pipefit measure --emit probe.py` (docs/measure.md): a self-contained
// Python probe that builds one planned candidate's pipeline as its code does
// (the same load, casting and placement lines as `plan --emit`), runs the
// planned workload and writes a pipefit.measure/1 JSON document with every
// stage's peaks and times. The probe's fixed part is data/probe/probe.py
// (embedded); this file fills in the candidate's code, the workload's call
// and the SPEC: the plan's prediction for the same configuration (so every
// result carries what it is compared with) and, for random weights, every
// component's class and config.
#ifndef PIPEFIT_CODEGEN_PROBE_WRITER_H_
#define PIPEFIT_CODEGEN_PROBE_WRITER_H_

#include <string>

#include "pipefit/base/result.h"
#include "pipefit/model/pipeline.h"
#include "pipefit/plan/plan_result.h"

namespace pipefit {

struct ProbeOptions {
  // Build every component from its config with random weights in the load
  // dtype instead of from_pretrained (no download, no checkpoint).
  bool random_weights = false;
  int calls = 1;  // the probe's default for --calls
};

// The probe for `chosen` (one of plan.candidates). With random weights,
// full and fp8_layerwise candidates build every component in memory;
// quantized ones load the components they quantize from a random checkpoint
// the probe writes once (from_pretrained quantizes while loading). kUsage
// for what the probe cannot measure: multi-GPU layouts (one process, one
// GPU), and, with random weights, GGUF weights and pipeline classes pipefit
// has no call for. kNotFound when a component needed for random weights has
// no config (config.json, or scheduler_config.json for the scheduler).
// kMalformed when a config is not JSON.
Result<std::string> WriteProbe(const Pipeline& pipeline, const PlanResult& plan,
                               const PlannedCandidate& chosen, const ProbeOptions& options);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_PROBE_WRITER_H_
