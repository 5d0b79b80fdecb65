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
  virtual Result<std::string> ReadRange(const std::string& path, int64_t offset,
                                        int64_t length) const = 0;
  // Entry names (not paths) in a directory, sorted.
  virtual Result<std::vector<std::string>> ListDirectory(
      const std::string& path) const = 0;
  // Reads from the start until end of file, but never more than
  // `max_bytes`. Unlike ReadRange it does not need the length in advance,
  // so it works on /proc and /sys files whose Stat size is 0 or 4096.
  virtual Result<std::string> ReadUpTo(const std::string& path, int64_t max_bytes) const = 0;

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
  Result<std::string> ReadRange(const std::string& path, int64_t offset,
                                int64_t length) const override;
  Result<std::vector<std::string>> ListDirectory(
      const std::string& path) const override;
  Result<std::string> ReadUpTo(const std::string& path, int64_t max_bytes) const override;
};

// An in-memory file system. A file may declare a size larger than its
// content: the rest reads as zero bytes (a "sparse" file), so a fake 24 GB
// checkpoint costs only its header.
class MemoryFileSystem : public FileSystem {
 public:
  void AddFile(const std::string& path, std::string content);
  void AddSparseFile(const std::string& path, std::string prefix, int64_t size);

  Result<FileInfo> Stat(const std::string& path) const override;
  Result<std::string> ReadRange(const std::string& path, int64_t offset,
                                int64_t length) const override;
  Result<std::vector<std::string>> ListDirectory(
      const std::string& path) const override;
  Result<std::string> ReadUpTo(const std::string& path, int64_t max_bytes) const override;

 private:
  struct File {
    std::string prefix;
    int64_t size = 0;
  };
  std::map<std::string, File> files_;
};

// "a" + "b" -> "a/b"; either side may be empty.
std::string JoinPath(const std::string& a, const std::string& b);
// The last component of a path ("x/y.json" -> "y.json").
std::string BaseName(const std::string& path);
// Everything before the last '/' ("x/y.json" -> "x", "y" -> "").
std::string DirName(const std::string& path);

}  // namespace pipefit

#endif  // PIPEFIT_BASE_FILE_SYSTEM_H_
