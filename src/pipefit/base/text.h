// Small string helpers every module used to keep its own copy of.
#ifndef PIPEFIT_BASE_TEXT_H_
#define PIPEFIT_BASE_TEXT_H_

#include <string_view>

namespace pipefit {

bool EndsWith(std::string_view text, std::string_view suffix);
// `text` without leading and trailing white space (std::isspace).
std::string_view TrimWhitespace(std::string_view text);

}  // namespace pipefit

#endif  // PIPEFIT_BASE_TEXT_H_
