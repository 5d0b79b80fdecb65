// What the numbers of an OOM report say beyond the stage (doctor, issue 14):
// which class of card it was, from the capacity line ("total capacity of
// 11.76 GiB" is a 12 GB card), and, with a plan of the model the log runs,
// whether what was allocated at the failure is what the failing stage
// should hold: "9.9 GiB allocated while the VAE decodes: the transformer is
// still resident". Pure: the plan and report are values.
#ifndef PIPEFIT_DOCTOR_DIAGNOSIS_H_
#define PIPEFIT_DOCTOR_DIAGNOSIS_H_

#include <optional>
#include <string>
#include <vector>

#include "pipefit/base/bytes.h"
#include "pipefit/doctor/advice.h"
#include "pipefit/doctor/oom_log.h"
#include "pipefit/plan/plan_result.h"

namespace pipefit {

struct CardClass {
  int nominal_gb = 0;                 // 12 for "11.76 GiB"
  std::vector<std::string> examples;  // GPU catalog names of that size, consumer first (at most 6)
};

// The card class whose nominal memory the reported capacity is plausible
// for (85% to 105% of it, as hardware/gpu_catalog.h MatchDetectedGpu): the
// smallest such size at or above the capacity (drivers report a little
// less), else the largest below it. Sizes are the GPU catalog's and common
// sizes it has no row for (2, 3, 4 GB ...; no examples then); nullopt when
// none is plausible.
std::optional<CardClass> CardClassFromCapacity(Bytes reported_total);

// What the GPU had allocated when it failed: PyTorch's allocated figure,
// else this process's use.
std::optional<Bytes> AllocatedAtFailure(const OomReport& report);

// Advice that compares the allocated figure with the plan's stage peaks
// for the whole pipeline on the GPU (`full+gpu`) and under model offload
// (`full+model_offload`): the rules "resident-weights" (the stage holds
// every model: .to("cuda") without offloading) and "stage-own-needs" (the
// allocation is what the stage itself needs under offloading, so the stage
// must shrink). Empty when the report has no allocated figure, the stage is
// unknown, or the plan lacks those candidates.
std::vector<Advice> ReasonWithPlan(const OomReport& report, const PlanResult& plan);

}  // namespace pipefit

#endif  // PIPEFIT_DOCTOR_DIAGNOSIS_H_
