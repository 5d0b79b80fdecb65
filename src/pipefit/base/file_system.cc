#include "pipefit/base/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace pipefit {

bool FileSystem::IsDirectory(const std::string& path) const {
  auto info = Stat(path);
  return info.ok() && info->is_directory;
}

bool FileSystem::IsFile(const std::string& path) const {
  auto info = Stat(path);
  return info.ok() && !info->is_directory;
}

Result<std::string> FileSystem::ReadFile(const std::string& path, int64_t max_size) const {
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

Result<std::string> RealFileSystem::ReadRange(const std::string& path, int64_t offset, int64_t length) const {
  if (offset < 0 || length < 0) {
    return MakeErrorf(ErrorCode::kUsage, "{}: negative read range", path);
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(path, "cannot open");
  std::string out;
  out.resize(static_cast<size_t>(length));
  int64_t done = 0;
  while (done < length) {
    ssize_t n =
        ::pread(fd, out.data() + done, static_cast<size_t>(length - done), static_cast<off_t>(offset + done));
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
    size_t want =
        static_cast<size_t>(std::min<int64_t>(sizeof(buffer), max_bytes - static_cast<int64_t>(out.size())));
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

Result<std::vector<std::string>> RealFileSystem::ListDirectory(const std::string& path) const {
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

// --- Atomic writes ----------------------------------------------------------

namespace {

// Writes fail with kIo whatever errno says (a missing folder included): the
// caller asked to create the file.
Error WriteError(const std::string& path, const char* what) {
  return MakeErrorf(ErrorCode::kIo, "{}: {}: {}", path, what, std::strerror(errno));
}

Status MakeParentFolders(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    const std::string folder = path.substr(0, slash);
    if (::mkdir(folder.c_str(), 0755) != 0 && errno != EEXIST)
      return WriteError(folder, "cannot create folder");
  }
  return OkStatus();
}

Status WriteAll(int fd, const std::string& path, std::string_view bytes, bool durable) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return WriteError(path, "cannot write");
    written += static_cast<size_t>(n);
  }
  if (durable && ::fsync(fd) != 0) return WriteError(path, "cannot write");
  return OkStatus();
}

// A new temporary file next to `target`, with the permission bits `target`
// (or options.mode_from) has, else options.new_file_mode.
Result<int> CreateTemporary(const std::string& target, const AtomicWriteOptions& options, std::string& temp) {
  static std::atomic<int> counter{0};
  struct stat st {};
  const bool have_mode = ::stat(target.c_str(), &st) == 0 ||
                         (!options.mode_from.empty() && ::stat(options.mode_from.c_str(), &st) == 0);
  for (int attempt = 0;; ++attempt) {
    temp = fmt::format("{}.pipefit-tmp-{}-{}", target, ::getpid(), counter++);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, options.new_file_mode);
    if (fd < 0 && errno == EEXIST && attempt < 100) continue;  // a leftover of a crashed run
    if (fd < 0) return WriteError(temp, "cannot create");
    if (have_mode && ::fchmod(fd, st.st_mode & 07777) != 0) {
      Error error = WriteError(temp, "cannot set the mode of");
      ::close(fd);
      ::unlink(temp.c_str());
      return error;
    }
    return fd;
  }
}

// Moves `temp` to `target` without replacing an existing file: link(2)
// fails with EEXIST atomically. File systems without hard links fall back
// to a check, then rename.
Status LinkNoReplace(const std::string& temp, const std::string& target, const std::string& path) {
  if (::link(temp.c_str(), target.c_str()) == 0) {
    ::unlink(temp.c_str());
    return OkStatus();
  }
  if (errno == EEXIST) return MakeErrorf(ErrorCode::kUsage, "{}: file exists", path);
  struct stat st {};
  if (::lstat(target.c_str(), &st) == 0) return MakeErrorf(ErrorCode::kUsage, "{}: file exists", path);
  if (::rename(temp.c_str(), target.c_str()) != 0) return WriteError(path, "cannot write");
  return OkStatus();
}

// The rename is durable once the folder's entry is: best effort, as some
// file systems refuse fsync on a folder.
void SyncFolder(const std::string& file) {
  const std::string folder = DirName(file);
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Result<std::string> ResolveLinkWithinFolder(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  if (!fs::is_symlink(p, ec)) return path;
  const fs::path target = fs::weakly_canonical(p, ec);
  if (ec) return MakeErrorf(ErrorCode::kIo, "{}: cannot resolve the symlink: {}", path, ec.message());
  const fs::path folder = fs::weakly_canonical(p.parent_path().empty() ? fs::path(".") : p.parent_path(), ec);
  if (ec) return MakeErrorf(ErrorCode::kIo, "{}: cannot resolve its folder: {}", path, ec.message());
  const auto [mismatch, unused] = std::mismatch(folder.begin(), folder.end(), target.begin(), target.end());
  if (mismatch != folder.end()) {
    return MakeErrorf(ErrorCode::kUnsupported, "{} is a symlink to {}, outside its folder", path,
                      target.string());
  }
  return target.string();
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes,
                           const AtomicWriteOptions& options) {
  std::string target = path;
  if (options.follow_link_within_folder) {
    PIPEFIT_ASSIGN_OR_RETURN(target, ResolveLinkWithinFolder(path));
  }
  if (options.create_folders) PIPEFIT_RETURN_IF_ERROR(MakeParentFolders(target));
  std::string temp;
  PIPEFIT_ASSIGN_OR_RETURN(const int fd, CreateTemporary(target, options, temp));
  Status written = WriteAll(fd, temp, bytes, options.durable);
  if (::close(fd) != 0 && written.ok()) written = WriteError(temp, "cannot write");
  if (written.ok()) {
    if (!options.replace_existing) {
      written = LinkNoReplace(temp, target, path);
    } else if (::rename(temp.c_str(), target.c_str()) != 0) {
      written = WriteError(path, "cannot write");
    }
  }
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  if (options.durable) SyncFolder(target);
  return OkStatus();
}

// --- MemoryFileSystem -------------------------------------------------------

void MemoryFileSystem::AddFile(const std::string& path, std::string content) {
  int64_t size = static_cast<int64_t>(content.size());
  files_[path] = File{std::move(content), size};
}

void MemoryFileSystem::AddStaticFile(const std::string& path, std::string_view content) {
  files_[path] = File{std::string(), static_cast<int64_t>(content.size()), content};
}

void MemoryFileSystem::AddSparseFile(const std::string& path, std::string prefix, int64_t size) {
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
  if (!file.view.empty())
    return std::string(file.view.substr(static_cast<size_t>(offset), static_cast<size_t>(length)));
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

Result<std::vector<std::string>> MemoryFileSystem::ListDirectory(const std::string& path) const {
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

Result<std::vector<std::string>> FindFilesUnder(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> files;
  std::error_code error;
  if (!std::filesystem::exists(dir, error)) return files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    const std::string path = it->path().string();
    if (it->is_regular_file() && path.ends_with(suffix)) files.push_back(path);
  }
  if (error) return MakeErrorf(ErrorCode::kIo, "{}: cannot list: {}", dir, error.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace pipefit
