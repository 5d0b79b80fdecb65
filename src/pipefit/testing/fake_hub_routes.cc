// What each fake Hub route answers (see fake_hub.h for the list). Status
// codes, X-Error-Code values and JSON shapes follow the real Hub's answers
// as huggingface_hub's file_download.py and hf_api.py read them.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "pipefit/net/http.h"
#include "pipefit/testing/fake_hub.h"

namespace pipefit::testkit::fake_hub_internal {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// The Hub reports the size of each git-lfs pointer file: 125 bytes plus the
// digits of the size (version line, sha256 oid line, size line), 134 for a
// 9-digit size. Clients ignore it, so one constant serves every file.
constexpr int64_t kLfsPointerSize = 134;

// Checkpoint extensions the Hub's default .gitattributes stores in LFS
// (configs and text stay in git).
bool IsLfsPath(std::string_view path) {
  for (std::string_view ext : {".safetensors", ".gguf", ".bin", ".pt", ".ckpt"}) {
    if (path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext) return true;
  }
  return false;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string Join(const std::vector<std::string_view>& parts, size_t from, bool decode) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) {
    if (i > from) out += '/';
    out += decode ? PercentDecode(parts[i]) : std::string(parts[i]);
  }
  return out;
}

// Keeps every request inside root: no empty, "." or ".." pieces.
bool IsSafeRelative(const std::string& path) {
  for (std::string_view piece : Split(path, '/')) {
    if (piece.empty() || piece == "." || piece == ".." || piece.find('\0') != piece.npos) return false;
  }
  return true;
}

// Deterministic stand-in for git and sha256 oids: FNV-1a 64, one round per
// 16 hex digits, each round salted with its index.
std::string HexDigest(std::string_view text, size_t digits) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint64_t round = 0; out.size() < digits; ++round) {
    uint64_t hash = 14695981039346656037ull ^ round;
    for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    for (int shift = 60; shift >= 0 && out.size() < digits; shift -= 4) out += kHex[(hash >> shift) & 15];
  }
  return out;
}

std::string GitOid(const std::string& path, int64_t size) {
  return HexDigest("git:" + path + ":" + std::to_string(size), 40);
}
std::string LfsOid(const std::string& path, int64_t size) {
  return HexDigest("lfs:" + path + ":" + std::to_string(size), 64);
}

Reply JsonReply(int status, const Json& document) {
  Reply reply;
  reply.status = status;
  reply.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  // Replace, not throw, on file names that are not UTF-8: pipefit never throws.
  reply.body = document.dump(-1, ' ', false, Json::error_handler_t::replace);
  return reply;
}

Reply ErrorReply(int status, const std::string& code, const std::string& message) {
  Reply reply = JsonReply(status, Json{{"error", message}});
  if (!code.empty()) reply.headers.emplace_back("X-Error-Code", code);
  reply.headers.emplace_back("X-Error-Message", message);
  return reply;
}

Reply NotFound() { return ErrorReply(404, "", "Not Found"); }

struct Repo {
  std::string org, name;  // decoded
  std::string raw_org, raw_name;
  std::string id() const { return org + "/" + name; }
};

// The real Hub answers 401 to anonymous requests for unknown repos (it will
// not say whether a private repo exists) and 404 to authenticated ones.
std::optional<Reply> CheckRepo(const Repo& repo, const FakeHubRequest& request,
                               const FakeHubOptions& options) {
  std::error_code error;
  if (IsSafeRelative(repo.org) && IsSafeRelative(repo.name) && repo.org.find('/') == std::string::npos &&
      repo.name.find('/') == std::string::npos &&
      fs::is_directory(fs::path(options.root) / repo.org / repo.name, error)) {
    return std::nullopt;
  }
  return ErrorReply(request.authorization.empty() ? 401 : 404, "RepoNotFound", "Repository not found");
}

std::optional<Reply> CheckRevision(const std::string& rev, const FakeHubOptions& options) {
  if (rev == "main" || rev == options.commit ||
      std::find(options.extra_revisions.begin(), options.extra_revisions.end(), rev) !=
          options.extra_revisions.end()) {
    return std::nullopt;
  }
  return ErrorReply(404, "RevisionNotFound", "Invalid rev id: " + rev);
}

std::optional<Reply> CheckGate(const Repo& repo, const FakeHubRequest& request,
                               const FakeHubOptions& options) {
  auto gate = options.gated.find(repo.id());
  if (gate == options.gated.end()) return std::nullopt;
  if (request.authorization == "Bearer " + gate->second) return std::nullopt;
  return ErrorReply(request.authorization.empty() ? 401 : 403, "GatedRepo",
                    "Access to model " + repo.id() +
                        " is restricted. You must have access to it and be authenticated to access it. "
                        "Please log in.");
}

