#include "pipefit/hardware/pseudo_file.h"

#include <cctype>
#include <charconv>

namespace pipefit {
Result<std::string> ReadPseudoFile(const FileSystem& fs, const std::string& path, int64_t max_size) {
  PIPEFIT_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
  if (info.is_directory) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: is a directory, expected a file", path);
  }
  // Stat's size is 0 (procfs) or 4096 (sysfs) whatever the content, so read
  // to end of file; one byte past the limit shows the file is too large.
  PIPEFIT_ASSIGN_OR_RETURN(std::string content, fs.ReadUpTo(path, max_size + 1));
  if (static_cast<int64_t>(content.size()) > max_size) {
    return MakeErrorf(ErrorCode::kLimit, "{}: more than {} bytes, the limit for a system file", path,
                      max_size);
  }
  return content;
}

std::optional<int64_t> ParseDecimal(std::string_view text) {
  text = TrimWhitespace(text);
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace pipefit
