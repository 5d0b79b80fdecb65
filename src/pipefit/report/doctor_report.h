// Renders `pipefit doctor`: JSON per CONTRACT.md (schema
// "pipefit.doctor/1", sizes as integer bytes or null) and a text report for
// people. `plan` is the planner's answer for the GPU in the log when a
// model was given or found (null otherwise).
#ifndef PIPEFIT_REPORT_DOCTOR_REPORT_H_
#define PIPEFIT_REPORT_DOCTOR_REPORT_H_

#include <string>
#include <vector>

#include "pipefit/doctor/advice.h"
#include "pipefit/doctor/diagnosis.h"
#include "pipefit/doctor/oom_log.h"
#include "pipefit/doctor/script_tie.h"
#include "pipefit/plan/plan_result.h"

namespace pipefit {

struct DoctorResult {
  OomReport report;
  std::vector<Advice> advice;
  const PlanResult* plan = nullptr;  // not owned
  std::vector<std::string> notes;    // e.g. why no plan was made
  std::optional<CardClass> card;     // from the log's capacity line
  std::string script;                // --script path, "" when none
  std::vector<ScriptTie> script_ties;
};

std::string RenderDoctorJson(const DoctorResult& result);
std::string RenderDoctorText(const DoctorResult& result);

}  // namespace pipefit

#endif  // PIPEFIT_REPORT_DOCTOR_REPORT_H_
