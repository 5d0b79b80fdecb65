#include "pipefit/base/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace pipefit {
namespace {

TEST(RunBoundedTest, EveryIndexOnceAndNoMoreThreadsThanAsked) {
  std::vector<std::atomic<int>> seen(100);
  std::atomic<int> running{0}, peak{0};
  RunBounded(100, 4, [&](int i) {
    const int now = ++running;
    for (int p = peak.load(); now > p && !peak.compare_exchange_weak(p, now);) {
    }
    seen[static_cast<size_t>(i)]++;
    --running;
  });
  for (const auto& count : seen) EXPECT_EQ(count.load(), 1);
  EXPECT_LE(peak.load(), 4);
}

TEST(RunBoundedTest, NothingToDoAndOneWorker) {
  int calls = 0;
  RunBounded(0, 8, [&](int) { ++calls; });
  EXPECT_EQ(calls, 0);
  RunBounded(3, 1, [&](int) { ++calls; });
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace pipefit
