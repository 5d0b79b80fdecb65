#include "pipefit/serve/web_assets.h"

#include <string>

#include "pipefit/catalog/embedded_data.h"

namespace pipefit {
namespace {

struct ContentType {
  std::string_view suffix;
  std::string_view type;
};

constexpr ContentType kContentTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
};

}  // namespace

std::optional<WebAsset> FindWebAsset(std::string_view name) {
  if (name.empty()) name = "index.html";
  if (name.find("..") != std::string_view::npos) return std::nullopt;
  const std::string path = "web/" + std::string(name);
  for (const EmbeddedFile& file : EmbeddedDataFiles()) {
    if (file.path != path) continue;
    for (const ContentType& type : kContentTypes) {
      if (name.ends_with(type.suffix)) return WebAsset{file.data, type.type};
    }
    return std::nullopt;  // only the types above are served
  }
  return std::nullopt;
}

}  // namespace pipefit
