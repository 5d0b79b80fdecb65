#include "pipefit/base/parallel.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace pipefit {

void RunBounded(int count, int max_parallel, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i = next++; i < count; i = next++) fn(i);
  };
  const int helpers = std::max(0, std::min(count, max_parallel) - 1);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(helpers));
  for (int i = 0; i < helpers; ++i) {
    // A thread the system refuses only means less parallelism: the calling
    // thread works through whatever is left.
    try {
      threads.emplace_back(worker);
    } catch (const std::system_error&) {
      break;
    }
  }
  worker();
  for (std::thread& thread : threads) thread.join();
}

}  // namespace pipefit