struct Entry {
  std::string path;  // relative to the repo folder, '/'-separated
  bool directory = false;
  int64_t size = 0;
};

std::vector<Entry> ListEntries(const fs::path& repo_dir, const fs::path& start, bool recursive);

// GET /api/models/{repo}/revision/{rev}[?blobs=true]: the Hub's model info,
// with "siblings" (files only, in path order) as huggingface_hub's
// model_info(files_metadata=True) reads them.
Reply RevisionInfo(const Repo& repo, std::string_view query, const FakeHubOptions& options) {
  Json info{{"id", repo.id()}, {"sha", options.commit}, {"private", false}};
  if (options.gated.count(repo.id())) {
    info["gated"] = "manual";
  } else {
    info["gated"] = false;
  }
  bool blobs = false;
  for (std::string_view parameter : Split(query, '&')) {
    if (parameter == "blobs=true" || parameter == "blobs=1" || parameter == "blobs=True") blobs = true;
  }
  const fs::path repo_dir = fs::path(options.root) / repo.org / repo.name;
  Json siblings = Json::array();
  for (const Entry& entry : ListEntries(repo_dir, repo_dir, true)) {
    if (entry.directory) continue;
    Json sibling{{"rfilename", entry.path}};
    if (blobs && options.sibling_sizes) {
      sibling["blobId"] = GitOid(entry.path, entry.size);
      sibling["size"] = entry.size;
      if (IsLfsPath(entry.path)) {
        sibling["lfs"] = Json{{"sha256", LfsOid(entry.path, entry.size)},
                              {"size", entry.size},
                              {"pointerSize", kLfsPointerSize}};
      }
    }
    siblings.push_back(std::move(sibling));
  }
  info["siblings"] = std::move(siblings);
  return JsonReply(200, info);
}

std::vector<Entry> ListEntries(const fs::path& repo_dir, const fs::path& start, bool recursive) {
  std::vector<Entry> entries;
  std::error_code error;
  auto add = [&](const fs::directory_entry& item) {
    Entry entry;
    entry.path = item.path().lexically_relative(repo_dir).generic_string();
    entry.directory = item.is_directory(error);
    if (!entry.directory) entry.size = static_cast<int64_t>(item.file_size(error));
    if (error) entry.size = 0;
    entries.push_back(std::move(entry));
  };
  if (recursive) {
    for (fs::recursive_directory_iterator it(start, error), end; !error && it != end; it.increment(error)) {
      add(*it);
    }
  } else {
    for (fs::directory_iterator it(start, error), end; !error && it != end; it.increment(error)) add(*it);
  }
  // Byte order, as std::string compares (memcmp semantics).
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.path < b.path; });
  return entries;
}

Json TreeItem(const Entry& entry) {
  Json item;
  item["type"] = entry.directory ? "directory" : "file";
  item["oid"] = GitOid(entry.path, entry.size);
  item["size"] = entry.size;
  if (!entry.directory && IsLfsPath(entry.path)) {
    item["lfs"] =
        Json{{"oid", LfsOid(entry.path, entry.size)}, {"size", entry.size}, {"pointerSize", kLfsPointerSize}};
  }
  item["path"] = entry.path;
  return item;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0)
    return std::nullopt;
  return value;
}

// One page of the listing; a Link header names the next page, as the Hub
// paginates (huggingface_hub's paginate() follows rel="next").
Reply Tree(const Repo& repo, const std::vector<std::string_view>& segments, std::string_view query,
           const FakeHubOptions& options, const std::string& hub_endpoint) {
  bool recursive = false;
  int64_t cursor = 0;
  for (std::string_view parameter : Split(query, '&')) {
    size_t equals = parameter.find('=');
    std::string_view key = parameter.substr(0, equals);
    std::string value = equals == parameter.npos ? "" : PercentDecode(parameter.substr(equals + 1));
    if (key == "recursive") recursive = value == "true" || value == "1" || value == "True";
    if (key == "cursor") {
      std::optional<int64_t> parsed = ParseInt(value);
      if (!parsed) return ErrorReply(400, "", "Invalid cursor: " + value);
      cursor = *parsed;
    }
  }
  const std::string sub = Join(segments, 6, true);
  if (!sub.empty() && !IsSafeRelative(sub)) return ErrorReply(404, "EntryNotFound", "Entry not found");
  const fs::path repo_dir = fs::path(options.root) / repo.org / repo.name;
  std::error_code error;
  if (!fs::is_directory(repo_dir / sub, error)) return ErrorReply(404, "EntryNotFound", "Entry not found");

  const std::vector<Entry> entries = ListEntries(repo_dir, repo_dir / sub, recursive);
  const int64_t page_size = std::max(1, options.page_size);
  const int64_t total = static_cast<int64_t>(entries.size());
  Json page = Json::array();
  for (int64_t i = cursor; i < total && i < cursor + page_size; ++i) page.push_back(TreeItem(entries[i]));
  Reply reply = JsonReply(200, page);
  if (cursor + page_size < total) {
    std::string raw_sub = Join(segments, 6, false);
    reply.headers.emplace_back(
        "Link", "<" + hub_endpoint + "/api/models/" + repo.raw_org + "/" + repo.raw_name + "/tree/" +
                    std::string(segments[5]) + (raw_sub.empty() ? "" : "/" + raw_sub) +
                    (recursive ? "?recursive=true&" : "?") + "cursor=" + std::to_string(cursor + page_size) +
                    ">; rel=\"next\"");
  }
  return reply;
}

