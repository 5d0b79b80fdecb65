#include "pipefit/doctor/oom_log.h"

#include <algorithm>
#include <cctype>

#include "pipefit/doctor/stage_patterns.h"
#include "pipefit/doctor/traceback.h"

namespace pipefit {
namespace {

// --- numbers with units --------------------------------------------------

struct Unit {
  std::string_view name;
  int64_t bytes;
};
// Longest names first so "GiB" is not read as "G".
constexpr Unit kUnits[] = {
    {"bytes", 1},
    {"TiB", int64_t{1} << 40},
    {"GiB", int64_t{1} << 30},
    {"MiB", int64_t{1} << 20},
    {"KiB", int64_t{1} << 10},
    {"TB", 1000000000000},
    {"GB", 1000000000},
    {"MB", 1000000},
    {"KB", 1000},
    {"kB", 1000},
    {"B", 1},
};

// Parses "23.64 GiB" at the start of `text` (after spaces): the printed
// decimal times the unit, rounded half up, in integer arithmetic. nullopt
// when there is no number with a known unit or it overflows.
std::optional<Bytes> ParseQuantity(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  __int128 digits = 0;
  int frac = 0, count = 0;
  bool dot = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c == ',' && !dot) continue;  // "36,651 MB"
    if (c < '0' || c > '9') break;
    // 24 digits times the largest unit (2^40) times 2 stays inside
    // __int128; no real message prints that many.
    if (++count > 24) return std::nullopt;
    digits = digits * 10 + (c - '0');
    if (dot) ++frac;
  }
  if (count == 0) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  for (const Unit& unit : kUnits) {
    if (text.substr(i, unit.name.size()) != unit.name) continue;
    const size_t after = i + unit.name.size();
    if (after < text.size() && std::isalpha(static_cast<unsigned char>(text[after]))) continue;
    __int128 scale = 1;
    for (int k = 0; k < frac; ++k) scale *= 10;
    const __int128 value = (digits * unit.bytes * 2 + scale) / (2 * scale);
    if (value > static_cast<__int128>(INT64_MAX)) return std::nullopt;
    return static_cast<Bytes>(value);
  }
  return std::nullopt;
}

// The quantity right after `phrase` in `text`.
std::optional<Bytes> After(std::string_view text, std::string_view phrase) {
  const size_t at = text.find(phrase);
  if (at == std::string_view::npos) return std::nullopt;
  return ParseQuantity(text.substr(at + phrase.size()));
}

// The quantity right before `phrase` ("14.12 GiB reserved in total"):
// back over the unit's letters, spaces, then the number's digits.
std::optional<Bytes> Before(std::string_view text, std::string_view phrase) {
  const size_t at = text.find(phrase);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  size_t start = at;
  while (start > 0 && text[start - 1] == ' ') --start;
  while (start > 0 && std::isalpha(static_cast<unsigned char>(text[start - 1]))) --start;
  while (start > 0 && text[start - 1] == ' ') --start;
  const size_t number_end = start;
  while (start > 0 && (std::isdigit(static_cast<unsigned char>(text[start - 1])) || text[start - 1] == '.' ||
                       text[start - 1] == ',')) {
    --start;
  }
  if (start == number_end) return std::nullopt;
  return ParseQuantity(text.substr(start, at - start));
}

// The quantity after a "Label     : 1.5 GiB" line label (the allocator's
// table under an "Allocation on device" message).
std::optional<Bytes> Labelled(std::string_view text, std::string_view label) {
  const size_t at = text.find(label);
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + label.size();
  while (i < text.size() && text[i] == ' ') ++i;
  if (i >= text.size() || text[i] != ':') return std::nullopt;
  return ParseQuantity(text.substr(i + 1));
}

std::optional<int64_t> IntegerAfter(std::string_view text, std::string_view phrase) {
  const size_t at = text.find(phrase);
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + phrase.size();
  int64_t value = 0;
  int count = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && count < 12) {
    value = value * 10 + (text[i++] - '0');
    ++count;
  }
  if (count == 0) return std::nullopt;
  return value;
}

