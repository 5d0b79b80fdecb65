// A Python script as pipefit's checker and rewriter see it: every call (its
// dotted callee, arguments, byte ranges, the statement it belongs to, the
// variable it is assigned to), every import, and where the parse failed.
// Built with tree-sitter (the only file that includes it is
// python_script.cc); scripts that do not parse cleanly (notebook `!pip`
// lines, excerpts) still yield every call in the parts that do.
#ifndef PIPEFIT_CODEGEN_PYTHON_SCRIPT_H_
#define PIPEFIT_CODEGEN_PYTHON_SCRIPT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipefit/base/result.h"

namespace pipefit {

// Scripts larger than this are refused (kLimit): pipefit reads scripts,
// not data files.
inline constexpr size_t kMaxScriptBytes = 4 * 1024 * 1024;

struct ByteRange {
  size_t begin = 0;
  size_t end = 0;  // exclusive
};

struct Argument {
  std::string keyword;                      // "" for a positional argument
  std::string text;                         // the value's source text
  ByteRange range;                          // the whole argument ("keyword=value" or the value)
  ByteRange value;                          // the value alone
  std::optional<std::string> string_value;  // the value when it is a plain string literal
};

struct Call {
  std::string callee;    // the function's source text: "pipe.transformer.enable_layerwise_casting"
  std::string receiver;  // callee before its last ".": "pipe.transformer" ("" for a bare name)
  std::string method;    // callee after its last ".": "enable_layerwise_casting"
  std::vector<Argument> args;
  ByteRange range;      // the call expression
  ByteRange arguments;  // "(...)" inclusive
  // The innermost enclosing statement that is a direct child of a block
  // (module, function or class body, if/with/for body), whole lines with
  // indentation and the newline: what to delete to remove the call, and
  // where to insert after it.
  ByteRange statement;
  std::string indent;  // that statement's indentation
  int line = 0;        // 1-based line of the call's start
  // `x = CALL...` / `self.pipe = CALL...`: the assignment's target when the
  // call is (part of) its right-hand side.
  std::string assigned_to;
  int scope = 0;          // id of the enclosing function (0 = module level)
  bool in_chain = false;  // the call is the object of another call (`X.from_pretrained(...).to(...)`)
  // The if/elif/else branches the call sits in, outermost first: (the if
  // statement's start byte, branch index). Two calls in different branches
  // of one `if` never both run.
  std::vector<std::pair<size_t, int>> branches;
};

// True when `a` and `b` sit in different branches of one if statement.
bool MutuallyExclusive(const Call& a, const Call& b);

struct Import {
  std::string module;              // "diffusers" ("" for `import x`)
  std::vector<std::string> names;  // imported names (as written, without aliases)
  bool star = false;               // from module import *
  size_t names_end = 0;            // byte just after the last imported name (0 for star)
  // `import X as Y` / `from m import X as Y`: (Y, X).
  std::vector<std::pair<std::string, std::string>> aliases;
  int line = 0;
  ByteRange statement;
  int scope = 0;
};

struct PythonScript {
  std::string source;
  std::vector<Call> calls;       // source order, nested calls included
  std::vector<Import> imports;   // source order
  std::vector<int> error_lines;  // lines where the parse found errors (1-based)
  // Byte offset just after the last top-level import statement (0 when
  // none): where new imports go.
  size_t import_insert_at = 0;
};

// kLimit for scripts over kMaxScriptBytes; kMalformed when the bytes are not
// text (a NUL byte). Parse errors are not failures: see error_lines.
Result<PythonScript> ParsePythonScript(std::string_view source);

// 1-based line of a byte offset.
int LineOf(std::string_view source, size_t offset);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_PYTHON_SCRIPT_H_
