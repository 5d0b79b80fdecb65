// Reads an out-of-memory log or traceback (CONTRACT.md `doctor`): which kind
// of failure (CUDA, HIP, MPS, host, or not an OOM), at which pipeline stage
// (from the traceback frames and log context, stage_patterns.cc), and the
// numbers the message carries, converted to exact byte counts of the
// printed quantities: the printed decimal times the unit (GiB/MiB/KiB
// powers of 1024, GB/MB/KB powers of 1000, B/bytes exact), rounded half up
// to a whole byte, in integer arithmetic. Pure: no I/O; linear in the log's
// size.
#ifndef PIPEFIT_DOCTOR_OOM_LOG_H_
#define PIPEFIT_DOCTOR_OOM_LOG_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/bytes.h"

namespace pipefit {

enum class OomKind { kCuda, kHip, kMps, kHost, kNotOom };
// CONTRACT.md's stages; VAE encode and decode share kVaeDecode ("the VAE
// stage"), with OomReport::vae_call saying which.
enum class OomStage { kLoading, kTextEncoding, kDenoising, kVaeDecode, kTraining, kUnknown };

const char* OomKindName(OomKind kind);     // "cuda_oom", "hip_oom", "mps_oom", "host_oom", "not_oom"
const char* OomStageName(OomStage stage);  // "loading", "text_encoding", "denoising", "vae_decode",
                                           // "training", "unknown"

// Memory held by another process ("Process 1234 has 3.20 GiB memory in use").
struct OtherProcess {
  int64_t pid = 0;
  Bytes bytes = 0;
};

struct OomReport {
  OomKind kind = OomKind::kNotOom;
  OomStage stage = OomStage::kUnknown;
  // The numbers, when the message prints them.
  std::optional<Bytes> requested;             // "Tried to allocate X"
  std::optional<Bytes> gpu_total;             // "total capacity of Y" / MPS "max allowed"
  std::optional<Bytes> gpu_free;              // "of which Z is free"
  std::optional<Bytes> process_in_use;        // "this process has W memory in use"
  std::optional<Bytes> allocated_by_pytorch;  // "A is allocated by PyTorch" / "A already allocated"
  std::optional<Bytes> reserved_unallocated;  // "B is reserved by PyTorch but unallocated"
  std::optional<Bytes> reserved_total;        // old format: "R reserved in total by PyTorch"
  std::optional<Bytes> other_allocations;     // MPS "other allocations"
  std::optional<int> gpu_index;               // "GPU 0"
  std::vector<OtherProcess> other_processes;
  std::string message;                 // the OOM line itself (trimmed, at most 500 bytes)
  int line = 0;                        // 1-based line of that message; 0 when none
  std::string stage_evidence;          // the frame or log line that decided the stage
  std::string vae_call;                // "decode" | "encode" when the stage is the VAE's
  std::vector<std::string> model_ids;  // "org/name" passed to from_pretrained in the log
  // Generation arguments written as literals in the log's source lines
  // (`pipe(prompt, height=1536, width=1536)`), so a plan can use them.
  std::optional<int> height, width, frames, steps, batch;
  bool truncated = false;  // the message was cut before its numbers
  int oom_messages = 0;    // OOM messages seen (several processes, retries)
};

OomReport ParseOomLog(std::string_view log);

}  // namespace pipefit

#endif  // PIPEFIT_DOCTOR_OOM_LOG_H_