// --- lines ---------------------------------------------------------------

struct MessageKind {
  std::string_view phrase;
  OomKind kind;
};
// What makes a line an OOM message (CONTRACT.md `doctor` kinds).
constexpr MessageKind kMessages[] = {
    {"CUDA out of memory", OomKind::kCuda},
    {"CUDA error: out of memory", OomKind::kCuda},
    // PyTorch's allocator when a memory fraction is set (ComfyUI sets one):
    // "Allocation on device 0 would exceed allowed memory. (out of memory)";
    // ComfyUI also prints just "Allocation on device".
    {"Allocation on device", OomKind::kCuda},
    {"cudaMalloc failed: out of memory", OomKind::kCuda},
    // ComfyUI (and Fooocus's fork) catch the decode OOM and retry tiled.
    {"Ran out of memory when regular VAE decoding", OomKind::kCuda},
    {"HIP out of memory", OomKind::kHip},
    {"HIP error: out of memory", OomKind::kHip},
    {"MPS backend out of memory", OomKind::kMps},
    {"DefaultCPUAllocator: can't allocate memory", OomKind::kHost},
    {"DefaultCPUAllocator: not enough memory", OomKind::kHost},
    {"std::bad_alloc", OomKind::kHost},
    {"Out of memory: Killed process", OomKind::kHost},
};

std::optional<OomKind> MessageKindOf(std::string_view line) {
  for (const MessageKind& m : kMessages) {
    if (line.find(m.phrase) != std::string_view::npos) return m.kind;
  }
  // The kernel's OOM killer: the shell prints "Killed" (bash) or
  // "zsh: killed ..." as the last words of the run.
  std::string_view trimmed = line;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
  // IPython's header names the exception before its traceback
  // ("OutOfMemoryError      Traceback (most recent call last)"): an OOM
  // even when the paste stops before the message.
  if (trimmed.find("Traceback (most recent call last)") != std::string_view::npos &&
      (trimmed.starts_with("OutOfMemoryError ") || trimmed.starts_with("torch.OutOfMemoryError ") ||
       trimmed.starts_with("torch.cuda.OutOfMemoryError ")))
    return OomKind::kCuda;
  // Only the exception's name, as UIs print it ("generating image for xyz
  // plot: OutOfMemoryError").
  if (trimmed == "OutOfMemoryError" || trimmed.ends_with(": OutOfMemoryError") ||
      trimmed.ends_with(" OutOfMemoryError") || trimmed.ends_with("torch.cuda.OutOfMemoryError") ||
      trimmed.ends_with("torch.OutOfMemoryError"))
    return OomKind::kCuda;
  // Python's MemoryError (not torch.OutOfMemoryError, handled above).
  if (trimmed.starts_with("MemoryError")) return OomKind::kHost;
  if (trimmed == "Killed" || trimmed.starts_with("Killed ") ||
      trimmed.find(": killed ") != std::string_view::npos) {
    return OomKind::kHost;
  }
  return std::nullopt;
}

