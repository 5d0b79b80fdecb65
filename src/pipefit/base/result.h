// Errors are values: every fallible library call returns Status or Result<T>.
// An Error carries a code (which the CLI maps to an exit code in one table)
// and a message that names the thing at fault, e.g.
//   "transformer/diffusion_pytorch_model.safetensors: header length 9e18
//    exceeds file size 1024".
// pipefit code never throws.
#ifndef PIPEFIT_BASE_RESULT_H_
#define PIPEFIT_BASE_RESULT_H_

#include <fmt/format.h>

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace pipefit {

enum class ErrorCode {
  kNotFound,     // a file, component, model or entry does not exist
  kMalformed,    // the input exists but its bytes or JSON are invalid
  kUnsupported,  // valid input pipefit cannot handle (e.g. unknown dtype)
  kLimit,        // the input exceeds one of pipefit's documented limits
  kIo,           // the operating system refused a read or write
  kNetwork,      // an HTTP transfer failed
  kUsage,        // the caller asked for something meaningless
};

// Stable lower-case name of a code, used in JSON and messages.
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;

  // Returns a copy whose message is "context: message".
  Error WithContext(const std::string& context) const { return Error{code, context + ": " + message}; }
};

// Result<T> holds either a value or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<Error>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// Status is a Result without a value.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

// The one way to build an error: a code and a fmt format string, checked at
// compile time, e.g. MakeErrorf(ErrorCode::kMalformed, "{}: header length {}
// exceeds file size {}", path, length, size).
template <typename... Args>
Error MakeErrorf(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  return Error{code, fmt::format(format, std::forward<Args>(args)...)};
}

}  // namespace pipefit

// Propagates an error from an expression yielding a Result/Status.
#define PIPEFIT_RETURN_IF_ERROR(expr)                          \
  do {                                                         \
    auto pipefit_status_ = (expr);                             \
    if (!pipefit_status_.ok()) return pipefit_status_.error(); \
  } while (0)

#define PIPEFIT_CONCAT_INNER_(a, b) a##b
#define PIPEFIT_CONCAT_(a, b) PIPEFIT_CONCAT_INNER_(a, b)
// Declares `lhs` from a Result's value or returns its error.
#define PIPEFIT_ASSIGN_OR_RETURN(lhs, expr)                    \
  auto PIPEFIT_CONCAT_(pipefit_result_, __LINE__) = (expr);    \
  if (!PIPEFIT_CONCAT_(pipefit_result_, __LINE__).ok())        \
    return PIPEFIT_CONCAT_(pipefit_result_, __LINE__).error(); \
  lhs = std::move(PIPEFIT_CONCAT_(pipefit_result_, __LINE__)).value()

#endif  // PIPEFIT_BASE_RESULT_H_
