// The web page `pipefit serve` serves and `plan --html` inlines: files under
// data/web/, embedded in the binary (catalog/embedded_data.h), so the page
// works offline and needs no files next to the binary.
#ifndef PIPEFIT_SERVE_WEB_ASSETS_H_
#define PIPEFIT_SERVE_WEB_ASSETS_H_

#include <optional>
#include <string_view>

namespace pipefit {

struct WebAsset {
  std::string_view data;
  std::string_view content_type;  // with charset for text
};

// NAME is the URL path without the leading '/' ("" means index.html).
std::optional<WebAsset> FindWebAsset(std::string_view name);

}  // namespace pipefit

#endif  // PIPEFIT_SERVE_WEB_ASSETS_H_
