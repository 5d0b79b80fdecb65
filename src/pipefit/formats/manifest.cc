#include "pipefit/formats/manifest.h"

#include <charconv>

#include "pipefit/base/bytes.h"

namespace pipefit {
namespace {

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

Result<TensorInfo> ParseLine(std::string_view line, const std::string& where) {
  size_t tab1 = line.find('\t');
  size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
  if (tab2 == std::string_view::npos) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: expected name<TAB>dtype<TAB>shape", where);
  }
  TensorInfo tensor;
  tensor.name = std::string(line.substr(0, tab1));
  auto dtype = DTypeFromSafetensorsName(line.substr(tab1 + 1, tab2 - tab1 - 1));
  if (!dtype) return MakeErrorf(ErrorCode::kMalformed, "{}: unknown dtype", where);
  tensor.dtype = *dtype;
  std::string_view shape = line.substr(tab2 + 1);
  tensor.numel = 1;
  while (!shape.empty()) {
    size_t comma = shape.find(',');
    auto dim = ParseInt(shape.substr(0, comma));
    if (!dim) return MakeErrorf(ErrorCode::kMalformed, "{}: bad shape", where);
    tensor.shape.push_back(*dim);
    auto numel = CheckedMul(tensor.numel, *dim);
    if (!numel) return MakeErrorf(ErrorCode::kMalformed, "{}: element count overflows", where);
    tensor.numel = *numel;
    shape = comma == std::string_view::npos ? std::string_view() : shape.substr(comma + 1);
  }
  auto bytes = DTypeBytes(tensor.dtype, tensor.numel);
  if (!bytes) return MakeErrorf(ErrorCode::kMalformed, "{}: size overflows", where);
  tensor.bytes = *bytes;
  return tensor;
}

}  // namespace

Result<TensorManifest> ParseTensorManifest(std::string_view text, const std::string& label) {
  TensorManifest manifest;
  int line_number = 0;
  int64_t offset = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    if (line.empty()) continue;
    if (line.front() == '#') {
      constexpr std::string_view kTotal = "# total_size: ";
      if (line.starts_with(kTotal)) manifest.total_size = ParseInt(line.substr(kTotal.size()));
      continue;
    }
    PIPEFIT_ASSIGN_OR_RETURN(TensorInfo tensor, ParseLine(line, fmt::format("{}:{}", label, line_number)));
    tensor.data_offset = offset;
    offset += tensor.bytes;
    manifest.tensors.push_back(std::move(tensor));
  }
  return manifest;
}

}  // namespace pipefit
