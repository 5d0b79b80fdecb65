#include "pipefit/report/inspect_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "pipefit/base/units.h"

namespace pipefit {
namespace {

using Json = nlohmann::ordered_json;

Json SourceJson(const SourceInfo& source) {
  Json j;
  j["kind"] = SourceKindName(source.kind);
  j["path"] = source.path;
  j["repo"] = source.repo.empty() ? Json(nullptr) : Json(source.repo);
  j["revision"] = source.revision.empty() ? Json(nullptr) : Json(source.revision);
  if (source.fetch) {
    j["fetch"] = {{"requests", source.fetch->requests},
                  {"bytes", source.fetch->bytes},
                  {"cached_files", source.fetch->cached_files}};
  }
  return j;
}

Json ComponentJson(const ComponentMeasurement& c) {
  Json j;
  j["name"] = c.name;
  j["class"] = c.class_name;
  j["library"] = c.library;
  j["has_weights"] = c.has_weights();
  j["format"] = WeightFormatName(c.format);
  j["tensors"] = c.tensors;
  j["params"] = c.params;
  j["stored_bytes"] = c.stored_bytes;
  j["bytes"] = c.bytes;
  j["blocks"] = c.blocks;
  j["block_bytes"] = c.block_bytes;
  j["leaf_bytes"] = c.leaf_bytes;
  j["layerwise_fp8_bytes"] = c.layerwise_fp8_bytes;
  j["int8_bytes"] = c.int8_bytes;
  j["nf4_bytes"] = c.nf4_bytes;
  j["largest_block"] = c.largest_block.empty() ? Json(nullptr) : Json(c.largest_block);
  j["largest_leaf"] = c.largest_leaf.empty() ? Json(nullptr) : Json(c.largest_leaf);
  j["fp32_kept_bytes"] = c.fp32_kept_bytes;
  j["notes"] = c.notes;
  return j;
}

}  // namespace

std::string RenderInspectJson(const Pipeline& pipeline, const PipelineMeasurement& measurement) {
  Json j;
  j["schema"] = "pipefit.inspect/1";
  j["source"] = SourceJson(pipeline.source);
  j["pipeline_class"] = pipeline.pipeline_class.empty() ? Json(nullptr) : Json(pipeline.pipeline_class);
  j["load_dtype"] = LoadDTypeName(measurement.load_dtype);
  j["components"] = Json::array();
  for (const ComponentMeasurement& c : measurement.components) j["components"].push_back(ComponentJson(c));
  const SeedQuantities& s = measurement.seed;
  j["measurements"] = {{"S_total", s.s_total},
                       {"S_max", s.s_max},
                       {"S_block", s.s_block},
                       {"S_leaf", s.s_leaf},
                       {"S_total_lc", s.s_total_lc},
                       {"S_max_lc", s.s_max_lc},
                       {"denoiser", s.denoiser.empty() ? Json(nullptr) : Json(s.denoiser)}};
  j["notes"] = pipeline.notes;
  return j.dump(2) + "\n";
}

namespace {

std::string Title(const Pipeline& pipeline, const PipelineMeasurement& m) {
  std::string name = pipeline.source.repo.empty() ? pipeline.source.path : pipeline.source.repo;
  std::string kind = SourceKindName(pipeline.source.kind);
  if (!pipeline.source.revision.empty()) kind += " @ " + pipeline.source.revision;
  return fmt::format("{}{} — {}, load dtype {}\n", name,
                     pipeline.pipeline_class.empty() ? "" : " (" + pipeline.pipeline_class + ")", kind,
                     LoadDTypeName(m.load_dtype));
}

void AppendComponentRows(const PipelineMeasurement& m, std::string& out) {
  out += fmt::format("\n{:<16} {:<32} {:>7} {:>9} {:>10} {:>10} {:>10} {:>10} {:>6}\n", "component", "class",
                     "tensors", "params", "size", "fp8 cast", "int8", "nf4", "blocks");
  for (const ComponentMeasurement& c : m.components) {
    if (!c.has_weights()) {
      out += fmt::format("{:<16} {:<32} {:>7}\n", c.name, c.class_name, "-");
      continue;
    }
    out += fmt::format("{:<16} {:<32} {:>7} {:>9} {:>10} {:>10} {:>10} {:>10} {:>6}\n", c.name,
                       c.class_name.empty() ? "(unknown)" : c.class_name, c.tensors, FormatParams(c.params),
                       FormatGiB(c.bytes), FormatGiB(c.layerwise_fp8_bytes), FormatGiB(c.int8_bytes),
                       FormatGiB(c.nf4_bytes), c.blocks);
  }
}

void AppendNotes(const Pipeline& pipeline, const PipelineMeasurement& m, std::string& out) {
  std::string notes;
  for (const ComponentMeasurement& c : m.components) {
    for (const std::string& note : c.notes) notes += fmt::format("  {}: {}\n", c.name, note);
  }
  for (const std::string& note : pipeline.notes) notes += fmt::format("  {}\n", note);
  if (!notes.empty()) out += "\nnotes:\n" + notes;
}

}  // namespace

std::string RenderInspectText(const Pipeline& pipeline, const PipelineMeasurement& m) {
  std::string out = Title(pipeline, m);
  AppendComponentRows(m, out);
  const SeedQuantities& s = m.seed;
  out += fmt::format("\nseed quantities ({}; denoiser: {}):\n", LoadDTypeName(m.load_dtype),
                     s.denoiser.empty() ? "none" : s.denoiser);
  std::string largest_block, largest_leaf;
  for (const ComponentMeasurement& c : m.components) {
    if (c.name == s.denoiser) {
      largest_block = c.largest_block;
      largest_leaf = c.largest_leaf;
    }
  }
  out += fmt::format("  S_total     {:>10}  all components\n", FormatGiB(s.s_total));
  out += fmt::format("  S_max       {:>10}  largest component\n", FormatGiB(s.s_max));
  out += fmt::format("  S_block     {:>10}  largest denoiser block{}\n", FormatGiB(s.s_block),
                     largest_block.empty() ? "" : " (" + largest_block + ")");
  out += fmt::format("  S_leaf      {:>10}  largest denoiser leaf module{}\n", FormatGiB(s.s_leaf),
                     largest_leaf.empty() ? "" : " (" + largest_leaf + ")");
  out += fmt::format("  S_total_lc  {:>10}  S_total with the denoiser in fp8 layerwise casting\n",
                     FormatGiB(s.s_total_lc));
  out += fmt::format("  S_max_lc    {:>10}  S_max with the denoiser in fp8 layerwise casting\n",
                     FormatGiB(s.s_max_lc));
  AppendNotes(pipeline, m, out);
  return out;
}

}  // namespace pipefit
