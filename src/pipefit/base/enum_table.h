// Compile-time checks for tables keyed by an enum (DESIGN.md: knowledge is
// data). A table whose row i describes the enumerator with value i can be
// indexed directly, with no search and no silent fallback row: these checks,
// used in static_assert next to each table, make a missing, extra or
// misplaced row a build error.
#ifndef PIPEFIT_BASE_ENUM_TABLE_H_
#define PIPEFIT_BASE_ENUM_TABLE_H_

#include <cstddef>

namespace pipefit {

// True when values[i] has the underlying value i for every i: the list names
// each enumerator 0..N-1 once, in order.
template <typename Enum, size_t N>
constexpr bool IsEnumSequence(const Enum (&values)[N]) {
  for (size_t i = 0; i < N; ++i) {
    if (static_cast<size_t>(values[i]) != i) return false;
  }
  return true;
}

// True when `rows` has exactly `count` rows and row i's `key` member is the
// enumerator with value i.
template <typename Row, size_t N, typename Enum>
constexpr bool RowsFollowEnum(const Row (&rows)[N], Enum Row::*key, size_t count) {
  if (N != count) return false;
  for (size_t i = 0; i < N; ++i) {
    if (static_cast<size_t>(rows[i].*key) != i) return false;
  }
  return true;
}

// The row for `value` in a table checked with RowsFollowEnum.
template <typename Row, size_t N, typename Enum>
constexpr const Row& RowFor(const Row (&rows)[N], Enum value) {
  return rows[static_cast<size_t>(value)];
}

}  // namespace pipefit

#endif  // PIPEFIT_BASE_ENUM_TABLE_H_
