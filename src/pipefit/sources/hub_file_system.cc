#include "pipefit/sources/hub_file_system.h"

#include <algorithm>
#include <set>

#include "pipefit/base/text.h"

namespace pipefit {
namespace {}  // namespace

HubFileSystem::HubFileSystem(std::string mount, const std::vector<HubFile>& files, HubFetcher* fetcher)
    : mount_(std::move(mount)), fetcher_(fetcher) {
  std::map<std::string, std::set<std::string>> children;
  children[""];
  for (const HubFile& file : files) {
    entries_[file.path].size = file.size;
    std::string path = file.path;
    while (true) {
      std::string parent = DirName(path);
      children[parent].insert(BaseName(path));
      if (parent.empty()) break;
      path = parent;
    }
  }
  for (auto& [dir, names] : children) children_[dir] = std::vector<std::string>(names.begin(), names.end());
}

std::optional<std::string> HubFileSystem::RepoPath(const std::string& path) const {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (mount_.empty()) return p == "." ? "" : p;
  if (p == mount_) return "";
  if (p.size() > mount_.size() && p.compare(0, mount_.size(), mount_) == 0 && p[mount_.size()] == '/') {
    return p.substr(mount_.size() + 1);
  }
  return std::nullopt;
}

std::vector<HubFile> HubFileSystem::files() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<HubFile> files;
  for (const auto& [path, entry] : entries_) files.push_back(HubFile{path, entry.size});
  return files;
}

Result<FileInfo> HubFileSystem::Stat(const std::string& path) const {
  auto repo_path = RepoPath(path);
  if (repo_path) {
    if (children_.count(*repo_path)) return FileInfo{true, 0};
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(*repo_path);
    if (it != entries_.end()) return FileInfo{false, it->second.size};
  }
  return MakeErrorf(ErrorCode::kNotFound, "{}: no such file in the repo", path);
}

Result<std::vector<std::string>> HubFileSystem::ListDirectory(const std::string& path) const {
  auto repo_path = RepoPath(path);
  auto it = repo_path ? children_.find(*repo_path) : children_.end();
  if (it == children_.end()) return MakeErrorf(ErrorCode::kNotFound, "{}: no such folder in the repo", path);
  return it->second;
}

Result<std::string> HubFileSystem::ReadRange(const std::string& path, int64_t offset, int64_t length) const {
  auto repo_path = RepoPath(path);
  if (!repo_path) return MakeErrorf(ErrorCode::kNotFound, "{}: no such file in the repo", path);
  return Read(*repo_path, offset, length, /*read_ahead=*/true);
}

Result<std::string> HubFileSystem::ReadUpTo(const std::string& path, int64_t max_bytes) const {
  PIPEFIT_ASSIGN_OR_RETURN(FileInfo info, Stat(path));
  if (info.is_directory) return MakeErrorf(ErrorCode::kIo, "{}: is a folder", path);
  // Whole small files (configs, indexes) are read exactly, without read-ahead.
  return Read(*RepoPath(path), 0, std::min(info.size, max_bytes), /*read_ahead=*/false);
}

Status HubFileSystem::Prefetch(const std::string& repo_path, int64_t offset, int64_t length) const {
  int64_t size = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(repo_path);
    if (it == entries_.end())
      return MakeErrorf(ErrorCode::kNotFound, "{}/{}: not in the repo", mount_, repo_path);
    size = it->second.size;
  }
  offset = std::clamp<int64_t>(offset, 0, size);
  length = std::clamp<int64_t>(length, 0, size - offset);
  if (length == 0) return OkStatus();
  PIPEFIT_RETURN_IF_ERROR(Read(repo_path, offset, length, /*read_ahead=*/false));
  return OkStatus();
}

std::optional<std::string> HubFileSystem::Covered(const Entry& entry, int64_t offset, int64_t length) {
  auto it = entry.blocks.upper_bound(offset);
  if (it == entry.blocks.begin()) return std::nullopt;
  --it;
  const int64_t block_end = it->first + static_cast<int64_t>(it->second.size());
  if (offset + length > block_end) return std::nullopt;
  return it->second.substr(static_cast<size_t>(offset - it->first), static_cast<size_t>(length));
}