void ReadNumbers(std::string_view m, OomReport& r) {
  r.requested = After(m, "Tried to allocate");
  if (!r.requested) r.requested = Labelled(m, "Requested");
  if (!r.requested) r.requested = After(m, "you tried to allocate");
  r.gpu_total = After(m, "total capacity of");
  if (!r.gpu_total) r.gpu_total = After(m, "total capacty of");  // PyTorch 2.1's typo
  if (!r.gpu_total) r.gpu_total = Before(m, " total capacity");
  if (!r.gpu_total) r.gpu_total = After(m, "max allowed:");
  if (!r.gpu_total) r.gpu_total = Labelled(m, "Device limit");
  r.gpu_free = After(m, "of which");
  if (!r.gpu_free) r.gpu_free = Before(m, " free;");
  if (!r.gpu_free) r.gpu_free = Before(m, " free)");
  if (!r.gpu_free) r.gpu_free = Labelled(m, "Free (according to CUDA)");
  r.process_in_use = After(m, "this process has");
  r.allocated_by_pytorch = After(m, "Of the allocated memory");
  if (!r.allocated_by_pytorch) r.allocated_by_pytorch = Before(m, " already allocated");
  if (!r.allocated_by_pytorch) r.allocated_by_pytorch = After(m, "MPS allocated:");
  if (!r.allocated_by_pytorch) r.allocated_by_pytorch = Labelled(m, "Currently allocated");
  r.reserved_unallocated = Before(m, " is reserved by PyTorch but unallocated");
  r.reserved_total = Before(m, " reserved in total by PyTorch");
  r.other_allocations = After(m, "other allocations:");
  if (auto gpu = IntegerAfter(m, "GPU ")) r.gpu_index = static_cast<int>(*gpu);
  r.other_processes.clear();
  for (size_t at = m.find("Process "); at != std::string_view::npos; at = m.find("Process ", at + 8)) {
    const std::string_view rest = m.substr(at);
    const auto pid = IntegerAfter(rest, "Process ");
    const auto bytes = After(rest.substr(0, std::min<size_t>(rest.size(), 80)), " has ");
    if (pid && bytes) r.other_processes.push_back({*pid, *bytes});
  }
}

// The message may wrap: join the OOM line with following lines that
// continue it (not blank, not a new traceback or log record), up to 6.
std::string MessageText(const std::vector<std::string>& lines, size_t at) {
  std::string text = lines[at];
  for (size_t i = at + 1; i < lines.size() && i < at + 6; ++i) {
    const std::string& next = lines[i];
    // A1111 (2022) printed the numbers after a blank line:
    // "RuntimeError: CUDA out of memory.", "", "Tried to allocate 12.00 GiB (GPU 0; ...".
    if (next.empty() && i + 1 < lines.size() && lines[i + 1].starts_with("Tried to allocate")) continue;
    if (next.empty() || next.starts_with("Traceback") || MessageKindOf(next)) break;
    text += " " + next;
  }
  return text;
}

bool MessageTruncated(const OomReport& r, std::string_view text) {
  if (r.kind != OomKind::kCuda && r.kind != OomKind::kHip) return false;
  if (text.find("error: out of memory") != std::string_view::npos) return false;
  // The allocator's fraction message has no reserved figures.
  if (text.find("Allocation on device") != std::string_view::npos) return false;
  // The current format ends with the reserved-but-unallocated figure, the
  // old one with the reserved total; the message was cut if neither is there.
  const bool complete = r.reserved_unallocated || r.reserved_total;
  return !complete && text.find("out of memory") != std::string_view::npos;
}

// --- stage ---------------------------------------------------------------

using Frame = TraceFrame;

bool RowMatches(const StagePattern& row, const Frame& f) {
  return (row.path.empty() || f.path.find(row.path) != std::string::npos) &&
         (row.function.empty() || f.function == row.function) &&
         (row.source.empty() || f.source.find(row.source) != std::string::npos);
}

std::string VaeCall(const std::vector<Frame>& frames) {
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    const std::string& fn = it->function;
    if (fn == "encode" || fn == "_encode" || fn == "tiled_encode" ||
        it->source.find("vae.encode(") != std::string::npos)
      return "encode";
    if (fn == "decode" || fn == "_decode" || fn == "tiled_decode" || fn == "decode_tiled" ||
        it->source.find("vae.decode(") != std::string::npos)
      return "decode";
  }
  return "decode";
}

