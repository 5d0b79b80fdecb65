// The rows of `pipefit check`'s rule table (script_rules.cc); the
// detectors that decide where each fires are in script_check.cc.
#ifndef PIPEFIT_CODEGEN_SCRIPT_RULES_H_
#define PIPEFIT_CODEGEN_SCRIPT_RULES_H_

#include <span>
#include <string_view>

#include "pipefit/codegen/script_check.h"

namespace pipefit {

struct ScriptRule {
  std::string_view id;
  Severity severity;
  std::string_view message;
  std::string_view fix;
  std::string_view source;
};

std::span<const ScriptRule> ScriptRuleTable();
const ScriptRule* FindScriptRule(std::string_view id);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_SCRIPT_RULES_H_