void HubFileSystem::Insert(Entry& entry, int64_t offset, std::string bytes) {
  int64_t start = offset;
  int64_t end = offset + static_cast<int64_t>(bytes.size());
  std::string merged = std::move(bytes);
  // Absorb every block that overlaps or touches [start, end).
  auto it = entry.blocks.upper_bound(start);
  if (it != entry.blocks.begin()) --it;
  while (it != entry.blocks.end() && it->first <= end) {
    const int64_t block_start = it->first;
    const int64_t block_end = block_start + static_cast<int64_t>(it->second.size());
    if (block_end < start) {
      ++it;
      continue;
    }
    if (block_start < start) {
      merged = it->second.substr(0, static_cast<size_t>(start - block_start)) + merged;
      start = block_start;
    }
    if (block_end > end) {
      merged += it->second.substr(static_cast<size_t>(end - block_start));
      end = block_end;
    }
    it = entry.blocks.erase(it);
  }
  entry.blocks.emplace(start, std::move(merged));
}

Result<std::string> HubFileSystem::Read(const std::string& repo_path, int64_t offset, int64_t length,
                                        bool read_ahead) const {
  const std::string label = mount_.empty() ? repo_path : mount_ + "/" + repo_path;
  int64_t size = 0, fetch_start = 0, fetch_end = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(repo_path);
    if (it == entries_.end()) return MakeErrorf(ErrorCode::kNotFound, "{}: no such file in the repo", label);
    Entry& entry = it->second;
    size = entry.size;
    if (offset < 0 || length < 0 || offset > size || length > size - offset) {
      return MakeErrorf(ErrorCode::kMalformed, "{}: wanted {} bytes at offset {} but the file has {} bytes",
                        label, length, offset, size);
    }
    if (length == 0) return std::string();
    if (auto held = Covered(entry, offset, length)) return *held;
    // Fetch from the first byte not held.
    fetch_start = offset;
    auto block = entry.blocks.upper_bound(offset);
    if (block != entry.blocks.begin()) {
      --block;
      fetch_start = std::max(offset, block->first + static_cast<int64_t>(block->second.size()));
    }
    int64_t wanted_end = offset + length;
    if (read_ahead) {
      int64_t ahead = 0;
      if (fetch_start == 0) {
        ahead = kHubFirstReadBytes;
      } else if (repo_path.ends_with(".gguf")) {
        ahead = entry.gguf_readahead = std::min<int64_t>(entry.gguf_readahead * 2, 64 * 1024 * 1024);
      }
      wanted_end = std::max(wanted_end, fetch_start + ahead);
    }
    fetch_end = std::min(size, wanted_end);
  }
  if (fetcher_ == nullptr) {
    return MakeErrorf(
        ErrorCode::kNotFound,
        "{}: bytes {}-{} are not in pipefit's cache and the network is off (--offline or HF_HUB_OFFLINE=1)",
        label, fetch_start, fetch_end - 1);
  }
  PIPEFIT_ASSIGN_OR_RETURN(std::string bytes,
                           fetcher_->FetchRange(repo_path, fetch_start, fetch_end - fetch_start, size));
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& entry = entries_[repo_path];
  Insert(entry, fetch_start, std::move(bytes));
  auto held = Covered(entry, offset, length);
  if (!held) return MakeErrorf(ErrorCode::kNetwork, "{}: the fetched bytes do not cover the read", label);
  return *held;
}

std::string HubFileSystem::HeldPrefix(const std::string& repo_path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(repo_path);
  if (it == entries_.end() || it->second.blocks.empty() || it->second.blocks.begin()->first != 0) return "";
  return it->second.blocks.begin()->second;
}

void HubFileSystem::AddPrefix(const std::string& repo_path, std::string bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(repo_path);
  if (it == entries_.end() || bytes.empty() || static_cast<int64_t>(bytes.size()) > it->second.size) return;
  Insert(it->second, 0, std::move(bytes));
}

}  // namespace pipefit
