#include "pipefit/sources/hub_protocol.h"

#include <simdjson.h>

#include <cctype>

#include "pipefit/formats/json_object.h"
#include "pipefit/sources/hf_cache.h"

namespace pipefit {
namespace {

std::string ApiBase(const std::string& endpoint, const std::string& repo) {
  return endpoint + "/api/models/" + PercentEncode(repo, true);
}

}  // namespace

std::string RevisionInfoUrl(const std::string& endpoint, const std::string& repo, const std::string& revision,
                            bool with_files) {
  return ApiBase(endpoint, repo) + "/revision/" + PercentEncode(revision, false) +
         (with_files ? "?blobs=true" : "");
}

std::string TreeUrl(const std::string& endpoint, const std::string& repo, const std::string& revision) {
  return ApiBase(endpoint, repo) + "/tree/" + PercentEncode(revision, false) + "?recursive=true&expand=false";
}

std::string ResolveUrl(const std::string& endpoint, const std::string& repo, const std::string& revision,
                       const std::string& path) {
  return endpoint + "/" + PercentEncode(repo, true) + "/resolve/" + PercentEncode(revision, false) + "/" +
         PercentEncode(path, true);
}

bool IsSafeRepoPath(std::string_view path) {
  if (path.empty() || path.size() > kMaxRepoPathBytes || path.front() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    std::string_view segment =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') return false;
  }
  return true;
}

Result<HubRevision> ParseRevisionInfo(std::string_view json, const std::string& label) {
  simdjson::dom::parser parser;
  PIPEFIT_ASSIGN_OR_RETURN(simdjson::dom::object root,
                           ParseJsonObject(parser, json, label, "the revision info"));
  HubRevision revision;
  std::string_view sha;
  if (root["sha"].get_string().get(sha) == simdjson::SUCCESS) {
    revision.sha = std::string(sha);
    for (char& c : revision.sha) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!IsCommitHash(revision.sha)) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: the revision info has no 40-digit \"sha\"", label);
  }
  std::string_view gated;
  if (root["gated"].get_string().get(gated) == simdjson::SUCCESS) {
    revision.gated = gated.empty() ? "manual" : std::string(gated.substr(0, 32));
  }
  simdjson::dom::array siblings;
  if (root["siblings"].get_array().get(siblings) != simdjson::SUCCESS) return revision;
  std::vector<HubFile> files;
  size_t index = 0;
  for (simdjson::dom::element sibling : siblings) {
    std::string_view path;
    if (sibling["rfilename"].get_string().get(path) != simdjson::SUCCESS) {
      return MakeErrorf(ErrorCode::kMalformed, "{}: sibling {} has no string \"rfilename\"", label, index);
    }
    if (!IsSafeRepoPath(path)) {
      return MakeErrorf(ErrorCode::kMalformed, "{}: sibling {}: unsafe path '{}'", label, index,
                        PrintableServerText(path, 200));
    }
    int64_t size = 0;
    if (sibling["size"].get_int64().get(size) != simdjson::SUCCESS || size < 0) {
      return revision;  // no sizes (asked without ?blobs=true): the tree listing has them
    }
    if (static_cast<int64_t>(++index) > kMaxTreeEntries) {
      return MakeErrorf(ErrorCode::kLimit, "{}: the repo has more than {} files", label, kMaxTreeEntries);
    }
    files.push_back(HubFile{std::string(path), size});
  }
  // huggingface_hub's snapshot_download lists the tree instead when the
  // model info has 1000 siblings or more: the Hub may cut the list short.
  if (files.size() >= kMaxTrustedSiblings) return revision;
  revision.files = std::move(files);
  return revision;
}

Result<std::vector<HubFile>> ParseTreePage(std::string_view json, const std::string& label) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root); error != simdjson::SUCCESS) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: the tree listing is not valid JSON: {}", label,
                      simdjson::error_message(error));
  }
  simdjson::dom::array entries;
  if (root.get_array().get(entries) != simdjson::SUCCESS) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: the tree listing must be a JSON array", label);
  }
  std::vector<HubFile> files;
  size_t index = 0;
  for (simdjson::dom::element entry : entries) {
    const std::string where = label + ": tree entry " + std::to_string(index++);
    std::string_view type, path;
    if (entry["type"].get_string().get(type) != simdjson::SUCCESS ||
        entry["path"].get_string().get(path) != simdjson::SUCCESS) {
      return MakeErrorf(ErrorCode::kMalformed, "{} has no string \"type\" and \"path\"", where);
    }
    if (!IsSafeRepoPath(path)) {
      return MakeErrorf(ErrorCode::kMalformed, "{}: unsafe path '{}'", where, PrintableServerText(path, 200));
    }
    if (type != "file") continue;
    int64_t size = 0;
    if (entry["size"].get_int64().get(size) != simdjson::SUCCESS || size < 0) {
      return MakeErrorf(ErrorCode::kMalformed, "{} ({}) has no non-negative \"size\"", where, path);
    }
    files.push_back(HubFile{std::string(path), size});
  }
  return files;
}

Error HubResponseError(const HttpResponse& response, const std::string& what, const std::string& repo,
                       const std::string& endpoint, bool has_token) {
  const std::string code = response.Header("x-error-code").value_or("");
  const std::string server = PrintableServerText(response.Header("x-error-message").value_or(""));
  const std::string status = "HTTP " + std::to_string(response.status);
  const std::string detail = server.empty() ? " (" + status + ")" : " (" + status + ": " + server + ")";
  const std::string token_advice = has_token
                                       ? "check that your token (HF_TOKEN or HF_HOME/token) has read access"
                                       : "if it is private, set HF_TOKEN or log in with `hf auth login`";
  if (code == "GatedRepo") {
    return MakeErrorf(ErrorCode::kNotFound, "{}: {} is a gated repo{}. Accept its conditions at {}/{}{}",
                      what, repo, detail, endpoint, repo,
                      (has_token ? ", then retry (your token has no access yet)"
                                 : ", then set HF_TOKEN to a token of that account"));
  }
  if (code == "RevisionNotFound") {
    return MakeErrorf(ErrorCode::kNotFound, "{}: no such revision in {}{}", what, repo, detail);
  }
  if (code == "EntryNotFound")
    return MakeErrorf(ErrorCode::kNotFound, "{}: no such file in {}{}", what, repo, detail);
  if (code == "RepoNotFound" ||
      (response.status == 401 && server != "Invalid credentials in Authorization header")) {
    return MakeErrorf(ErrorCode::kNotFound, "{}: repository {} not found on {}{}; {}", what, repo, endpoint,
                      detail, token_advice);
  }
  if (response.status == 401) {
    return MakeErrorf(ErrorCode::kNetwork,
                      "{}: the Hub rejected the token{}; check HF_TOKEN or HF_HOME/token", what, detail);
  }
  if (response.status == 403) {
    return MakeErrorf(ErrorCode::kNetwork, "{}: access denied{}; {}", what, detail, token_advice);
  }
  if (response.status == 404) return MakeErrorf(ErrorCode::kNotFound, "{}: not found{}", what, detail);
  if (response.status == 416) {
    return MakeErrorf(ErrorCode::kNetwork, "{}: the server refused the byte range{}", what, detail);
  }
  return MakeErrorf(ErrorCode::kNetwork, "{}: unexpected {}{}", what, status, detail);
}

}  // namespace pipefit