// The first frame (innermost first) matching a row of `stage`.
bool MatchAnywhere(const std::vector<Frame>& frames, OomStage stage, OomReport& r) {
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    for (const StagePattern& row : FrameStagePatterns()) {
      if (row.stage != stage || !RowMatches(row, *it)) continue;
      r.stage = stage;
      r.stage_evidence = it->text + (it->source.empty() ? "" : " | " + it->source.substr(0, 200));
      if (stage == OomStage::kVaeDecode) r.vae_call = row.vae_call.empty() ? VaeCall(frames) : row.vae_call;
      return true;
    }
  }
  return false;
}

bool UnderOffloadHook(const std::vector<Frame>& frames) {
  for (const Frame& f : frames) {
    if (f.path.find("accelerate/hooks.py") != std::string::npos) return true;
    if (f.path.find("diffusers/hooks/") != std::string::npos) return true;  // group offloading
  }
  return false;
}

bool StageFromFrames(const std::vector<Frame>& frames, OomReport& r) {
  const auto patterns = FrameStagePatterns();
  if (MatchAnywhere(frames, OomStage::kTraining, r) || MatchAnywhere(frames, OomStage::kVaeDecode, r))
    return true;
  const bool hooked = UnderOffloadHook(frames);
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    for (const StagePattern& row : patterns) {
      if (row.stage == OomStage::kTraining || row.stage == OomStage::kVaeDecode || !RowMatches(row, *it))
        continue;
      if (hooked && row.stage == OomStage::kLoading) continue;
      r.stage = row.stage;
      r.stage_evidence = it->text + (it->source.empty() ? "" : " | " + it->source.substr(0, 200));
      if (row.stage == OomStage::kVaeDecode)
        r.vae_call = row.vae_call.empty() ? VaeCall(frames) : row.vae_call;
      return true;
    }
  }
  return false;
}

// Bare source lines match only the rows that name a source line.
bool StageFromSources(const std::vector<Frame>& sources, OomReport& r) {
  for (auto it = sources.rbegin(); it != sources.rend(); ++it) {
    for (const StagePattern& row : FrameStagePatterns()) {
      if (row.source.empty() || !row.path.empty() || !row.function.empty() || !RowMatches(row, *it)) continue;
      r.stage = row.stage;
      r.stage_evidence = "source line: " + it->source.substr(0, 200);
      if (row.stage == OomStage::kVaeDecode) r.vae_call = row.vae_call.empty() ? "decode" : row.vae_call;
      return true;
    }
  }
  return false;
}

// "100%|██████████| 28/28 [00:49<00:00,  1.77s/it]": a progress bar whose
// count reached its total.
bool FinishedBar(std::string_view line) {
  const size_t bracket = line.rfind(" [");
  if (bracket == std::string_view::npos) return false;
  size_t end = bracket;
  size_t start = end;
  while (start > 0 && (std::isdigit(static_cast<unsigned char>(line[start - 1])) || line[start - 1] == '/'))
    --start;
  const std::string_view count = line.substr(start, end - start);
  const size_t slash = count.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= count.size()) return false;
  return count.substr(0, slash) == count.substr(slash + 1);
}

// The ComfyUI node a log line names as executing: "Error occurred when
// executing VAEDecode:", "- **Node Type:** VAEDecode", or a line that is
// only a CamelCase name (the UI's error box); "" when none.
std::string_view NodeNamed(std::string_view line) {
  auto word_at = [&](size_t at) {
    size_t end = at;
    while (end < line.size() && (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_'))
      ++end;
    return line.substr(at, end - at);
  };
  for (std::string_view lead : {"when executing ", "Node Type:** ", "Node Type: "}) {
    const size_t at = line.find(lead);
    if (at != std::string_view::npos) return word_at(at + lead.size());
  }
  std::string_view trimmed = line;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())))
    trimmed.remove_suffix(1);
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front())))
    trimmed.remove_prefix(1);
  if (trimmed.empty() || !std::isupper(static_cast<unsigned char>(trimmed.front()))) return {};
  return word_at(static_cast<size_t>(trimmed.data() - line.data())).size() == trimmed.size()
             ? trimmed
             : std::string_view{};
}

