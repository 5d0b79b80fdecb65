#include "pipefit/net/curl_transport.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fmt/ranges.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

namespace pipefit {
namespace {

// The libcurl functions pipefit calls, resolved from the library loaded at
// run time. Their types come from <curl/curl.h>, so the calls below are
// checked against the header pipefit was built with.
struct CurlApi {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_reset) easy_reset = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
  decltype(&curl_share_init) share_init = nullptr;
  decltype(&curl_share_setopt) share_setopt = nullptr;
  decltype(&curl_share_cleanup) share_cleanup = nullptr;
};

template <typename Fn>
void LookUp(void* handle, const char* name, Fn& slot, std::vector<std::string>& missing) {
  slot = reinterpret_cast<Fn>(dlsym(handle, name));
  if (slot == nullptr) missing.emplace_back(name);
}

// Every function is required: all of them are called on every exchange.
Result<CurlApi> ResolveCurlApi(void* handle, const std::string& library) {
  CurlApi api;
  std::vector<std::string> missing;
  LookUp(handle, "curl_global_init", api.global_init, missing);
  LookUp(handle, "curl_easy_init", api.easy_init, missing);
  LookUp(handle, "curl_easy_cleanup", api.easy_cleanup, missing);
  LookUp(handle, "curl_easy_reset", api.easy_reset, missing);
  LookUp(handle, "curl_easy_setopt", api.easy_setopt, missing);
  LookUp(handle, "curl_easy_perform", api.easy_perform, missing);
  LookUp(handle, "curl_easy_getinfo", api.easy_getinfo, missing);
  LookUp(handle, "curl_easy_strerror", api.easy_strerror, missing);
  LookUp(handle, "curl_slist_append", api.slist_append, missing);
  LookUp(handle, "curl_slist_free_all", api.slist_free_all, missing);
  LookUp(handle, "curl_share_init", api.share_init, missing);
  LookUp(handle, "curl_share_setopt", api.share_setopt, missing);
  LookUp(handle, "curl_share_cleanup", api.share_cleanup, missing);
  if (!missing.empty()) {
    return MakeErrorf(ErrorCode::kUnsupported,
                      "{}: not a usable libcurl (missing {}); reading models from the Hub needs libcurl "
                      "(Debian/Ubuntu: apt install libcurl4)",
                      library, fmt::join(missing, ", "));
  }
  return api;
}

// dlopen, resolve, curl_global_init. kUnsupported rather than kNetwork:
// nothing was sent, and neither retrying nor checking the connection helps;
// rather than kNotFound, which the Hub and resolution code read as "this
// source lacks the file, try the next" and must not here.
Result<CurlApi> OpenCurl(const std::string& library) {
  dlerror();  // clear any stale message
  // Never closed: libcurl and the TLS library keep process-wide state.
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return MakeErrorf(
        ErrorCode::kUnsupported,
        "cannot load {} ({}): reading models from the Hub needs libcurl (Debian/Ubuntu: apt "
        "install libcurl4; Fedora: dnf install libcurl); local folders, the Hugging Face cache, "
        "the built-in catalog and --offline work without it",
        library, reason != nullptr ? reason : "unknown reason");
  }
  PIPEFIT_ASSIGN_OR_RETURN(CurlApi api, ResolveCurlApi(handle, library));
  if (CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK) {
    return MakeErrorf(ErrorCode::kUnsupported, "{}: curl_global_init failed: {}", library,
                      api.easy_strerror(code));
  }
  return api;
}

// Each library is loaded once per process, by whichever thread asks first;
// the answer (the functions, or why not) is kept, so a missing library costs
// one dlopen, and the table's address stays valid for the process.
Result<const CurlApi*> LoadCurl(const std::string& library) {
  static std::mutex mutex;
  static std::map<std::string, Result<CurlApi>> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = loaded.find(library);
  if (it == loaded.end()) it = loaded.emplace(library, OpenCurl(library)).first;
  if (!it->second.ok()) return it->second.error();
  return &it->second.value();
}

