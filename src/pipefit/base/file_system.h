// The file system behind an interface, so sources and readers run on
// in-memory fakes in tests and on embedded data for the built-in catalog.
// Paths are plain strings joined with '/'. Every read is bounded by the
// caller: nothing here reads a whole file it was not asked to.
#ifndef PIPEFIT_BASE_FILE_SYSTEM_H_
#define PIPEFIT_BASE_FILE_SYSTEM_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/result.h"

namespace pipefit {

struct FileInfo {
  bool is_directory = false;
  int64_t size = 0;  // bytes; 0 for directories
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Follows symbolic links. kNotFound when the path does not exist.
  virtual Result<FileInfo> Stat(const std::string& path) const = 0;
  // Reads exactly `length` bytes at `offset`; kMalformed if the file is
  // shorter (the message says how many bytes were available).
  virtual Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) const = 0;
  // Entry names (not paths) in a directory, sorted.
  virtual Result<std::vector<std::string>> ListDirectory(const std::string& path) const = 0;
  // Reads from the start until end of file, but never more than
  // `max_bytes`. Unlike ReadRange it does not need the length in advance,
  // so it works on /proc and /sys files whose Stat size is 0 or 4096.
  virtual Result<std::string> ReadUpTo(const std::string& path, int64_t max_bytes) const = 0;

  // True when reading a file costs a network request (a Hub repository):
  // readers skip files plans do not need.
  virtual bool FetchesOnRead() const { return false; }

  bool Exists(const std::string& path) const { return Stat(path).ok(); }
  bool IsDirectory(const std::string& path) const;
  bool IsFile(const std::string& path) const;
  // Reads a whole file of at most `max_size` bytes (kLimit above it),
  // whatever size Stat reports.
  Result<std::string> ReadFile(const std::string& path, int64_t max_size) const;
};

// The real file system (POSIX).
class RealFileSystem : public FileSystem {
 public:
  Result<FileInfo> Stat(const std::string& path) const override;
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) const override;
  Result<std::vector<std::string>> ListDirectory(const std::string& path) const override;
  Result<std::string> ReadUpTo(const std::string& path, int64_t max_bytes) const override;
};

// An in-memory file system. A file may declare a size larger than its
// content: the rest reads as zero bytes (a "sparse" file), so a fake 24 GB
// checkpoint costs only its header.
class MemoryFileSystem : public FileSystem {
 public:
  void AddFile(const std::string& path, std::string content);
  void AddSparseFile(const std::string& path, std::string prefix, int64_t size);
  // A file whose bytes live elsewhere for the file system's whole life
  // (data embedded in the binary): served without a copy.
  void AddStaticFile(const std::string& path, std::string_view content);

  Result<FileInfo> Stat(const std::string& path) const override;
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) const override;
  Result<std::vector<std::string>> ListDirectory(const std::string& path) const override;
  Result<std::string> ReadUpTo(const std::string& path, int64_t max_bytes) const override;

 private:
  struct File {
    std::string prefix;
    int64_t size = 0;
    std::string_view view = {};  // set for AddStaticFile: the whole content
  };
  std::map<std::string, File> files_;
};

// How WriteFileAtomically treats what is already at the path.
struct AtomicWriteOptions {
  // Permission bits of a file that did not exist (the umask applies). A
  // replaced file keeps its own bits.
  unsigned new_file_mode = 0666;
  // When this file exists, a new file gets its permission bits instead (a
  // backup gets the mode of its original).
  std::string mode_from;
  // false: an existing file is never replaced, also one that appears while
  // writing (kUsage "PATH: file exists"; nothing is written).
  bool replace_existing = true;
  // Create missing parent folders (mode 0755 before the umask).
  bool create_folders = false;
  // A symbolic link at the path: false replaces the link itself; true
  // replaces its target (the link stays) when the target lies inside the
  // link's folder, and refuses any other (ResolveLinkWithinFolder).
  bool follow_link_within_folder = false;
  // fsync the file before the rename and the folder after it, so the new
  // content survives a power loss. false (a cache, where a lost write costs
  // only a re-fetch): still atomic for readers, without the two syncs, which
  // cost milliseconds per file on some disks.
  bool durable = true;
};

// Writes `bytes` to `path` so that a reader sees the old file or the new one,
// never a mix, even after a crash: a new, uniquely named temporary file in the
// destination's folder, written and fsync'd, then renamed over `path` (or
// hard-linked, when an existing file must not be replaced), then the folder
// fsync'd (the syncs only when options.durable). On an error the temporary file is removed and `path` is
// unchanged; the message names the file and the system's reason (kIo).
Status WriteFileAtomically(const std::string& path, std::string_view bytes,
                           const AtomicWriteOptions& options = {});

// The file a write through `path` changes: `path` itself, or, for a symbolic
// link, its resolved target when that lies inside the link's folder;
// kUnsupported "PATH is a symlink to TARGET, outside its folder" otherwise.
Result<std::string> ResolveLinkWithinFolder(const std::string& path);

// Every regular file under `dir` (recursively, on the real file system)
// whose name ends with `suffix`, sorted. A missing folder has none; kIo when
// the folder cannot be listed.
Result<std::vector<std::string>> FindFilesUnder(const std::string& dir, std::string_view suffix);

// "a" + "b" -> "a/b"; either side may be empty.
std::string JoinPath(const std::string& a, const std::string& b);
// The last component of a path ("x/y.json" -> "y.json").
std::string BaseName(const std::string& path);
// Everything before the last '/' ("x/y.json" -> "x", "y" -> "").
std::string DirName(const std::string& path);

}  // namespace pipefit

#endif  // PIPEFIT_BASE_FILE_SYSTEM_H_
