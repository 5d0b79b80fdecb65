// Recognises the model class of a single checkpoint file from its tensor
// names (a signature table), the way diffusers' from_single_file infers the
// checkpoint type (loaders/single_file_utils.py infer_diffusers_model_type).
#ifndef PIPEFIT_SOURCES_SINGLE_FILE_CLASS_H_
#define PIPEFIT_SOURCES_SINGLE_FILE_CLASS_H_

#include "pipefit/model/pipeline.h"

namespace pipefit {

// Sets component.class_name and library when a signature matches; otherwise
// leaves them empty and adds a note.
void IdentifySingleFileClass(Component& component);

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_SINGLE_FILE_CLASS_H_
