// Lookups over the pipeline and class tables. The rows live in
// pipeline_traits_rows.cc (AllPipelineTraits) and class_traits_rows.cc
// (AllClassTraits); both tables are a few dozen rows, so a linear scan with
// an exact, case-sensitive match (diffusers class names are identifiers) is
// all the lookup needs.
#include "pipefit/plan/pipeline_traits.h"

namespace pipefit {

const PipelineTraits* FindPipelineTraits(std::string_view pipeline_class) {
  for (const PipelineTraits& row : AllPipelineTraits()) {
    if (row.pipeline_class == pipeline_class) return &row;
  }
  return nullptr;
}

const ClassTraits* FindClassTraits(std::string_view class_name) {
  for (const ClassTraits& row : AllClassTraits()) {
    if (row.class_name == class_name) return &row;
  }
  return nullptr;
}

}  // namespace pipefit
