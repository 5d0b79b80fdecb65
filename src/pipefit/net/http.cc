#include "pipefit/net/http.h"

#include <cctype>

#include "pipefit/base/text.h"

namespace pipefit {
namespace {}  // namespace

std::optional<std::string> HttpResponse::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string UrlOrigin(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) return "";
  size_t host_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin = url.substr(0, host_end == std::string::npos ? url.size() : host_end);
  // Credentials in the authority ("user:pass@host") are not part of the origin.
  size_t at = origin.rfind('@');
  if (at != std::string::npos && at > scheme_end)
    origin = origin.substr(0, scheme_end + 3) + origin.substr(at + 1);
  return AsciiLower(origin);
}

std::string ResolveRedirect(const std::string& base, const std::string& location) {
  if (!UrlOrigin(location).empty()) return location;
  if (location.starts_with("//")) return base.substr(0, base.find("://") + 1) + location;
  std::string origin_part = base.substr(0, base.find_first_of("/?#", base.find("://") + 3));
  if (location.starts_with("/")) return origin_part + location;
  std::string path = base.substr(origin_part.size());
  path = path.substr(0, path.find_first_of("?#"));
  size_t slash = path.rfind('/');
  std::string directory = slash == std::string::npos ? "/" : path.substr(0, slash + 1);
  return origin_part + directory + location;
}

std::string PercentEncode(const std::string& text, bool keep_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char byte : text) {
    const auto c = static_cast<unsigned char>(byte);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string UrlForMessages(const std::string& url) { return url.substr(0, url.find_first_of("?#")); }

std::string PrintableServerText(std::string_view text, size_t max_bytes) {
  std::string out;
  for (char c : text.substr(0, max_bytes)) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7f) ? '?' : c;
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

std::optional<std::string> NextLinkUrl(const std::string& link_header) {
  // Entries are separated by commas outside <...>; parameters by ';'.
  size_t pos = 0;
  while (pos < link_header.size()) {
    size_t open = link_header.find('<', pos);
    if (open == std::string::npos) return std::nullopt;
    size_t close = link_header.find('>', open);
    if (close == std::string::npos) return std::nullopt;
    size_t next_entry = link_header.find(",", close);
    std::string params = link_header.substr(
        close + 1, next_entry == std::string::npos ? std::string::npos : next_entry - close - 1);
    size_t start = 0;
    while (start <= params.size()) {
      size_t end = params.find(';', start);
      const std::string param(TrimWhitespace(std::string_view(params).substr(
          start, end == std::string::npos ? std::string::npos : end - start)));
      std::string key = AsciiLower(TrimWhitespace(std::string_view(param).substr(0, param.find('='))));
      if (key == "rel" && param.find('=') != std::string::npos) {
        std::string value(TrimWhitespace(std::string_view(param).substr(param.find('=') + 1)));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
          value = value.substr(1, value.size() - 2);
        // rel may hold several space-separated relation types.
        std::string padded = " " + AsciiLower(value) + " ";
        if (padded.find(" next ") != std::string::npos) return link_header.substr(open + 1, close - open - 1);
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
    if (next_entry == std::string::npos) return std::nullopt;
    pos = next_entry + 1;
  }
  return std::nullopt;
}

}  // namespace pipefit
