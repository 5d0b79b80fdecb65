// Reading kernel pseudo files (/proc, /sys) through FileSystem.
//
// procfs reports a size of 0 and sysfs a size of 4096 for files whose real
// length is only known once read; ReadPseudoFile reads to end of file with
// FileSystem::ReadUpTo, with a small limit and a message for system files.
#ifndef PIPEFIT_HARDWARE_PSEUDO_FILE_H_
#define PIPEFIT_HARDWARE_PSEUDO_FILE_H_

#include <optional>
#include <string>
#include <string_view>

#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/base/text.h"  // TrimWhitespace, used with ParseDecimal's callers

namespace pipefit {

// The whole content of a small pseudo file, at most `max_size` bytes
// (kLimit above it). kNotFound when it does not exist.
Result<std::string> ReadPseudoFile(const FileSystem& fs, const std::string& path,
                                   int64_t max_size = 64 * 1024);

// The non-negative decimal integer that is the whole of `text` once
// surrounding white space is removed ("25757220864\n"), else nullopt.
std::optional<int64_t> ParseDecimal(std::string_view text);

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_PSEUDO_FILE_H_
