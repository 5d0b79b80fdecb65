// `pipefit check`: lint rules over a parsed script, one table row per rule
// (script_rules.cc) with id, severity, message, fix and source. What raises
// in diffusers is an error, what works but wastes memory or speed a
// warning, advice is info. Optional model facts (from the model id the
// script loads, when it resolves) sharpen the class-dependent rules.
#ifndef PIPEFIT_CODEGEN_SCRIPT_CHECK_H_
#define PIPEFIT_CODEGEN_SCRIPT_CHECK_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/codegen/python_script.h"
#include "pipefit/codegen/script_model.h"

namespace pipefit {

enum class Severity { kError, kWarning, kInfo };
const char* SeverityName(Severity severity);  // "error", "warning", "info"

struct Finding {
  std::string rule;  // e.g. "to-after-model-offload"
  Severity severity = Severity::kWarning;
  int line = 0;
  // The other call of an ordering mistake (the offload call a .to("cuda")
  // comes before or after, the casting a .to(dtype) follows, the pipeline
  // construction a device_map sits on); 0 when the finding is one call.
  int related_line = 0;
  std::string message;
  std::string fix;
};

struct CheckResult {
  std::vector<Finding> findings;   // by line, then rule id
  std::vector<std::string> notes;  // e.g. "lines 3, 9 did not parse; checked the rest"
};

CheckResult CheckScript(const PythonScript& script, const ScriptModelFacts& facts);

struct ScriptRuleInfo {
  std::string_view id;
  Severity severity;
  std::string_view summary;
  std::string_view source;  // internals / memory-calculator section, diffusers file
};
// Every rule, for docs and tests.
std::span<const ScriptRuleInfo> ScriptRules();

// The model ids the script loads (`X.from_pretrained("org/name")`), in
// source order.
std::vector<std::string> ScriptModelIds(const PythonScript& script);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_SCRIPT_CHECK_H_
