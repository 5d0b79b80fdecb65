// A unified diff (`diff -u` format, 3 lines of context) between two texts,
// line by line, with the labels given; "" when they are equal. Lines keep
// their own endings; a last line without a newline gets the
// "\ No newline at end of file" marker.
#ifndef PIPEFIT_CODEGEN_UNIFIED_DIFF_H_
#define PIPEFIT_CODEGEN_UNIFIED_DIFF_H_

#include <string>
#include <string_view>

namespace pipefit {

std::string UnifiedDiff(std::string_view before, std::string_view after, std::string_view before_label,
                        std::string_view after_label, int context = 3);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_UNIFIED_DIFF_H_