// One exchange's state, filled by libcurl's callbacks.
struct Transfer {
  HttpResponse response;
  int64_t max_body_bytes = 0;
  bool over_limit = false;  // a 2xx body passed max_body_bytes: an error
  bool cut_short = false;   // another body passed kMaxOtherBodyBytes: dropped
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue or a proxy's CONNECT reply):
    // only the last block of headers belongs to the response.
    transfer->response.headers.clear();
    size_t space = line.find(' ');
    if (space != std::string::npos) transfer->response.status = std::atoi(line.c_str() + space + 1);
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t value_start = line.find_first_not_of(" \t", colon + 1);
  transfer->response.headers.emplace_back(name,
                                          value_start == std::string::npos ? "" : line.substr(value_start));
  return size * count;
}

// A redirect's or an error's body ("Found. Redirecting to ...", an HTML
// error page) is not what the caller's limit is about: it is kept up to
// this many bytes and the rest of the transfer is dropped, not an error.
constexpr int64_t kMaxOtherBodyBytes = 64 * 1024;

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  transfer->response.wire_body_bytes += static_cast<int64_t>(bytes);
  const int status = transfer->response.status;
  const bool success = status >= 200 && status < 300;
  const int64_t limit = success ? transfer->max_body_bytes : kMaxOtherBodyBytes;
  if (static_cast<int64_t>(transfer->response.body.size() + bytes) > limit) {
    if (success) {
      transfer->over_limit = true;
    } else {
      transfer->cut_short = true;
    }
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, bytes);
  return bytes;
}

// Messages name the URL without its query: a CDN's signed URL is a
// short-lived credential and must not land in logs.
Error TransferError(const CurlApi& api, CURLcode code, const TransportRequest& request, const char* detail) {
  const std::string what = detail[0] != '\0' ? detail : api.easy_strerror(code);
  const std::string url = UrlForMessages(request.url);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return MakeErrorf(ErrorCode::kNetwork, "{}: timed out after {} ms ({})", url, request.timeout.count(),
                        what);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return MakeErrorf(ErrorCode::kNetwork,
                        "{}: cannot resolve host ({}); use --offline to work from the cache only", url, what);
    case CURLE_COULDNT_CONNECT:
      return MakeErrorf(ErrorCode::kNetwork, "{}: cannot connect ({})", url, what);
    default:
      return MakeErrorf(ErrorCode::kNetwork, "{}: {}", url, what);
  }
}

}  // namespace

// A libcurl share handle for the DNS cache and TLS sessions, guarded by one
// mutex per data kind as libcurl's lock callbacks require. Connections are
// not shared between threads (libcurl does not support that); instead idle
// easy handles, each with its own live connections, wait in `idle` and are
// taken by one exchange at a time, so keep-alive still saves handshakes.
// Everything is set up by the first exchange (Start), not the constructor.
struct CurlTransport::Shared {
  std::once_flag started;
  const CurlApi* api = nullptr;  // set by Start when the library loaded
  std::optional<Error> load_error;
  CURLSH* handle = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;
  std::mutex idle_mutex;
  std::vector<CURL*> idle;