const NodePattern* NodeStage(std::string_view name, std::span<const NodePattern> table) {
  if (name.empty()) return nullptr;
  for (const NodePattern& row : table)
    if (!row.suffix && row.name == name) return &row;
  for (const NodePattern& row : table)
    if (row.suffix && name.size() > row.name.size() && name.ends_with(row.name)) return &row;
  return nullptr;
}
const NodePattern* NodeStage(std::string_view name) { return NodeStage(name, ComfyNodeStagePatterns()); }

// InvokeAI's "Graph stats:" table printed after the failure: its last row
// names the node that was running (`l2i 1 14.2s 3.1G`).
bool StageFromInvokeGraphStats(const std::vector<std::string>& lines, size_t message, OomReport& r) {
  for (size_t i = message + 1; i < lines.size() && i < message + 80; ++i) {
    if (lines[i].find("Graph stats:") == std::string::npos) continue;
    std::string last_row, last_name;
    for (size_t j = i + 1; j < lines.size() && j < i + 60; ++j) {
      std::string_view t = lines[j];
      while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
      const size_t space = t.find(' ');
      if (space == std::string_view::npos || space == 0) break;
      const std::string_view name = t.substr(0, space);
      std::string_view rest = t.substr(space);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      if (name == "Node") continue;  // the header
      if (rest.empty() || !std::isdigit(static_cast<unsigned char>(rest.front()))) break;
      last_name = std::string(name);
      last_row = lines[j];
    }
    const NodePattern* node = NodeStage(last_name, InvokeNodeStagePatterns());
    if (node == nullptr) return false;
    r.stage = node->stage;
    r.stage_evidence = "InvokeAI node running: " + last_row.substr(0, 180);
    if (!node->vae_call.empty()) r.vae_call = std::string(node->vae_call);
    return true;
  }
  return false;
}

// The message line itself counts (Forge appends "CUDA error: out of memory"
// to its "[Memory Management] Target: KModel ..." line).
void StageFromContext(const std::vector<std::string>& lines, size_t message, OomReport& r) {
  const size_t stop = message > 400 ? message - 400 : 0;
  for (size_t i = message + 1; i > stop; --i) {
    const std::string& line = lines[i - 1];
    if (const NodePattern* node = NodeStage(NodeNamed(line))) {
      r.stage = node->stage;
      r.stage_evidence = "ComfyUI node: " + line.substr(0, 190);
      if (!node->vae_call.empty()) r.vae_call = std::string(node->vae_call);
      return;
    }
    for (const ContextPattern& row : ContextStagePatterns()) {
      if (line.find(row.text) == std::string::npos) continue;
      const bool finished = row.progress_bar && FinishedBar(line);
      // A finished loading bar says nothing of what ran after it.
      if (finished &&
          (line.find("Loading") != std::string::npos || line.find("loading") != std::string::npos))
        break;
      r.stage = row.stage;
      r.stage_evidence = line.substr(0, 200);
      if (row.stage == OomStage::kVaeDecode) r.vae_call = "decode";
      // Denoising finished and nothing else started: the VAE decodes next.
      if (row.stage == OomStage::kDenoising && finished) {
        r.stage = OomStage::kVaeDecode;
        r.vae_call = "decode";
        r.stage_evidence = "finished denoising bar: " + line.substr(0, 180);
      }
      return;
    }
  }
}

