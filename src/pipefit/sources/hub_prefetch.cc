#include "pipefit/sources/hub_prefetch.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

#include "pipefit/base/parallel.h"
#include "pipefit/formats/safetensors.h"
#include "pipefit/sources/component_files.h"
#include "pipefit/sources/pipeline_folder.h"

namespace pipefit {
namespace {

struct Fetch {
  std::string path;  // repo path
  int64_t offset = 0;
  int64_t length = 0;
};

std::string Mounted(const HubFileSystem& fs, const std::string& repo_path) {
  return JoinPath(fs.mount(), repo_path);
}

// Runs one round; returns the first failure in task order.
Status RunRound(const HubFileSystem& fs, const std::vector<Fetch>& fetches, int max_parallel,
                const std::function<void()>& on_done) {
  std::vector<std::optional<Error>> errors(fetches.size());
  RunBounded(static_cast<int>(fetches.size()), max_parallel, [&](int i) {
    const Fetch& fetch = fetches[static_cast<size_t>(i)];
    Status status = fs.Prefetch(fetch.path, fetch.offset, fetch.length);
    if (!status.ok()) errors[static_cast<size_t>(i)] = status.error();
    on_done();
  });
  for (const auto& error : errors) {
    if (error) return *error;
  }
  return OkStatus();
}

bool IsSmallJson(const std::string& name, const std::string& variant) {
  if (name == "config.json" || name == "model_index.json") return true;
  for (const char* stem : {"diffusion_pytorch_model", "model"}) {
    const std::string plain = std::string(stem) + ".safetensors.index.json";
    if (name == plain) return true;
    if (!variant.empty() && name == std::string(stem) + ".safetensors.index." + variant + ".json")
      return true;
  }
  return false;
}

// The folders the loader may read: base itself and its direct sub-folders.
std::vector<std::string> CandidateFolders(const HubFileSystem& fs, const std::string& base) {
  std::vector<std::string> folders = {base};
  auto names = fs.ListDirectory(Mounted(fs, base));
  if (!names.ok()) return folders;
  for (const std::string& name : *names) {
    if (fs.IsDirectory(Mounted(fs, JoinPath(base, name)))) folders.push_back(JoinPath(base, name));
  }
  return folders;
}

std::vector<Fetch> SmallFiles(const HubFileSystem& fs, const std::vector<std::string>& folders,
                              const std::string& variant) {
  std::vector<Fetch> fetches;
  for (const std::string& folder : folders) {
    auto names = fs.ListDirectory(Mounted(fs, folder));
    if (!names.ok()) continue;
    for (const std::string& name : *names) {
      const std::string path = JoinPath(folder, name);
      auto info = fs.Stat(Mounted(fs, path));
      if (!IsSmallJson(name, variant) || !info.ok() || info->is_directory || info->size > kMaxIndexFileBytes)
        continue;
      fetches.push_back(Fetch{path, 0, info->size});
    }
  }
  return fetches;
}

// A first read sized without the index: a shard holds a share of its
// component's tensors, a large single file may hold a whole UNet's (SDXL's
// header is ~200 kB), anything smaller fits kHubFirstReadBytes.
int64_t SpeculativeFirstRead(int64_t file_size, bool shard) {
  const int64_t wanted = shard                                ? kSpeculativeShardHeaderBytes
                         : file_size >= kLargeWeightFileBytes ? kSpeculativeLargeHeaderBytes
                                                              : kHubFirstReadBytes;
  return std::min(wanted, file_size);
}

// Round 1's guesses: the weight files the loader will most likely read,
// from names alone, so their headers are asked for with the small files.
std::vector<Fetch> GuessedFirstReads(const HubFileSystem& fs, const std::vector<std::string>& folders,
                                     const std::string& base, const std::string& variant) {
  std::vector<Fetch> fetches;
  auto base_info = fs.Stat(Mounted(fs, base));
  if (base_info.ok() && !base_info->is_directory) {
    if (base.ends_with(".safetensors") || base.ends_with(".gguf")) {
      fetches.push_back(Fetch{base, 0, SpeculativeFirstRead(base_info->size, false)});
    }
    return fetches;
  }
  const std::string prefix = fs.mount().empty() ? "" : fs.mount() + "/";
  for (const std::string& folder : folders) {
    const std::vector<std::string> files = GuessComponentWeightFiles(fs, Mounted(fs, folder), variant);
    for (const std::string& file : files) {
      auto info = fs.Stat(file);
      if (!info.ok() || info->size <= 0) continue;
      const bool shard = file.find("-of-") != std::string::npos;
      fetches.push_back(Fetch{file.substr(prefix.size()), 0, SpeculativeFirstRead(info->size, shard)});
    }
  }
  return fetches;
}

// First reads for the weight files of every folder (or of `base`, a file),
// exact once the shard indexes are held; files round 1 already read from
// byte 0 are skipped.
std::vector<Fetch> FirstReads(const HubFileSystem& fs, const std::vector<std::string>& folders,
                              const std::string& base, const std::string& variant) {
  std::vector<Fetch> fetches;
  auto info = fs.Stat(Mounted(fs, base));
  if (info.ok() && !info->is_directory) {
    if ((base.ends_with(".safetensors") || base.ends_with(".gguf")) && fs.HeldPrefix(base).empty()) {
      fetches.push_back(Fetch{base, 0, kHubFirstReadBytes});
    }
    return fetches;
  }
  const std::string prefix = fs.mount().empty() ? "" : fs.mount() + "/";
  for (const std::string& folder : folders) {
    ComponentWeightPaths paths = FindComponentWeightPaths(fs, Mounted(fs, folder), variant);
    std::map<std::string, int64_t> estimate;  // shard file name -> header bytes
    for (const auto& [tensor, shard] : paths.index_contents.weight_map) {
      estimate[shard] += static_cast<int64_t>(tensor.size()) + kShardEntryBytes;
    }
    for (const std::string& file : paths.files) {
      if (!fs.HeldPrefix(file.substr(prefix.size())).empty()) continue;
      auto it = estimate.find(BaseName(file));
      int64_t length = it == estimate.end() ? kHubFirstReadBytes : 8 + it->second + kShardSlackBytes;
      fetches.push_back(Fetch{file.substr(prefix.size()), 0, length});
    }
  }
  return fetches;
}

// The rest of each safetensors header that the first read did not cover.
std::vector<Fetch> HeaderRests(const HubFileSystem& fs, const std::vector<Fetch>& first_reads) {
  std::vector<Fetch> fetches;
  for (const Fetch& first : first_reads) {
    if (!first.path.ends_with(".safetensors")) continue;
    const std::string held = fs.HeldPrefix(first.path);
    // A header is JSON: when its first byte is there and is not '{', the
    // loader will refuse the file, so its claimed length is not fetched.
    if (held.size() < 8 || (held.size() > 8 && held[8] != '{')) continue;
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i)
      length = (length << 8) | static_cast<unsigned char>(held[static_cast<size_t>(i)]);
    if (length > static_cast<uint64_t>(kMaxSafetensorsHeaderBytes)) continue;  // the loader reports it
    const int64_t end = 8 + static_cast<int64_t>(length);
    if (end > static_cast<int64_t>(held.size())) {
      fetches.push_back(
          Fetch{first.path, static_cast<int64_t>(held.size()), end - static_cast<int64_t>(held.size())});
    }
  }
  return fetches;
}

}  // namespace