  // Thread-safe: the first caller loads, later callers wait for it and then
  // see its outcome.
  Result<const CurlApi*> Start(const std::string& library) {
    std::call_once(started, [&] {
      auto loaded = LoadCurl(library);
      if (!loaded.ok()) {
        load_error = loaded.error();
        return;
      }
      api = *loaded;
      handle = api->share_init();
      if (handle != nullptr) {
        api->share_setopt(handle, CURLSHOPT_LOCKFUNC, &Shared::Lock);
        api->share_setopt(handle, CURLSHOPT_UNLOCKFUNC, &Shared::Unlock);
        api->share_setopt(handle, CURLSHOPT_USERDATA, this);
        api->share_setopt(handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        api->share_setopt(handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
      }
    });
    if (load_error) return *load_error;
    return api;
  }

  CURL* Take() {
    {
      std::lock_guard<std::mutex> lock(idle_mutex);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return api->easy_init();
  }
  void Give(CURL* h) {
    api->easy_reset(h);  // no pointer into a finished exchange stays set; live connections stay
    std::lock_guard<std::mutex> lock(idle_mutex);
    idle.push_back(h);
  }

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Shared*>(user)->locks[data].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Shared*>(user)->locks[data].unlock();
  }
};

CurlTransport::CurlTransport(CurlTransportOptions options)
    : options_(std::move(options)), shared_(std::make_unique<Shared>()) {}

CurlTransport::~CurlTransport() {
  if (shared_->api == nullptr) return;  // never loaded: nothing to clean up
  for (CURL* h : shared_->idle) shared_->api->easy_cleanup(h);
  if (shared_->handle != nullptr) shared_->api->share_cleanup(shared_->handle);
}

namespace {

// Sets everything an exchange needs on a fresh (or reset) handle. Pointers
// handed to libcurl (`headers`, `range`, `error_buffer`, `transfer`) must
// outlive the transfer.
void ConfigureHandle(const CurlApi& api, CURL* h, CURLSH* share, const TransportRequest& request,
                     const CurlTransportOptions& options, curl_slist* headers, const std::string& range,
                     char* error_buffer, Transfer* transfer) {
  if (share != nullptr) api.easy_setopt(h, CURLOPT_SHARE, share);
  api.easy_setopt(h, CURLOPT_URL, request.url.c_str());
  api.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required with threads
  api.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  api.easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  api.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout.count()));
  api.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  api.easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  api.easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  api.easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  api.easy_setopt(h, CURLOPT_HEADERDATA, transfer);
  api.easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  api.easy_setopt(h, CURLOPT_WRITEDATA, transfer);
  if (!range.empty()) api.easy_setopt(h, CURLOPT_RANGE, range.c_str());
  if (request.method == "HEAD") api.easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!options.ca_bundle.empty()) api.easy_setopt(h, CURLOPT_CAINFO, options.ca_bundle.c_str());
}

}  // namespace

Result<HttpResponse> CurlTransport::Exchange(const TransportRequest& request) {
  PIPEFIT_ASSIGN_OR_RETURN(const CurlApi* api, shared_->Start(options_.library));
  // Back to the idle list after the exchange, whatever happens.
  auto give_back = [this](CURL* h) { shared_->Give(h); };
  std::unique_ptr<CURL, decltype(give_back)> curl(shared_->Take(), give_back);
  if (!curl)
    return MakeErrorf(ErrorCode::kNetwork, "{}: cannot initialise libcurl", UrlForMessages(request.url));
  Transfer transfer;
  transfer.max_body_bytes = request.max_body_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = api->slist_append(headers, fmt::format("{}: {}", name, value).c_str());
  }
  std::unique_ptr<curl_slist, decltype(api->slist_free_all)> header_list(headers, api->slist_free_all);
  std::string range;
  if (request.range) {
    range = fmt::format("{}-{}", request.range->offset, request.range->offset + request.range->length - 1);
  }
  CURL* h = curl.get();
  ConfigureHandle(*api, h, shared_->handle, request, options_, header_list.get(), range, error_buffer,
                  &transfer);
  CURLcode code = api->easy_perform(h);
  if (transfer.over_limit) {
    return MakeErrorf(ErrorCode::kLimit, "{}: HTTP {} response body exceeds {} bytes; transfer aborted",
                      UrlForMessages(request.url), transfer.response.status, request.max_body_bytes);
  }
  if (code != CURLE_OK && !transfer.cut_short) return TransferError(*api, code, request, error_buffer);
  long status = 0;
  api->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  transfer.response.url = request.url;
  return std::move(transfer.response);
}

}  // namespace pipefit
