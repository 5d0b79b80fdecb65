// Small string helpers shared by every module (no module keeps its own copy).
// Prefixes and suffixes use C++20's std::string_view::starts_with/ends_with.
#ifndef PIPEFIT_BASE_TEXT_H_
#define PIPEFIT_BASE_TEXT_H_

#include <string>
#include <string_view>

namespace pipefit {

// `text` without leading and trailing white space (std::isspace).
std::string_view TrimWhitespace(std::string_view text);
// `text` without trailing white space only (leading blanks are kept, e.g. so
// that a refs file with leading blanks stays invalid).
std::string_view TrimTrailingWhitespace(std::string_view text);
// `text` with ASCII letters in lower case; other bytes unchanged.
std::string AsciiLower(std::string_view text);
// `text` with &, <, >, " escaped for HTML / SVG text and attribute values.
std::string EscapeHtml(std::string_view text);

}  // namespace pipefit

#endif  // PIPEFIT_BASE_TEXT_H_
