// The planner's output: every candidate with its predicted peak VRAM, RAM
// and time, whether it fits, why not, and the recommendation for each
// preference (CONTRACT.md `plan`). Plain values, rendered by
// report/plan_report.h and turned into code by codegen/script_writer.h; the
// planner itself formats nothing and writes no code.
#ifndef PIPEFIT_PLAN_PLAN_RESULT_H_
#define PIPEFIT_PLAN_PLAN_RESULT_H_

#include <optional>
#include <string>
#include <vector>

#include "pipefit/base/bytes.h"
#include "pipefit/hardware/gpu_topology.h"
#include "pipefit/model/measure.h"
#include "pipefit/plan/candidate.h"
#include "pipefit/plan/code_context.h"
#include "pipefit/plan/workload.h"

namespace pipefit {

// The machine planned for.
// One GPU of the machine planned for (every --gpu card, or every detected GPU).
struct PlanGpu {
  int index = 0;
  std::string name;
  std::string gpu_id;  // "" when not in the catalog
  Bytes vram = 0;
};

struct PlanHardware {
  std::string gpu;                 // display name; "" when no GPU is known
  std::string gpu_id;              // GPU catalog id when the GPU is in the catalog
  std::string compute_capability;  // "8.9"; "" when unknown
  Bytes vram = 0;
  Bytes ram = 0;
  std::string source;         // "detected" | "flags" | "catalog"
  std::vector<PlanGpu> gpus;  // all of them; the plan is for gpus[0] (gpu, vram above)
  std::string interconnect;   // how they connect (hardware/gpu_topology.h); "" when unknown or one GPU
  // How the GPUs connect, when detected (NVML or nvidia-smi topo -m); for
  // --gpu cards unset, and the multi-GPU planner assumes a link from the
  // catalog rows (plan/parallel.h CollectiveLinkSpeed).
  std::optional<GpuTopology> topology;
  std::vector<std::string> notes;
};

// The VRAM of the GPU at `position` in hardware.gpus: `vram` for the first
// (it carries --vram), the card's own for the others; `vram` when the list
// is shorter.
inline Bytes GpuCapacity(const PlanHardware& hardware, size_t position) {
  if (position == 0 || position >= hardware.gpus.size()) return hardware.vram;
  return hardware.gpus[position].vram;
}

// Activation memory per stage, for the workload without VAE modifiers
// (CONTRACT.md `activation`).
struct StageActivations {
  Bytes text_encode = 0;
  Bytes denoise = 0;
  Bytes decode = 0;
  Bytes encode = 0;         // only when the pipeline calls vae.encode
  bool overridden = false;  // --activation pinned every stage
  bool calibrated = false;  // constants fitted on measurements.md rows
  std::string basis;        // how it was computed, with the rows cited
};

// The model calls of a pipeline __call__ (CONTRACT.md stage names), and
// the load before it: from_pretrained plus the generated code's setup lines
// (estimator.cc LoadStage).
enum class Stage { kTextEncode, kEncode, kDenoise, kDecode, kLoad };
const char* StageName(Stage stage);  // "text_encode", "encode", "denoise", "decode", "load"

// One stage's contribution to the peak.
struct StagePeak {
  Stage stage = Stage::kDenoise;
  std::string component;  // the model that runs ("text_encoder_2", "transformer", "vae")
  Bytes weights = 0;      // resident weights while the stage runs (allocator-rounded)
  Bytes activations = 0;
  Bytes transient = 0;  // one layer dequantized / upcast
  Bytes allocated() const { return weights + activations + transient; }
};

// What one GPU of a candidate holds and peaks at (CONTRACT.md addition for
// multi-GPU plans): one row for a single-GPU candidate, one per GPU used
// otherwise.
struct GpuShare {
  int index = 0;                   // device index in hardware.gpus
  Bytes vram = 0;                  // what must fit on that card
  Bytes vram_allocated = 0;        // predicted max_memory_allocated on it
  std::vector<std::string> holds;  // components resident (or run) there
};

// Where an estimate's numbers come from (plan/machine_calibration.h):
// pipefit's model alone, that model corrected by measurements of the same
// family on this GPU, or a measurement of this exact configuration.
enum class EstimateBasis { kPredicted, kCorrected, kMeasured };
const char* EstimateBasisName(EstimateBasis basis);  // "predicted", "corrected", "measured"

struct Estimate {
  Bytes vram = 0;                   // what must fit on the card (slack + CUDA context)
  Bytes vram_allocated = 0;         // predicted torch.cuda.max_memory_allocated()
  Bytes ram = 0;                    // predicted peak host memory
  double seconds = 0;               // per pipeline call (one batch)
  std::optional<Stage> peak_stage;  // stage that sets vram_allocated (kLoad when loading does)
  std::vector<StagePeak> stages;    // for a multi-GPU candidate: the busiest GPU's
  std::vector<GpuShare> gpus;
  double communication_seconds = 0;  // inter-GPU traffic per call (in `seconds`)
  std::vector<std::string> notes;
  EstimateBasis basis = EstimateBasis::kPredicted;
  std::string basis_note;     // for kCorrected / kMeasured: which factors, which file
  bool measured_oom = false;  // a measurement of this configuration ran out of memory
};

struct PlannedCandidate {
  Candidate candidate;
  Estimate estimate;
  bool fits = false;
  // By how much the estimate exceeds the planned hardware (0 when within);
  // report/ words them (FitReason). fits == (vram_over == 0 && ram_over == 0).
  Bytes vram_over = 0;
  Bytes ram_over = 0;
  double relative_time = 1.0;  // seconds / fastest fitting candidate's seconds
};

// A weights x placement combination a compatibility rule rules out.
struct RejectedCandidate {
  std::string id;
  std::string rule;
  std::string reason;
};

struct Recommendations {
  std::optional<std::string> quality, speed, memory, balanced;  // candidate ids
};

// When nothing fits: the least VRAM and RAM at which some candidate would.
struct Shortfall {
  Bytes min_vram = 0;  // smallest vram over all candidates
  Bytes ram_at_min_vram = 0;
  Bytes min_ram = 0;  // smallest ram over all candidates
  std::string min_vram_candidate;
  std::string min_ram_candidate;
};

// The measurements of this machine the plan used (`pipefit calibrate`).
struct PlanCalibration {
  int stored = 0;       // measurements in the store
  int on_this_gpu = 0;  // ... whose GPU is the planned one
  int of_family = 0;    // ... of the plan's family, status ok (the factors' data)
  std::optional<double> seconds_factor, denoise_factor, decode_factor;
  std::vector<std::string> measured;  // candidate ids replaced by an exact measurement
};

struct PlanResult {
  std::string pipeline_class;
  std::string model;  // the reference the user gave
  LoadDType load_dtype = LoadDType::kBF16;
  PlanHardware hardware;
  Workload workload;
  SeedQuantities seed;
  StageActivations activation;
  std::vector<PlannedCandidate> candidates;  // every candidate, fitting or not
  // --quality: the lowest quality tier left in `candidates` (kInt4: all).
  QualityTier min_quality = QualityTier::kInt4;
  Recommendations recommended;
  std::optional<Shortfall> shortfall;       // set when nothing fits
  std::vector<RejectedCandidate> rejected;  // never offered, with the rule
  std::vector<std::string> notes;
  PlanCalibration calibration;
  // What the code writer needs for every candidate's code (codegen/
  // script_writer.h CandidateCode(candidate, code_context)).
  CodeContext code_context;
};

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_PLAN_RESULT_H_
