// pipefit's version, as `pipefit --version` prints it and as the documents
// it writes (pipefit.measure/1 probes) record it.
#ifndef PIPEFIT_BASE_VERSION_H_
#define PIPEFIT_BASE_VERSION_H_

namespace pipefit {

inline constexpr const char* kPipefitVersion = "0.1.0";

}  // namespace pipefit

#endif  // PIPEFIT_BASE_VERSION_H_
