// A read-only FileSystem over one commit of a Hub repo: the tree listing
// gives every file's size (so Stat and ListDirectory need no request), and
// reads are served from byte blocks already held — from pipefit's cache or
// fetched earlier — else fetched with one Range request through a
// HubFetcher. Paths are "<mount>/<repo path>" (mount is usually the repo id,
// so messages name "org/name/transformer/config.json").
// Read-ahead: a fetch that starts at byte 0 asks for at least
// kHubFirstReadBytes (a safetensors header usually fits, so reading the
// 8-byte length and then the header costs one request); GGUF files, read in
// many small pieces, double their read-ahead on each further miss.
// Without a fetcher (offline) a miss is a kNotFound error naming the bytes.
// Thread-safe: prefetch rounds read several files concurrently.
#ifndef PIPEFIT_SOURCES_HUB_FILE_SYSTEM_H_
#define PIPEFIT_SOURCES_HUB_FILE_SYSTEM_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "pipefit/base/file_system.h"
#include "pipefit/sources/hub_protocol.h"

namespace pipefit {

inline constexpr int64_t kHubFirstReadBytes = 64 * 1024;

class HubFetcher {
 public:
  virtual ~HubFetcher() = default;
  // Exactly bytes [offset, offset + length) of `path` (a repo path) whose
  // listed size is `size`; 0 < length and offset + length <= size.
  virtual Result<std::string> FetchRange(const std::string& path, int64_t offset, int64_t length,
                                         int64_t size) = 0;
};

class HubFileSystem : public FileSystem {
 public:
  // `fetcher` may be null (offline); it must outlive this object.
  HubFileSystem(std::string mount, const std::vector<HubFile>& files, HubFetcher* fetcher);

  Result<FileInfo> Stat(const std::string& path) const override;
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) const override;
  Result<std::vector<std::string>> ListDirectory(const std::string& path) const override;
  Result<std::string> ReadUpTo(const std::string& path, int64_t max_bytes) const override;
  bool FetchesOnRead() const override { return true; }

  const std::string& mount() const { return mount_; }
  std::vector<HubFile> files() const;
  // Makes [offset, offset + length) of a repo path held, fetching what is
  // missing with exactly one request (no read-ahead). Clipped to the file.
  Status Prefetch(const std::string& repo_path, int64_t offset, int64_t length) const;
  // The contiguous bytes held from offset 0 (what the cache stores), and
  // adding such a prefix (from the cache).
  std::string HeldPrefix(const std::string& repo_path) const;
  void AddPrefix(const std::string& repo_path, std::string bytes);

 private:
  struct Entry {
    int64_t size = 0;
    std::map<int64_t, std::string> blocks;  // offset -> bytes; disjoint, non-adjacent
    int64_t gguf_readahead = kHubFirstReadBytes;
  };

  // The repo path for a mounted path; nullopt when outside the mount.
  std::optional<std::string> RepoPath(const std::string& path) const;
  Result<std::string> Read(const std::string& repo_path, int64_t offset, int64_t length,
                           bool read_ahead) const;
  static void Insert(Entry& entry, int64_t offset, std::string bytes);
  static std::optional<std::string> Covered(const Entry& entry, int64_t offset, int64_t length);

  std::string mount_;
  HubFetcher* fetcher_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, Entry> entries_;              // repo path -> entry
  std::map<std::string, std::vector<std::string>> children_;  // repo dir ("" root) -> sorted names
};

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_HUB_FILE_SYSTEM_H_
