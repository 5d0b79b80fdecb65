// What to do about an out-of-memory failure: the seed's "Debugging OOM"
// steps applied to what the log shows (kind, stage, numbers), as a table of
// rules (advice.cc), each with the condition it needs and its source.
#ifndef PIPEFIT_DOCTOR_ADVICE_H_
#define PIPEFIT_DOCTOR_ADVICE_H_

#include <string>
#include <vector>

#include "pipefit/doctor/oom_log.h"

namespace pipefit {

struct Advice {
  std::string rule;  // stable id, e.g. "fragmentation"
  std::string text;  // one paragraph for people
};

std::vector<Advice> AdviseOnOom(const OomReport& report);

}  // namespace pipefit

#endif  // PIPEFIT_DOCTOR_ADVICE_H_
