#include "pipefit/formats/json_object.h"

namespace pipefit {

Result<simdjson::dom::object> ParseJsonObject(simdjson::dom::parser& parser, std::string_view json,
                                              const std::string& label, std::string_view what) {
  const std::string subject = what.empty() ? "" : std::string(what) + " ";
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return MakeError(ErrorCode::kMalformed,
                     label + ": " + subject + "is not valid JSON: " + simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return MakeError(ErrorCode::kMalformed, label + ": " + subject + "must be a JSON object");
  }
  return object;
}

}  // namespace pipefit
