// pipefit's own cache of what it fetched from a Hub: per endpoint and repo,
//   <cache>/hub/<endpoint host>/<org>/<name>/refs/<revision>    the commit a ref resolved to
//   <cache>/hub/<endpoint host>/<org>/<name>/<commit>/tree.tsv  the commit's file list
//   <cache>/hub/<endpoint host>/<org>/<name>/<commit>/data/<path>  bytes 0..n of a file
// (a whole config, or a weight file's header). A commit never changes, so
// entries under it never expire; refs are rewritten on every online run.
// Every write is atomic (temporary file, then rename). Anything unreadable
// or inconsistent in the cache is ignored (fetched again), never trusted:
// tree paths are re-validated and a data file longer than the listed size
// is skipped. A cache that cannot be written costs a note, not the command.
#ifndef PIPEFIT_SOURCES_HUB_CACHE_H_
#define PIPEFIT_SOURCES_HUB_CACHE_H_

#include <optional>
#include <string>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/sources/hub_file_system.h"
#include "pipefit/sources/hub_protocol.h"

namespace pipefit {

class HubCache {
 public:
  // `cache_dir` "" disables the cache (every lookup misses, writes do nothing).
  HubCache(const std::string& cache_dir, const std::string& endpoint, const std::string& repo);

  bool enabled() const { return !root_.empty(); }
  const std::string& root() const { return root_; }

  std::optional<std::string> ReadRef(const std::string& revision) const;
  Status WriteRef(const std::string& revision, const std::string& commit) const;
  std::optional<std::vector<HubFile>> ReadTree(const std::string& commit) const;
  Status WriteTree(const std::string& commit, const std::vector<HubFile>& files) const;
  // Adds every cached prefix of the commit's files to `fs`; returns how many.
  int LoadData(const std::string& commit, HubFileSystem& fs) const;
  // Writes every prefix `fs` holds that is longer than the cached one.
  Status SaveData(const std::string& commit, const HubFileSystem& fs) const;

 private:
  std::string root_;
};

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_HUB_CACHE_H_
