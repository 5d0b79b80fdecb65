// One way to parse an untrusted JSON document whose root must be an object,
// with the error messages every reader shares:
//   "LABEL: WHAT is not valid JSON: <simdjson's reason>"
//   "LABEL: WHAT must be a JSON object"
// (WHAT may be empty). The returned object lives in `parser`'s memory, so
// the parser must outlive it; `json` need not.
#ifndef PIPEFIT_FORMATS_JSON_OBJECT_H_
#define PIPEFIT_FORMATS_JSON_OBJECT_H_

#include <simdjson.h>

#include <string>
#include <string_view>

#include "pipefit/base/result.h"

namespace pipefit {

Result<simdjson::dom::object> ParseJsonObject(simdjson::dom::parser& parser, std::string_view json,
                                              const std::string& label, std::string_view what = "");

}  // namespace pipefit

#endif  // PIPEFIT_FORMATS_JSON_OBJECT_H_