Status PrefetchHeaders(const HubFileSystem& fs, const std::string& base, const std::string& variant,
                       int max_parallel, const std::function<void(int, int)>& done) {
  std::mutex mutex;
  int finished = 0, total = 0;
  auto on_done = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    ++finished;
    if (done) done(finished, total);
  };
  const std::vector<std::string> folders = CandidateFolders(fs, base);
  // Round 1: the small files and the guessed headers, all at once.
  // Headers first: each is two dependent requests (resolve 302, CDN).
  const std::vector<Fetch> guessed = GuessedFirstReads(fs, folders, base, variant);
  std::vector<Fetch> round1 = guessed;
  const std::vector<Fetch> small = SmallFiles(fs, folders, variant);
  round1.insert(round1.end(), small.begin(), small.end());
  total = static_cast<int>(round1.size());
  PIPEFIT_RETURN_IF_ERROR(RunRound(fs, round1, max_parallel, on_done));
  // Round 2, usually empty: files the guess missed (sized from the indexes
  // now held) and the rest of headers longer than their first read.
  std::vector<Fetch> round2 = FirstReads(fs, folders, base, variant);
  const std::vector<Fetch> missed = round2;
  const std::vector<Fetch> rests = HeaderRests(fs, guessed);
  round2.insert(round2.end(), rests.begin(), rests.end());
  total += static_cast<int>(round2.size());
  PIPEFIT_RETURN_IF_ERROR(RunRound(fs, round2, max_parallel, on_done));
  // Round 3, rarer still: the rest of a header round 2 first read.
  std::vector<Fetch> round3 = HeaderRests(fs, missed);
  total += static_cast<int>(round3.size());
  return RunRound(fs, round3, max_parallel, on_done);
}

}  // namespace pipefit
