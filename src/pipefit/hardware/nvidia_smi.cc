#include "pipefit/hardware/nvidia_smi.h"

#include <cctype>
#include <optional>

#include "pipefit/hardware/pseudo_file.h"

namespace pipefit {
namespace {

// index, name, memory.total, memory.free, compute_cap, pcie.link.gen.max,
// pcie.link.width.max: the name may hold commas, the others never do.
constexpr size_t kFieldsAfterName = 5;

constexpr int kTimeoutMs = 10'000;

std::vector<std::string_view> SplitCommas(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    fields.push_back(TrimWhitespace(line.substr(start, comma - start)));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

// nvidia-smi prints "[N/A]", "[Not Supported]", "[Unknown Error]"... for
// values it cannot read.
bool IsUnavailable(std::string_view field) { return field.empty() || field.front() == '[' || field == "N/A"; }

Error FieldError(int line_number, const char* field, std::string_view value) {
  return MakeErrorf(ErrorCode::kMalformed, "nvidia-smi output line {}: {} is '{}', expected a number",
                    line_number, field, value);
}

Result<Bytes> ParseMib(int line_number, const char* field, std::string_view value) {
  std::optional<int64_t> mib = ParseDecimal(value);
  std::optional<int64_t> bytes = mib ? CheckedMul(*mib, kMiB) : std::nullopt;
  if (!bytes) return FieldError(line_number, field, value);
  return *bytes;
}

Result<std::optional<int>> ParseOptionalInt(int line_number, const char* field, std::string_view value) {
  if (IsUnavailable(value)) return std::optional<int>();
  std::optional<int64_t> number = ParseDecimal(value);
  if (!number || *number > 1'000'000) return FieldError(line_number, field, value);
  return std::optional<int>(static_cast<int>(*number));
}

Result<std::optional<std::string>> ParseComputeCapability(int line_number, std::string_view value) {
  if (IsUnavailable(value)) return std::optional<std::string>();
  size_t dot = value.find('.');
  if (dot == std::string_view::npos || !ParseDecimal(value.substr(0, dot)) ||
      !ParseDecimal(value.substr(dot + 1))) {
    return FieldError(line_number, "compute_cap", value);
  }
  return std::optional<std::string>(std::string(value));
}

Result<DetectedGpu> ParseLine(int line_number, std::string_view line) {
  std::vector<std::string_view> f = SplitCommas(line);
  if (f.size() < 2 + kFieldsAfterName) {
    return MakeErrorf(ErrorCode::kMalformed, "nvidia-smi output line {}: {} fields, expected 7: '{}'",
                      line_number, f.size(), line);
  }
  const size_t tail = f.size() - kFieldsAfterName;  // index of memory.total
  DetectedGpu gpu;
  gpu.source = GpuSource::kNvidiaSmi;
  std::optional<int64_t> index = ParseDecimal(f[0]);
  if (!index || *index > 1'000'000) return FieldError(line_number, "index", f[0]);
  gpu.index = static_cast<int>(*index);
  for (size_t i = 1; i < tail; ++i) gpu.name += (i > 1 ? "," : "") + std::string(f[i]);
  gpu.name = std::string(TrimWhitespace(gpu.name));
  PIPEFIT_ASSIGN_OR_RETURN(gpu.vram_total, ParseMib(line_number, "memory.total", f[tail]));
  PIPEFIT_ASSIGN_OR_RETURN(gpu.vram_free, ParseMib(line_number, "memory.free", f[tail + 1]));
  PIPEFIT_ASSIGN_OR_RETURN(gpu.compute_capability, ParseComputeCapability(line_number, f[tail + 2]));
  PIPEFIT_ASSIGN_OR_RETURN(gpu.pcie_generation,
                           ParseOptionalInt(line_number, "pcie.link.gen.max", f[tail + 3]));
  PIPEFIT_ASSIGN_OR_RETURN(gpu.pcie_width, ParseOptionalInt(line_number, "pcie.link.width.max", f[tail + 4]));
  return gpu;
}

}  // namespace

std::vector<std::string> NvidiaSmiQueryCommand() {
  return {"nvidia-smi",
          "--query-gpu=index,name,memory.total,memory.free,compute_cap,pcie.link.gen.max,"
          "pcie.link.width.max",
          "--format=csv,noheader,nounits"};
}

Result<std::vector<DetectedGpu>> ParseNvidiaSmiCsv(std::string_view text) {
  std::vector<DetectedGpu> gpus;
  int line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = TrimWhitespace(text.substr(start, end - start));
    ++line_number;
    start = end + 1;
    if (line.empty()) continue;
    PIPEFIT_ASSIGN_OR_RETURN(DetectedGpu gpu, ParseLine(line_number, line));
    gpus.push_back(std::move(gpu));
  }
  return gpus;
}

Result<std::vector<DetectedGpu>> ReadGpusWithNvidiaSmi(const ProgramRunner& runner) {
  PIPEFIT_ASSIGN_OR_RETURN(ProgramOutput output, runner.Run(NvidiaSmiQueryCommand(), kTimeoutMs));
  if (output.exit_code != 0) {
    std::string_view first = output.stdout_text;
    first = TrimWhitespace(first.substr(0, first.find('\n')));
    if (first.empty()) {
      return MakeErrorf(ErrorCode::kIo, "nvidia-smi exited with status {}", output.exit_code);
    }
    return MakeErrorf(ErrorCode::kIo, "nvidia-smi exited with status {}: {}", output.exit_code, first);
  }
  return ParseNvidiaSmiCsv(output.stdout_text);
}

}  // namespace pipefit
