// Fetches, concurrently and ahead of the loader, every byte the folder
// loader will read from a HubFileSystem, so loading then runs from memory:
//   round 1  model_index.json, config.json files and shard indexes, whole;
//   round 2  the first bytes of each weight file the loader will read: for
//            a shard, 8 + sum(name length + kShardEntryBytes) over the
//            tensors the index maps to it, plus kShardSlackBytes, else
//            kHubFirstReadBytes;
//   round 3  the rest of every safetensors header longer than round 2 got.
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

// `base` is a repo path: "" (the repo root), a folder, or a weight file.
// `done` is called after each fetch task with (tasks done, tasks total).
Status PrefetchHeaders(const HubFileSystem& fs, const std::string& base, const std::string& variant,
                       int max_parallel, const std::function<void(int, int)>& done);

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_HUB_PREFETCH_H_
