#include "pipefit/hardware/pseudo_file.h"

#include <cctype>
#include <charconv>

namespace pipefit {
namespace {

// A read that failed only because the file holds fewer bytes than asked
// (FileSystem::ReadRange's documented kMalformed) tells us about the length;
// any other failure is a real error.
bool IsShortRead(const Error& error) { return error.code == ErrorCode::kMalformed; }

// Finds the length by doubling then bisecting. `best` keeps the content of
// the longest successful read, so the result is one consistent snapshot.
Result<std::string> ReadByProbing(const FileSystem& fs, const std::string& path, int64_t max_size) {
  std::string best;
  int64_t good = 0;            // a read of this many bytes succeeded
  int64_t bad = max_size + 1;  // a read of this many bytes fails (assumed)
  for (int64_t n = 256; n <= max_size; n *= 2) {
    auto read = fs.ReadRange(path, 0, n);
    if (!read.ok()) {
      if (!IsShortRead(read.error())) return read.error();
      bad = n;
      break;
    }
    good = n;
    best = std::move(read).value();
  }
  if (bad == max_size + 1) {
    auto read = fs.ReadRange(path, 0, bad);
    if (read.ok()) {
      return MakeError(ErrorCode::kLimit, path + ": more than " + std::to_string(max_size) +
                                              " bytes, the limit for a system file");
    }
    if (!IsShortRead(read.error())) return read.error();
  }
  while (bad - good > 1) {
    int64_t mid = good + (bad - good) / 2;
    auto read = fs.ReadRange(path, 0, mid);
    if (read.ok()) {
      good = mid;
      best = std::move(read).value();
    } else if (IsShortRead(read.error())) {
      bad = mid;
    } else {
      return read.error();
    }
  }
  return best;
}

}  // namespace

Result<std::string> ReadPseudoFile(const FileSystem& fs, const std::string& path, int64_t max_size) {
  PIPEFIT_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
  if (info.is_directory) {
    return MakeError(ErrorCode::kMalformed, path + ": is a directory, expected a file");
  }
  // Ordinary files (and MemoryFileSystem ones) report their true size;
  // one byte past it confirms there is no more.
  if (info.size > 0 && info.size <= max_size) {
    auto read = fs.ReadRange(path, 0, info.size);
    if (!read.ok() && !IsShortRead(read.error())) return read.error();
    if (read.ok()) {
      auto beyond = fs.ReadRange(path, info.size, 1);
      if (!beyond.ok() && IsShortRead(beyond.error())) return read;
      if (!beyond.ok()) return beyond.error();
    }
  }
  return ReadByProbing(fs, path, max_size);
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
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
