// Internal to the GPU catalog: the table files each return their rows.
#ifndef PIPEFIT_HARDWARE_GPU_ROWS_H_
#define PIPEFIT_HARDWARE_GPU_ROWS_H_

#include <vector>

#include "pipefit/hardware/gpu_catalog.h"

namespace pipefit::gpu_rows {

std::vector<GpuSpec> ConsumerRows();     // GeForce RTX 20 to 50 series, Radeon
std::vector<GpuSpec> WorkstationRows();  // RTX A-series, RTX Ada, RTX PRO
std::vector<GpuSpec> DataCenterRows();   // Tesla/L/A/H/B series, Instinct

}  // namespace pipefit::gpu_rows

#endif  // PIPEFIT_HARDWARE_GPU_ROWS_H_
