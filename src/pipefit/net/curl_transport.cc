#include "pipefit/net/curl_transport.h"

#include <curl/curl.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace pipefit {
namespace {

std::once_flag global_init_once;

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
  transfer->response.headers.emplace_back(name, value_start == std::string::npos ? "" : line.substr(value_start));
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
Error TransferError(CURLcode code, const TransportRequest& request, const char* detail) {
  std::string what = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  const std::string url = UrlForMessages(request.url);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return MakeError(ErrorCode::kNetwork, url + ": timed out after " +
                                                std::to_string(request.timeout.count()) + " ms (" + what + ")");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return MakeError(ErrorCode::kNetwork, url + ": cannot resolve host (" + what +
                                                "); use --offline to work from the cache only");
    case CURLE_COULDNT_CONNECT:
      return MakeError(ErrorCode::kNetwork, url + ": cannot connect (" + what + ")");
    default:
      return MakeError(ErrorCode::kNetwork, url + ": " + what);
  }
}

}  // namespace

// A libcurl share handle for the DNS cache and TLS sessions, guarded by one
// mutex per data kind as libcurl's lock callbacks require. Connections are
// not shared between threads (libcurl does not support that); instead idle
// easy handles, each with its own live connections, wait in `idle` and are
// taken by one exchange at a time, so keep-alive still saves handshakes.
struct CurlTransport::Shared {
  CURLSH* handle = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;
  std::mutex idle_mutex;
  std::vector<CURL*> idle;

  CURL* Take() {
    {
      std::lock_guard<std::mutex> lock(idle_mutex);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void Give(CURL* h) {
    curl_easy_reset(h);  // no pointer into a finished exchange stays set; live connections stay
    std::lock_guard<std::mutex> lock(idle_mutex);
    idle.push_back(h);
  }

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Shared*>(user)->locks[data].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) { static_cast<Shared*>(user)->locks[data].unlock(); }
};

CurlTransport::CurlTransport(CurlTransportOptions options)
    : options_(std::move(options)), shared_(std::make_unique<Shared>()) {
  std::call_once(global_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  shared_->handle = curl_share_init();
  if (shared_->handle != nullptr) {
    curl_share_setopt(shared_->handle, CURLSHOPT_LOCKFUNC, &Shared::Lock);
    curl_share_setopt(shared_->handle, CURLSHOPT_UNLOCKFUNC, &Shared::Unlock);
    curl_share_setopt(shared_->handle, CURLSHOPT_USERDATA, shared_.get());
    curl_share_setopt(shared_->handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(shared_->handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
}

CurlTransport::~CurlTransport() {
  for (CURL* h : shared_->idle) curl_easy_cleanup(h);
  if (shared_->handle != nullptr) curl_share_cleanup(shared_->handle);
}

Result<HttpResponse> CurlTransport::Exchange(const TransportRequest& request) {
  // Back to the idle list after the exchange, whatever happens.
  auto give_back = [this](CURL* h) { shared_->Give(h); };
  std::unique_ptr<CURL, decltype(give_back)> curl(shared_->Take(), give_back);
  if (!curl) return MakeError(ErrorCode::kNetwork, UrlForMessages(request.url) + ": cannot initialise libcurl");
  Transfer transfer;
  transfer.max_body_bytes = request.max_body_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, &curl_slist_free_all);
  std::string range;
  if (request.range) {
    range = std::to_string(request.range->offset) + "-" +
            std::to_string(request.range->offset + request.range->length - 1);
  }
  CURL* h = curl.get();
  if (shared_->handle != nullptr) curl_easy_setopt(h, CURLOPT_SHARE, shared_->handle);
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // required with threads
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  if (!range.empty()) curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
  if (request.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!options_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str());

  CURLcode code = curl_easy_perform(h);
  if (transfer.over_limit) {
    return MakeError(ErrorCode::kLimit, UrlForMessages(request.url) + ": HTTP " + std::to_string(transfer.response.status) +
                                            " response body exceeds " + std::to_string(request.max_body_bytes) +
                                            " bytes; transfer aborted");
  }
  if (code != CURLE_OK && !transfer.cut_short) return TransferError(code, request, error_buffer);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  transfer.response.url = request.url;
  return std::move(transfer.response);
}

}  // namespace pipefit
