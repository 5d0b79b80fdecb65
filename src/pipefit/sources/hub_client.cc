#include "pipefit/sources/hub_client.h"

#include <cstdlib>

#include "pipefit/base/text.h"

namespace pipefit {
namespace {

constexpr int64_t kMaxTokenFileBytes = 64 * 1024;

std::string TokenFilePath(const Environment& env) {
  if (auto path = env.GetNonEmpty("HF_TOKEN_PATH")) return *path;
  if (auto home = env.GetNonEmpty("HF_HOME")) return JoinPath(*home, "token");
  if (auto xdg = env.GetNonEmpty("XDG_CACHE_HOME")) return JoinPath(*xdg, "huggingface/token");
  if (auto home = env.GetNonEmpty("HOME")) return JoinPath(*home, ".cache/huggingface/token");
  return "";
}

}  // namespace

std::string PipefitCacheDir(const Environment& env) {
  if (auto dir = env.GetNonEmpty("PIPEFIT_CACHE")) return *dir;
  if (auto xdg = env.GetNonEmpty("XDG_CACHE_HOME")) return JoinPath(*xdg, "pipefit");
  if (auto home = env.GetNonEmpty("HOME")) return JoinPath(*home, ".cache/pipefit");
  return "";
}

Result<HubSettings> HubSettingsFromEnvironment(const Environment& env, const FileSystem& fs) {
  HubSettings settings;
  if (auto endpoint = env.GetNonEmpty("HF_ENDPOINT")) {
    std::string value = *endpoint;
    while (!value.empty() && value.back() == '/') value.pop_back();
    if (!value.starts_with("http://") && !value.starts_with("https://")) {
      return MakeErrorf(ErrorCode::kUsage, "HF_ENDPOINT must be an http:// or https:// URL, not '{}'", value);
    }
    settings.endpoint = value;
  }
  if (auto token = env.GetNonEmpty("HF_TOKEN")) {
    settings.token = std::string(TrimWhitespace(*token));
  } else if (std::string path = TokenFilePath(env); !path.empty() && fs.IsFile(path)) {
    auto text = fs.ReadFile(path, kMaxTokenFileBytes);
    if (text.ok()) settings.token = std::string(TrimWhitespace(*text));
  }
  if (settings.token.find_first_of("\r\n") != std::string::npos) {
    return MakeErrorf(ErrorCode::kUsage,
                      "the Hugging Face token contains a line break; check HF_TOKEN / the token file");
  }
  if (auto timeout = env.GetNonEmpty("HF_HUB_DOWNLOAD_TIMEOUT")) {
    char* end = nullptr;
    double seconds = std::strtod(timeout->c_str(), &end);
    if (end == timeout->c_str() || *end != '\0' || !(seconds >= 0.001) || seconds > 3600) {
      // Below 1 ms the limit would round to 0, which libcurl reads as "none".
      return MakeErrorf(ErrorCode::kUsage,
                        "HF_HUB_DOWNLOAD_TIMEOUT must be a number of seconds (0.001 to 3600), not '{}'",
                        *timeout);
    }
    settings.timeout = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  }
  settings.cache_dir = PipefitCacheDir(env);
  return settings;
}

HubRepoClient::HubRepoClient(HttpClient& http, HubSettings settings, std::string repo)
    : http_(http), settings_(std::move(settings)), repo_(std::move(repo)) {}

Status HubRepoClient::Reserve(int64_t bytes, const std::string& what) {
  // Bytes actually received count too (redirect texts, error pages).
  const int64_t before = spent_.fetch_add(bytes);
  if (before + bytes <= settings_.max_fetch_bytes &&
      http_.stats().body_bytes + bytes <= settings_.max_fetch_bytes) {
    return OkStatus();
  }
  spent_.fetch_sub(bytes);
  return MakeErrorf(
      ErrorCode::kLimit,
      "{}: reading this model would receive more than {} bytes of listings, configs and headers; stopped before fetching {} more",
      what, settings_.max_fetch_bytes, bytes);
}

Result<HttpResponse> HubRepoClient::GetJson(const std::string& url, const std::string& what) {
  // An API answer's size is unknown until it arrives: it may not start once
  // the budget is spent, and what it brings is charged after.
  if (spent_.load() >= settings_.max_fetch_bytes) {
    return MakeErrorf(
        ErrorCode::kLimit,
        "{}: this model has already received its limit of {} bytes of listings, configs and headers", what,
        settings_.max_fetch_bytes);
  }
  HttpRequest request;
  request.url = url;
  request.bearer_token = settings_.token;
  request.max_body_bytes = kMaxHubJsonBytes;
  auto response = http_.Send(request);
  if (!response.ok()) {
    if (response.error().code == ErrorCode::kLimit) {
      return MakeErrorf(ErrorCode::kLimit, "{}: the Hub's answer exceeds {} bytes ({})", what,
                        kMaxHubJsonBytes, response.error().message);
    }
    return response.error();
  }
  spent_.fetch_add(static_cast<int64_t>(response->body.size()));
  if (response->status != 200) {
    return HubResponseError(*response, what, repo_, settings_.endpoint, !settings_.token.empty());
  }
  return response;
}

Result<HubRevision> HubRepoClient::ResolveRevision(const std::string& revision, bool with_files) {
  const std::string rev = revision.empty() ? "main" : revision;
  const std::string what = repo_ + "@" + rev;
  PIPEFIT_ASSIGN_OR_RETURN(HttpResponse response,
                           GetJson(RevisionInfoUrl(settings_.endpoint, repo_, rev, with_files), what));
  return ParseRevisionInfo(response.body, what);
}

Result<std::vector<HubFile>> HubRepoClient::ListFiles(const std::string& commit) {
  std::vector<HubFile> files;
  std::string url = TreeUrl(settings_.endpoint, repo_, commit);
  const std::string origin = UrlOrigin(settings_.endpoint);
  for (int page = 1; !url.empty(); ++page) {
    if (page > kMaxTreePages) {
      return MakeErrorf(ErrorCode::kLimit, "{}: the file listing has more than {} pages", repo_,
                        kMaxTreePages);
    }
    const std::string what = repo_ + ": file listing page " + std::to_string(page);
    PIPEFIT_ASSIGN_OR_RETURN(HttpResponse response, GetJson(url, what));
    PIPEFIT_ASSIGN_OR_RETURN(std::vector<HubFile> entries, ParseTreePage(response.body, what));
    files.insert(files.end(), entries.begin(), entries.end());
    if (static_cast<int64_t>(files.size()) > kMaxTreeEntries) {
      return MakeErrorf(ErrorCode::kLimit, "{}: the repo has more than {} files", repo_, kMaxTreeEntries);
    }
    url.clear();
    if (auto link = response.Header("link")) {
      if (auto next = NextLinkUrl(*link)) {
        url = ResolveRedirect(response.url, *next);
        // A mirror that proxies the Hub may pass the Hub's own Link through:
        // the next page of the same API is asked of the endpoint, so no
        // other host is ever contacted (and the token stays on its origin).
        if (UrlOrigin(url) != origin) {
          const size_t path = url.find('/', url.find("://") + 3);
          if (path == std::string::npos || url.compare(path, 5, "/api/") != 0) {
            return MakeErrorf(ErrorCode::kNetwork, "{}: the next page is not an API URL ({})", what,
                              PrintableServerText(UrlForMessages(url)));
          }
          url = settings_.endpoint + url.substr(path);  // the mirror's own path prefix kept
        }
      }
    }
  }
  return files;
}

Result<std::string> HubRepoClient::FetchRange(const std::string& path, int64_t offset, int64_t length,
                                              int64_t size) {
  const std::string what = repo_ + "/" + path;
  PIPEFIT_RETURN_IF_ERROR(Reserve(length, what));
  HttpRequest request;
  request.url = ResolveUrl(settings_.endpoint, repo_, commit_, path);
  request.bearer_token = settings_.token;
  request.range = HttpByteRange{offset, length};
  request.max_body_bytes = length;
  auto response = http_.Send(request);
  if (!response.ok()) {
    if (response.error().code == ErrorCode::kLimit) {
      return MakeErrorf(
          ErrorCode::kNetwork,
          "{}: the server ignored the Range request and sent more than the {} bytes asked for; aborted instead of downloading the file ({} bytes)",
          what, length, size);
    }
    return response.error().WithContext(what);
  }
  if (response->status == 200 && offset == 0 && length == size &&
      static_cast<int64_t>(response->body.size()) == size) {
    return std::move(response->body);  // the whole file was asked for
  }
  if (response->status == 200) {
    return MakeErrorf(ErrorCode::kNetwork,
                      "{}: the server ignored the Range request (HTTP 200 instead of 206)", what);
  }
  if (response->status != 206) {
    return HubResponseError(*response, what, repo_, settings_.endpoint, !settings_.token.empty());
  }
  const std::string expected =
      "bytes " + std::to_string(offset) + "-" + std::to_string(offset + length - 1) + "/";
  const std::string content_range = response->Header("content-range").value_or("");
  if (!content_range.starts_with(expected) || static_cast<int64_t>(response->body.size()) != length) {
    return MakeErrorf(ErrorCode::kNetwork, "{}: asked for bytes {}-{}, got Content-Range '{}' and {} bytes",
                      what, offset, offset + length - 1, PrintableServerText(content_range),
                      response->body.size());
  }
  return std::move(response->body);
}

}  // namespace pipefit
