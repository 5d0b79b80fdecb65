// Renders `pipefit inspect`: JSON exactly per CONTRACT.md (schema
// "pipefit.inspect/1", sizes as integer bytes) and a readable table.
#ifndef PIPEFIT_REPORT_INSPECT_REPORT_H_
#define PIPEFIT_REPORT_INSPECT_REPORT_H_

#include <string>

#include "pipefit/model/measure.h"
#include "pipefit/model/pipeline.h"

namespace pipefit {

std::string RenderInspectJson(const Pipeline& pipeline, const PipelineMeasurement& measurement);
std::string RenderInspectText(const Pipeline& pipeline, const PipelineMeasurement& measurement);

}  // namespace pipefit

#endif  // PIPEFIT_REPORT_INSPECT_REPORT_H_
