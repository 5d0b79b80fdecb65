// Human units for messages and reports (GiB, parameter counts, transfer
// sizes): one formatting of each, used by every layer.
#ifndef PIPEFIT_BASE_UNITS_H_
#define PIPEFIT_BASE_UNITS_H_

#include <cstdint>
#include <string>

namespace pipefit {

// "22.17 GiB", "160.0 MiB" below 1 GiB, "512 B" below 1 KiB... always two
// decimals for GiB as the inspect table promises.
std::string FormatGiB(int64_t bytes);
// "11.90 B", "123.06 M" parameter counts.
std::string FormatParams(int64_t params);
// A transfer size in decimal units, as network tools print it:
// "845 B", "312.4 kB", "1.23 MB".
std::string FormatTransferBytes(int64_t bytes);

}  // namespace pipefit

#endif  // PIPEFIT_BASE_UNITS_H_
