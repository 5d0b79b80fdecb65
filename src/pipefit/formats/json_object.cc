#include "pipefit/formats/json_object.h"

namespace pipefit {

Result<simdjson::dom::object> ParseJsonObject(simdjson::dom::parser& parser, std::string_view json,
                                              const std::string& label, std::string_view what) {
  const std::string subject = what.empty() ? "" : std::string(what) + " ";
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: {}is not valid JSON: {}", label, subject,
                      simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: {}must be a JSON object", label, subject);
  }
  return object;
}

}  // namespace pipefit
