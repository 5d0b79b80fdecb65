// Runs fn(0) .. fn(count - 1) on at most `max_parallel` threads (the calling
// thread is one of them) and returns when all are done. Tasks are taken in
// index order; fn must be thread-safe. Used to bound concurrent HTTP fetches.
#ifndef PIPEFIT_BASE_PARALLEL_H_
#define PIPEFIT_BASE_PARALLEL_H_

#include <functional>

namespace pipefit {

void RunBounded(int count, int max_parallel, const std::function<void(int)>& fn);

}  // namespace pipefit

#endif  // PIPEFIT_BASE_PARALLEL_H_