// A single "bytes=A-B", "bytes=A-" or "bytes=-N"; anything else (absent,
// several ranges, B < A) is ignored and the whole file served (RFC 9110 14.2).
struct ByteRange {
  std::optional<int64_t> first;  // absent: the last `*last` bytes
  std::optional<int64_t> last;   // absent: to the end
};

std::optional<ByteRange> ParseRange(std::string_view value) {
  constexpr std::string_view kUnit = "bytes=";
  if (value.substr(0, kUnit.size()) != kUnit) return std::nullopt;
  value.remove_prefix(kUnit.size());
  size_t dash = value.find('-');
  if (dash == value.npos || value.find(',') != value.npos) return std::nullopt;
  std::string_view a = value.substr(0, dash), b = value.substr(dash + 1);
  ByteRange range;
  if (!a.empty() && !(range.first = ParseInt(a))) return std::nullopt;
  if (!b.empty() && !(range.last = ParseInt(b))) return std::nullopt;
  if (!range.first && !range.last) return std::nullopt;
  if (range.first && range.last && *range.last < *range.first) return std::nullopt;
  return range;
}

// Serves `path` (an existing regular file) with Range support; `reply`
// carries the route's own headers already.
Reply ServeFile(Reply reply, const fs::path& path, const std::string& range_header,
                const FakeHubOptions& options) {
  std::error_code error;
  const int64_t size = static_cast<int64_t>(fs::file_size(path, error));
  if (error) return ErrorReply(500, "", "cannot stat file");
  reply.headers.emplace_back("Accept-Ranges", "bytes");
  reply.headers.emplace_back("Content-Type", "application/octet-stream");
  std::optional<ByteRange> range = options.ignore_range ? std::nullopt : ParseRange(range_header);
  int64_t first = 0, last = size - 1;
  if (range) {
    if (!range->first) {
      first = std::max<int64_t>(0, size - *range->last);
      if (*range->last == 0) first = size;  // "bytes=-0" selects nothing
    } else {
      first = *range->first;
      if (range->last) last = std::min(*range->last, size - 1);
    }
    if (first >= size) {
      reply.status = 416;
      reply.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
      return reply;
    }
    reply.status = 206;
    reply.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                    std::to_string(last) + "/" + std::to_string(size));
  } else {
    reply.status = 200;
  }
  reply.file_path = path.string();
  reply.file_offset = first;
  reply.file_length = last - first + 1;
  return reply;
}

std::optional<fs::path> RegularFile(const FakeHubOptions& options, const Repo& repo,
                                    const std::string& path) {
  if (path.empty() || !IsSafeRelative(path)) return std::nullopt;
  fs::path full = fs::path(options.root) / repo.org / repo.name / path;
  std::error_code error;
  if (!fs::is_regular_file(full, error)) return std::nullopt;
  return full;
}

