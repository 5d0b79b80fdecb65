// Fetches, concurrently and ahead of the loader, every byte the folder
// loader will read from a HubFileSystem, so loading then runs from memory:
//   round 1  model_index.json, config.json files and shard indexes, whole,
//            and at the same time the first bytes of every weight file the
//            loader will most likely read, guessed from names alone
//            (GuessComponentWeightFiles) and sized without the index
//            (kSpeculativeShardHeaderBytes for a shard,
//            kSpeculativeLargeHeaderBytes for a single file of 1 GiB or
//            more, else kHubFirstReadBytes);
//   round 2  (usually empty) the weight files the guess missed, sized from
//            the index now held (8 + sum(name length + kShardEntryBytes) +
//            kShardSlackBytes), and the rest of any longer header;
//   round 3  (rarer) the rest of a header round 2 first read.
// With the model-info request before it and the Hub's redirect of LFS files
// to its CDN, a remote inspect is 3 dependent round trips when round 2 is
// empty (tests/hub_test.cc, bench/hub_bench.sh).
// Anything not foreseen here (a GGUF header longer than its first read, an
// unusual layout) is still read correctly, lazily, by the file system.
// Returns the first error in file order (a gated repo, a 404, a timeout).
#ifndef PIPEFIT_SOURCES_HUB_PREFETCH_H_
#define PIPEFIT_SOURCES_HUB_PREFETCH_H_

#include <functional>
#include <string>

#include "pipefit/base/result.h"
#include "pipefit/sources/hub_file_system.h"

namespace pipefit {

// A header entry is its name plus 75-78 bytes of dtype, shape and offsets on
// FLUX.1-dev's five shards (tests/data/flux1-dev); 96 leaves room for 4-D
// shapes and 11-digit offsets, so the estimate is 10-20% over and one
// request usually covers the header.
inline constexpr int64_t kShardEntryBytes = 96;
inline constexpr int64_t kShardSlackBytes = 256;
// Speculative first reads (round 1). FLUX.1-dev's shard headers are 25-45 kB
// and an SDXL UNet's single-file header ~200 kB; a miss costs one more round.
inline constexpr int64_t kSpeculativeShardHeaderBytes = 128 * 1024;
inline constexpr int64_t kSpeculativeLargeHeaderBytes = 256 * 1024;
inline constexpr int64_t kLargeWeightFileBytes = int64_t{1} << 30;

// `base` is a repo path: "" (the repo root), a folder, or a weight file.
// `done` is called after each fetch task with (tasks done, tasks total).
Status PrefetchHeaders(const HubFileSystem& fs, const std::string& base, const std::string& variant,
                       int max_parallel, const std::function<void(int, int)>& done);

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_HUB_PREFETCH_H_
