#include "pipefit/base/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pipefit {

bool FileSystem::IsDirectory(const std::string& path) const {
  auto info = Stat(path);
  return info.ok() && info->is_directory;
}

bool FileSystem::IsFile(const std::string& path) const {
  auto info = Stat(path);
  return info.ok() && !info->is_directory;
}

Result<std::string> FileSystem::ReadFile(const std::string& path,
                                         int64_t max_size) const {
  PIPEFIT_ASSIGN_OR_RETURN(FileInfo info, Stat(path));
  if (info.is_directory) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: is a directory, expected a file", path);
  }
  if (info.size > max_size) {
    return MakeErrorf(ErrorCode::kLimit, "{}: file is {} bytes, more than the limit of {}", path, info.size,
                      max_size);
  }
  // One byte past the limit tells a file that grew, or whose Stat size
  // lies (procfs, sysfs), from one that fits.
  PIPEFIT_ASSIGN_OR_RETURN(std::string content, ReadUpTo(path, max_size + 1));
  if (static_cast<int64_t>(content.size()) > max_size) {
    return MakeErrorf(ErrorCode::kLimit, "{}: file is more than the limit of {} bytes", path, max_size);
  }
  return content;
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

std::string BaseName(const std::string& path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  size_t slash = trimmed.rfind('/');
  return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// --- RealFileSystem ---------------------------------------------------------

namespace {

Error ErrnoError(const std::string& path, const char* what) {
  int err = errno;
  ErrorCode code = (err == ENOENT || err == ENOTDIR) ? ErrorCode::kNotFound : ErrorCode::kIo;
  const char* reason = err == ENOENT ? "no such file or directory" : std::strerror(err);
  return MakeErrorf(code, "{}: {}: {}", path, what, reason);
}

}  // namespace

Result<FileInfo> RealFileSystem::Stat(const std::string& path) const {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoError(path, "cannot stat");
  FileInfo info;
  info.is_directory = S_ISDIR(st.st_mode);
  info.size = info.is_directory ? 0 : static_cast<int64_t>(st.st_size);
  return info;
}

Result<std::string> RealFileSystem::ReadRange(const std::string& path, int64_t offset,
                                              int64_t length) const {
  if (offset < 0 || length < 0) {
    return MakeErrorf(ErrorCode::kUsage, "{}: negative read range", path);
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(path, "cannot open");
  std::string out;
  out.resize(static_cast<size_t>(length));
  int64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out.data() + done, static_cast<size_t>(length - done),
                        static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      Error error = ErrnoError(path, "read failed");
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    done += n;
  }
  ::close(fd);
  if (done < length) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: file ends after {} bytes, expected at least {}", path,
                      offset + done, offset + length);
  }
  return out;
}

Result<std::string> RealFileSystem::ReadUpTo(const std::string& path, int64_t max_bytes) const {
  if (max_bytes < 0) return MakeErrorf(ErrorCode::kUsage, "{}: negative read size", path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(path, "cannot open");
  std::string out;
  char buffer[64 * 1024];
  while (static_cast<int64_t>(out.size()) < max_bytes) {
    size_t want = static_cast<size_t>(std::min<int64_t>(sizeof(buffer), max_bytes - static_cast<int64_t>(out.size())));
    ssize_t n = ::read(fd, buffer, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error error = ErrnoError(path, "read failed");
      ::close(fd);
      return error;
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<std::vector<std::string>> RealFileSystem::ListDirectory(
    const std::string& path) const {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return ErrnoError(path, "cannot list directory");
  std::vector<std::string> names;
  while (struct dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

// --- MemoryFileSystem -------------------------------------------------------

void MemoryFileSystem::AddFile(const std::string& path, std::string content) {
  int64_t size = static_cast<int64_t>(content.size());
  files_[path] = File{std::move(content), size};
}

void MemoryFileSystem::AddSparseFile(const std::string& path, std::string prefix,
                                     int64_t size) {
  files_[path] = File{std::move(prefix), size};
}

Result<FileInfo> MemoryFileSystem::Stat(const std::string& path) const {
  if (auto it = files_.find(path); it != files_.end()) {
    return FileInfo{false, it->second.size};
  }
  const std::string prefix = path.empty() ? "" : path + "/";
  auto it = files_.lower_bound(prefix);
  if (it != files_.end() && it->first.starts_with(prefix)) {
    return FileInfo{true, 0};
  }
  return MakeErrorf(ErrorCode::kNotFound, "{}: no such file or directory", path);
}

Result<std::string> MemoryFileSystem::ReadRange(const std::string& path, int64_t offset,
                                                int64_t length) const {
  auto it = files_.find(path);
  if (it == files_.end()) {
    return MakeErrorf(ErrorCode::kNotFound, "{}: no such file or directory", path);
  }
  const File& file = it->second;
  if (offset < 0 || length < 0 || offset > file.size || length > file.size - offset) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: file ends after {} bytes, expected at least {}", path,
                      file.size, offset + length);
  }
  std::string out(static_cast<size_t>(length), '\0');
  int64_t prefix_size = static_cast<int64_t>(file.prefix.size());
  if (offset < prefix_size) {
    int64_t n = std::min(length, prefix_size - offset);
    std::memcpy(out.data(), file.prefix.data() + offset, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> MemoryFileSystem::ReadUpTo(const std::string& path, int64_t max_bytes) const {
  auto it = files_.find(path);
  if (it == files_.end()) {
    return MakeErrorf(ErrorCode::kNotFound, "{}: no such file or directory", path);
  }
  return ReadRange(path, 0, std::min(std::max<int64_t>(max_bytes, 0), it->second.size));
}

Result<std::vector<std::string>> MemoryFileSystem::ListDirectory(
    const std::string& path) const {
  const std::string prefix = path.empty() ? "" : path + "/";
  std::vector<std::string> names;
  for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    std::string rest = it->first.substr(prefix.size());
    std::string name = rest.substr(0, rest.find('/'));
    if (names.empty() || names.back() != name) names.push_back(name);
  }
  if (names.empty() && !IsDirectory(path)) {
    return MakeErrorf(ErrorCode::kNotFound, "{}: no such directory", path);
  }
  return names;
}

}  // namespace pipefit