Reply Resolve(const Repo& repo, const std::vector<std::string_view>& segments, const FakeHubRequest& request,
              const FakeHubOptions& options, const std::string& cdn_endpoint) {
  if (std::optional<Reply> denied = CheckRepo(repo, request, options)) return *denied;
  if (std::optional<Reply> denied = CheckGate(repo, request, options)) return *denied;
  if (std::optional<Reply> missing = CheckRevision(PercentDecode(segments[3]), options)) return *missing;
  const std::string path = Join(segments, 4, true);
  std::optional<fs::path> file = RegularFile(options, repo, path);
  if (!file) return ErrorReply(404, "EntryNotFound", "Entry not found");

  std::error_code error;
  const int64_t size = static_cast<int64_t>(fs::file_size(*file, error));
  const bool lfs = IsLfsPath(path);
  const std::string etag = "\"" + (lfs ? LfsOid(path, size) : GitOid(path, size)) + "\"";
  Reply reply;
  reply.headers.emplace_back("X-Repo-Commit", options.commit);
  reply.headers.emplace_back("ETag", etag);
  if (lfs && options.redirect_lfs) {
    // huggingface_hub reads X-Linked-Size / X-Linked-Etag from the redirect
    // itself, before following it.
    reply.status = 302;
    reply.headers.emplace_back("X-Linked-Size", std::to_string(size));
    reply.headers.emplace_back("X-Linked-Etag", etag);
    const std::string location = cdn_endpoint + "/cdn/" + repo.raw_org + "/" + repo.raw_name + "/" +
                                 Join(segments, 4, false) + "?sig=abc";
    reply.headers.emplace_back("Location", location);
    // The Hub's redirects carry a short text body too; clients must not
    // count it against the bytes a Range asked for.
    reply.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    reply.body = "Found. Redirecting to " + location;
    return reply;
  }
  return ServeFile(std::move(reply), *file, request.range, options);
}

Reply Cdn(const Repo& repo, const std::vector<std::string_view>& segments, const FakeHubRequest& request,
          const FakeHubOptions& options) {
  if (!IsSafeRelative(repo.org) || !IsSafeRelative(repo.name)) return NotFound();
  const std::string path = Join(segments, 3, true);
  std::optional<fs::path> file = RegularFile(options, repo, path);
  if (!file) return NotFound();
  // Real CDNs answer with the object's ETag (the LFS sha256), which
  // @huggingface/hub requires on every ranged read.
  Reply reply;
  std::error_code error;
  const int64_t size = static_cast<int64_t>(fs::file_size(*file, error));
  if (error) return NotFound();
  reply.headers.emplace_back("ETag", "\"" + LfsOid(path, size) + "\"");
  return ServeFile(std::move(reply), *file, request.range, options);
}

Repo RepoAt(const std::vector<std::string_view>& segments, size_t index) {
  Repo repo;
  repo.raw_org = segments[index];
  repo.raw_name = segments[index + 1];
  repo.org = PercentDecode(repo.raw_org);
  repo.name = PercentDecode(repo.raw_name);
  return repo;
}

}  // namespace

Reply RouteRequest(const FakeHubRequest& request, const FakeHubOptions& options,
                   const std::string& hub_endpoint, const std::string& cdn_endpoint) {
  const bool read = request.method == "GET" || request.method == "HEAD";
  std::string_view target = request.target;
  if (!read || target.empty() || target[0] != '/') return NotFound();
  const size_t question = target.find('?');
  const std::string_view query = question == target.npos ? "" : target.substr(question + 1);
  const std::vector<std::string_view> segments = Split(target.substr(1, question - 1), '/');
  const size_t count = segments.size();

  if (request.host == "cdn") {
    if (count >= 4 && segments[0] == "cdn") return Cdn(RepoAt(segments, 1), segments, request, options);
    return NotFound();
  }
  if (count >= 6 && segments[0] == "api" && segments[1] == "models") {
    const Repo repo = RepoAt(segments, 2);
    if (segments[4] == "revision") {
      if (std::optional<Reply> denied = CheckRepo(repo, request, options)) return *denied;
      // An unencoded "refs/pr/1" arrives as several segments.
      if (std::optional<Reply> missing = CheckRevision(Join(segments, 5, true), options)) return *missing;
      return RevisionInfo(repo, query, options);
    }
    if (segments[4] == "tree") {
      if (std::optional<Reply> denied = CheckRepo(repo, request, options)) return *denied;
      if (std::optional<Reply> missing = CheckRevision(PercentDecode(segments[5]), options)) return *missing;
      return Tree(repo, segments, query, options, hub_endpoint);
    }
    return NotFound();
  }
  if (count >= 5 && segments[2] == "resolve") {
    return Resolve(RepoAt(segments, 0), segments, request, options, cdn_endpoint);
  }
  return NotFound();
}

// Reason phrases (RFC 9110 section 15) of the statuses the fake answers.
const char* StatusReason(int status) {
  static constexpr std::pair<int, const char*> kReasons[] = {
      {200, "OK"},
      {206, "Partial Content"},
      {302, "Found"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {416, "Range Not Satisfiable"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  for (const auto& [code, reason] : kReasons) {
    if (code == status) return reason;
  }
  return "Unknown";
}

}  // namespace pipefit::testkit::fake_hub_internal
