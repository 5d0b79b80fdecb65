#include "pipefit/sources/hub_cache.h"

#include <cctype>
#include <sstream>

#include "pipefit/sources/hf_cache.h"

namespace pipefit {
namespace {

constexpr const char* kTreeHeader = "pipefit-hub-tree/1";
constexpr int64_t kMaxCachedTreeBytes = 64 * 1024 * 1024;

// Cache files are re-fetchable, but a torn one must never be read back:
// base's atomic write (temporary file, rename; no fsync: a lost write is a re-fetch), folders created.
Status WriteCacheFile(const std::string& path, const std::string& content) {
  // Not durable: a write lost to a power cut only means a re-fetch.
  return WriteFileAtomically(path, content,
                             {.new_file_mode = 0644, .create_folders = true, .durable = false});
}

// A host (and port) as a folder name: "huggingface.co", "127.0.0.1_8080".
std::string EndpointFolder(const std::string& endpoint) {
  std::string origin = UrlOrigin(endpoint);
  std::string host = origin.substr(origin.find("://") + 3);
  std::string folder;
  for (char c : host)
    folder += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  // A mirror under a path prefix is a different store. (The origin drops
  // "user:password@", so the path is found after the authority instead.)
  const size_t authority = endpoint.find("://") + 3;
  const size_t path_start = endpoint.find_first_of("/?#", authority);
  std::string rest = path_start == std::string::npos ? "" : endpoint.substr(path_start);
  if (!rest.empty()) folder += "_" + PercentEncode(rest, false);
  return folder;
}

}  // namespace

HubCache::HubCache(const std::string& cache_dir, const std::string& endpoint, const std::string& repo) {
  if (!cache_dir.empty() && !UrlOrigin(endpoint).empty()) {
    root_ = JoinPath(cache_dir, "hub/" + EndpointFolder(endpoint) + "/" + repo);
  }
}

std::optional<std::string> HubCache::ReadRef(const std::string& revision) const {
  if (!enabled()) return std::nullopt;
  RealFileSystem fs;
  auto text = fs.ReadFile(JoinPath(root_, "refs/" + PercentEncode(revision, false)), 128);
  if (!text.ok()) return std::nullopt;
  std::string commit = text->substr(0, text->find_first_of("\r\n"));
  if (!IsCommitHash(commit)) return std::nullopt;
  return commit;
}

Status HubCache::WriteRef(const std::string& revision, const std::string& commit) const {
  if (!enabled()) return OkStatus();
  return WriteCacheFile(JoinPath(root_, "refs/" + PercentEncode(revision, false)), commit + "\n");
}

std::optional<std::vector<HubFile>> HubCache::ReadTree(const std::string& commit) const {
  if (!enabled() || !IsCommitHash(commit)) return std::nullopt;
  RealFileSystem fs;
  auto text = fs.ReadFile(JoinPath(root_, commit + "/tree.tsv"), kMaxCachedTreeBytes);
  if (!text.ok()) return std::nullopt;
  std::istringstream lines(*text);
  std::string line;
  if (!std::getline(lines, line) || line != kTreeHeader) return std::nullopt;
  std::vector<HubFile> files;
  while (std::getline(lines, line)) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab > 18) return std::nullopt;
    if (line.find_first_not_of("0123456789") < tab) return std::nullopt;
    HubFile file{line.substr(tab + 1), std::stoll(line.substr(0, tab))};
    if (!IsSafeRepoPath(file.path)) return std::nullopt;
    files.push_back(std::move(file));
  }
  return files;
}

Status HubCache::WriteTree(const std::string& commit, const std::vector<HubFile>& files) const {
  if (!enabled()) return OkStatus();
  std::string text = std::string(kTreeHeader) + "\n";
  for (const HubFile& file : files) {
    if (file.path.find_first_of("\t\n") != std::string::npos)
      continue;  // IsSafeRepoPath already refuses these
    text += std::to_string(file.size) + "\t" + file.path + "\n";
  }
  return WriteCacheFile(JoinPath(root_, commit + "/tree.tsv"), text);
}

int HubCache::LoadData(const std::string& commit, HubFileSystem& fs) const {
  if (!enabled()) return 0;
  RealFileSystem disk;
  int loaded = 0;
  for (const HubFile& file : fs.files()) {
    const std::string path = JoinPath(root_, commit + "/data/" + file.path);
    auto info = disk.Stat(path);
    if (!info.ok() || info->is_directory || info->size == 0 || info->size > file.size) continue;
    auto bytes = disk.ReadRange(path, 0, info->size);
    if (!bytes.ok()) continue;
    fs.AddPrefix(file.path, std::move(*bytes));
    ++loaded;
  }
  return loaded;
}

Status HubCache::SaveData(const std::string& commit, const HubFileSystem& fs) const {
  if (!enabled()) return OkStatus();
  RealFileSystem disk;
  for (const HubFile& file : fs.files()) {
    std::string prefix = fs.HeldPrefix(file.path);
    if (prefix.empty()) continue;
    const std::string path = JoinPath(root_, commit + "/data/" + file.path);
    auto info = disk.Stat(path);
    if (info.ok() && !info->is_directory && info->size >= static_cast<int64_t>(prefix.size())) continue;
    PIPEFIT_RETURN_IF_ERROR(WriteCacheFile(path, prefix));
  }
  return OkStatus();
}

}  // namespace pipefit