// "org/name" passed to from_pretrained / from_single_file in any line.
void FindModelIds(const std::string& line, std::vector<std::string>& ids) {
  for (std::string_view call : {"from_pretrained(", "from_single_file("}) {
    for (size_t at = line.find(call); at != std::string::npos; at = line.find(call, at + 1)) {
      size_t q = at + call.size();
      while (q < line.size() && line[q] == ' ') ++q;
      if (q >= line.size() || (line[q] != '"' && line[q] != '\'')) continue;
      const size_t end = line.find(line[q], q + 1);
      if (end == std::string::npos) continue;
      std::string id = line.substr(q + 1, end - q - 1);
      const bool repo = id.find('/') != std::string::npos && id.find(' ') == std::string::npos &&
                        id.size() < 200 && id.front() != '/' && id.front() != '.';
      if (repo && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
}

// `name=1536` (an integer literal) anywhere in the line.
void FindIntArgument(const std::string& line, std::string_view name, std::optional<int>& out) {
  if (out) return;
  for (size_t at = line.find(name); at != std::string::npos; at = line.find(name, at + 1)) {
    if (at > 0 && (std::isalnum(static_cast<unsigned char>(line[at - 1])) || line[at - 1] == '_')) continue;
    const auto value = IntegerAfter(std::string_view(line).substr(at), name);
    if (value && *value > 0 && *value <= 100000) {
      out = static_cast<int>(*value);
      return;
    }
  }
}

void FindWorkload(const std::string& line, OomReport& r) {
  if (line.find('=') == std::string::npos) return;
  FindIntArgument(line, "height=", r.height);
  FindIntArgument(line, "width=", r.width);
  FindIntArgument(line, "num_frames=", r.frames);
  FindIntArgument(line, "num_inference_steps=", r.steps);
  FindIntArgument(line, "num_images_per_prompt=", r.batch);
}

}  // namespace

const char* OomKindName(OomKind kind) {
  switch (kind) {
    case OomKind::kCuda:
      return "cuda_oom";
    case OomKind::kHip:
      return "hip_oom";
    case OomKind::kMps:
      return "mps_oom";
    case OomKind::kHost:
      return "host_oom";
    case OomKind::kNotOom:
      return "not_oom";
  }
  return "not_oom";
}

const char* OomStageName(OomStage stage) {
  switch (stage) {
    case OomStage::kLoading:
      return "loading";
    case OomStage::kTextEncoding:
      return "text_encoding";
    case OomStage::kDenoising:
      return "denoising";
    case OomStage::kVaeDecode:
      return "vae_decode";
    case OomStage::kTraining:
      return "training";
    case OomStage::kUnknown:
      return "unknown";
  }
  return "unknown";
}

OomReport ParseOomLog(std::string_view log) {
  OomReport r;
  const std::vector<std::string> lines = SplitLogLines(log);
  std::optional<size_t> message;
  bool announced = false;  // ComfyUI's "!!! Exception during processing !!! X" before X's traceback
  for (size_t i = 0; i < lines.size(); ++i) {
    FindModelIds(lines[i], r.model_ids);
    FindWorkload(lines[i], r);
    const auto kind = MessageKindOf(lines[i]);
    if (!kind) continue;
    // A continuation of the same message (wrapped) is not a new one.
    if (message && i > 0 && *message == i - 1 && MessageKindOf(lines[i - 1]) == kind) continue;
    if (!announced) ++r.oom_messages;
    announced = lines[i].find("Exception during processing") != std::string::npos ||
                lines[i].find("Traceback (most recent call last)") != std::string::npos;
    message = i;
    r.kind = *kind;
  }
  if (!message) return r;
  const std::string text = MessageText(lines, *message);
  r.line = static_cast<int>(*message) + 1;
  r.message = text.substr(0, 500);
  ReadNumbers(text, r);
  // Only IPython's header: the paste stopped before the message.
  r.truncated = MessageTruncated(r, text) ||
                lines[*message].find("Traceback (most recent call last)") != std::string::npos;
  // The traceback above the message; else one pasted under it; else bare
  // source lines above it; else the log's own lines.
  if (!StageFromFrames(FramesBefore(lines, *message), r) &&
      !StageFromFrames(FramesAfter(lines, *message), r) &&
      !StageFromSources(OrphanSourceLines(lines, *message), r) &&
      !StageFromInvokeGraphStats(lines, *message, r))
    StageFromContext(lines, *message, r);
  return r;
}

}  // namespace pipefit
