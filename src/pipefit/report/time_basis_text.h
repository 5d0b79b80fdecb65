// Words how a plan's times were computed (plan/time_model.h TimeBasis): the
// GPU class, its efficiency, fitted on which published rows or guessed
// ("uncalibrated for Turing data centre (T4): ..."), and the per-step
// factors of the torch.compile and attention-backend code pipefit writes.
#ifndef PIPEFIT_REPORT_TIME_BASIS_TEXT_H_
#define PIPEFIT_REPORT_TIME_BASIS_TEXT_H_

#include <string>

#include "pipefit/plan/plan_result.h"
#include "pipefit/plan/time_model.h"

namespace pipefit {

// The basis for the plan's hardware (its catalog row by gpu_id; the
// reference RTX 4090 when there is none).
TimeBasis PlanTimeBasis(const PlanHardware& hardware);

std::string TimeBasisText(const TimeBasis& basis);

}  // namespace pipefit

#endif  // PIPEFIT_REPORT_TIME_BASIS_TEXT_H_
