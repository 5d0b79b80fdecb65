// Byte-range edits to a source text, applied in one pass so every byte no
// edit touches stays identical (the rewriter's contract, script_apply.h).
// Also the file-level facts the rewriter needs: where imports go, what is
// already imported, which line ending the file uses.
#ifndef PIPEFIT_CODEGEN_TEXT_EDITS_H_
#define PIPEFIT_CODEGEN_TEXT_EDITS_H_

#include <string>
#include <string_view>
#include <vector>

#include "pipefit/codegen/python_script.h"

namespace pipefit {

struct Edit {
  ByteRange range;   // replaced (empty range: an insertion)
  std::string text;  // "" removes
  int order = 1;     // at one position, lower first (imports before code)
};

// Applies `edits` to `source`: removals that overlap (two statements on one
// line share their `;`) are merged, a line whose code is all removed goes
// whole, inserted "\n" become "\r\n" when `crlf`, and an edit overlapping an
// earlier one is skipped with a note.
std::string ApplyTextEdits(std::string_view source, std::vector<Edit> edits, bool crlf,
                           std::vector<std::string>& notes);

// True when most lines end in "\r\n".
bool UsesCrlf(std::string_view source);

// Where the first import goes in a script without top-level imports: after
// a BOM, the #! and coding lines, and the module docstring.
size_t FileHeaderEnd(std::string_view source);

// `name` is available from `module` ("" for `import name`); a submodule's
// import (`from diffusers.quantizers import X`) counts for its package.
bool IsImported(const PythonScript& script, const std::string& module, const std::string& name);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_TEXT_EDITS_H_
