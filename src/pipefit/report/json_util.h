// The JSON helpers every report shares: nulls for empty or absent values,
// and one way to print a document (two-space indent, a final newline,
// invalid UTF-8 replaced rather than thrown: pipefit never throws).
#ifndef PIPEFIT_REPORT_JSON_UTIL_H_
#define PIPEFIT_REPORT_JSON_UTIL_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace pipefit {

using Json = nlohmann::ordered_json;

inline Json StringOrNull(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

template <typename T>
Json OptionalOrNull(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

inline std::string DumpJson(const Json& document) {
  return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace pipefit

#endif  // PIPEFIT_REPORT_JSON_UTIL_H_
