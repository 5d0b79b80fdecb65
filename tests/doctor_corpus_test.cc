// The doctor's log corpus: every tests/data/doctor/*.log is a log as users
// paste it into issues (script prints, tqdm bars, warnings, a Python
// traceback with real diffusers/torch/transformers/accelerate frames, then
// the error), and its row below holds the OomReport that ParseOomLog must
// return, field by field, exactly. Byte counts are the printed decimal times
// the unit (GiB/MiB/KiB powers of 1024, GB/MB/KB powers of 1000, bytes
// exact) rounded half up to a whole byte; the printed text is in the comment
// next to each. `line` is the 1-based line of the OOM message that counts
// (the last one). VAE encode and decode are both OomStage::kVaeDecode, with
// vae_call saying which. Not-an-OOM logs have no stage, no numbers, line 0.
//
// Also: empty input, 1 MiB of random bytes, a 100 MiB log whose last lines
// are an OOM, a 10 MB line without newlines, and numbers too large for
// int64.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pipefit/doctor/oom_log.h"

namespace pipefit {
namespace {

const char kCorpusDir[] = PIPEFIT_SOURCE_DIR "/tests/data/doctor/";

struct CorpusCase {
  const char* file = "";
  OomKind kind = OomKind::kNotOom;
  OomStage stage = OomStage::kUnknown;
  const char* vae_call = "";
  std::optional<Bytes> requested;
  std::optional<Bytes> gpu_total;
  std::optional<Bytes> gpu_free;
  std::optional<Bytes> process_in_use;
  std::optional<Bytes> allocated_by_pytorch;
  std::optional<Bytes> reserved_unallocated;
  std::optional<Bytes> reserved_total;
  std::optional<Bytes> other_allocations;
  std::optional<int> gpu_index;
  std::vector<OtherProcess> other_processes;
  int line = 0;
  std::vector<std::string> model_ids;
  bool truncated = false;
  int oom_messages = 0;
};

// gtest prints the parameter of a failing case: the file name says it all.
void PrintTo(const CorpusCase& c, std::ostream* os) { *os << c.file; }

// clang-format off
const std::vector<CorpusCase>& Corpus() {
  static const std::vector<CorpusCase> cases = {
    {.file = "cuda_flux_denoise_attention.log",
     // PyTorch 2.5 message; FLUX transformer -> attention_dispatch -> SDPA under model offload hooks
     .kind = OomKind::kCuda,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = 20971520,  // "20.00 MiB"
     .gpu_total = 25383256719,  // "23.64 GiB"
     .gpu_free = 12907971,  // "12.31 MiB"
     .process_in_use = 25361781883,  // "23.62 GiB"
     .allocated_by_pytorch = 24878598062,  // "23.17 GiB"
     .reserved_unallocated = 21139292,  // "20.16 MiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 61,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_sdxl_unet_other_processes.log",
     // PyTorch 2.4 message with two other processes; SDXL UNet up block -> attention processor -> SDPA
     .kind = OomKind::kCuda,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = 671088640,  // "640.00 MiB"
     .gpu_total = 12584254177,  // "11.72 GiB"
     .gpu_free = 422251069,  // "402.69 MiB"
     .process_in_use = 7569879859,  // "7.05 GiB"
     .allocated_by_pytorch = 6947109601,  // "6.47 GiB"
     .reserved_unallocated = 414208492,  // "395.02 MiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {{12345, 3435973837}, {12391, 1138166333}},  // "3.20 GiB", "1.06 GiB"
     .line = 49,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_old_sd15_unet_baddbmm.log",
     // PyTorch 1.13 message (GPU 0; ... total capacity; ...); SD 1.5 UNet attention baddbmm
     .kind = OomKind::kCuda,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = 1073741824,  // "1024.00 MiB"
     .gpu_total = 16943645983,  // "15.78 GiB"
     .gpu_free = 627247677,  // "598.19 MiB"
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = 14989435863,  // "13.96 GiB"
     .reserved_unallocated = std::nullopt,
     .reserved_total = 15161234555,  // "14.12 GiB"
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 39,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_old_zero_free_vae_attention.log",
     // PyTorch 2.0 old-format message with '0 bytes free'; SDXL VAE decode, mid-block attention (the VAE, not the denoiser)
     .kind = OomKind::kCuda,
     .stage = OomStage::kVaeDecode,
     .vae_call = "decode",
     .requested = 8589934592,  // "8.00 GiB"
     .gpu_total = 25393994138,  // "23.65 GiB"
     .gpu_free = 0,  // "0 bytes"
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = 15322295828,  // "14.27 GiB"
     .reserved_unallocated = std::nullopt,
     .reserved_total = 18790481920,  // "17.50 GiB"
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 33,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_torch21_capacty_tiled_decode.log",
     // PyTorch 2.1 message (its 'total capacty' typo; in a container the process itself is listed as 'Process N'); SDXL tiled_decode
     .kind = OomKind::kCuda,
     .stage = OomStage::kVaeDecode,
     .vae_call = "decode",
     .requested = 2415919104,  // "2.25 GiB"
     .gpu_total = 8364448809,  // "7.79 GiB"
     .gpu_free = 1105954079,  // "1.03 GiB"
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = 4702989189,  // "4.38 GiB"
     .reserved_unallocated = 2362232013,  // "2.20 GiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {{2803, 7237019894}},  // "6.74 GiB"
     .line = 54,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "hip_sdxl_denoise.log",
     // ROCm build: 'HIP out of memory', no per-process line; SDXL UNet down block -> SDPA at 2048x2048
     .kind = OomKind::kHip,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = 10737418240,  // "10.00 GiB"
     .gpu_total = 25748328940,  // "23.98 GiB"
     .gpu_free = 6259914834,  // "5.83 GiB"
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = 18425409700,  // "17.16 GiB"
     .reserved_unallocated = 895043502,  // "853.58 MiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 65,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "hip_old_deepfloyd_t5_encode_prompt.log",
     // ROCm PyTorch 2.0 old-format HIP message; DeepFloyd IF encode_prompt -> T5 encoder self-attention
     .kind = OomKind::kHip,
     .stage = OomStage::kTextEncoding,
     .vae_call = "",
     .requested = 67108864,  // "64.00 MiB"
     .gpu_total = 17158394348,  // "15.98 GiB"
     .gpu_free = 23068672,  // "22.00 MiB"
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = 16535624090,  // "15.40 GiB"
     .reserved_unallocated = std::nullopt,
     .reserved_total = 16739635036,  // "15.59 GiB"
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 36,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "mps_sd3_denoise.log",
     // Apple MPS message (GiB units); SD3 transformer joint attention. 'MPS allocated' is PyTorch's own allocation
     .kind = OomKind::kMps,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = 268435456,  // "256.00 MiB"
     .gpu_total = 19466939269,  // "18.13 GiB"
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = 18790481920,  // "17.50 GiB"
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = 1363652116,  // "1.27 GiB"
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 47,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "mps_old_gb_units_vae_decode.log",
     // PyTorch 2.0 MPS message printing 'GB' (decimal units, taken as printed); SD 1.5 decode_latents -> vae.decode -> upsampler conv
     .kind = OomKind::kMps,
     .stage = OomStage::kVaeDecode,
     .vae_call = "decode",
     .requested = 1000000000,  // "1.00 GB"
     .gpu_total = 6770000000,  // "6.77 GB"
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = 5050000000,  // "5.05 GB"
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = 2290000000,  // "2.29 GB"
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 42,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_async_error_xformers_denoise.log",
     // asynchronous 'CUDA error: out of memory' (no numbers); SDXL UNet mid block -> xformers
     .kind = OomKind::kCuda,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = std::nullopt,
     .gpu_total = std::nullopt,
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = std::nullopt,
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 59,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "host_killed_loading_shards.log",
     // the kernel's OOM killer: 'Killed' as the last line, after a T5 'Loading checkpoint shards' bar (tqdm's cursor-up codes kept)
     .kind = OomKind::kHost,
     .stage = OomStage::kLoading,
     .vae_call = "",
     .requested = std::nullopt,
     .gpu_total = std::nullopt,
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = std::nullopt,
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 10,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "host_bad_alloc_loading.log",
     // C++ std::bad_alloc abort (one message over two lines) while 'Loading pipeline components...'
     .kind = OomKind::kHost,
     .stage = OomStage::kLoading,
     .vae_call = "",
     .requested = std::nullopt,
     .gpu_total = std::nullopt,
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = std::nullopt,
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 4,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "host_cpu_allocator_not_enough_memory_denoise.log",
     // DefaultCPUAllocator 'not enough memory' (bytes); SD 2.1 on the CPU, attention scores of 10 x 34560^2 floats
     .kind = OomKind::kHost,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = 47775744000,  // "47775744000 bytes"
     .gpu_total = std::nullopt,
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = std::nullopt,
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 63,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "host_cpu_allocator_cant_allocate_old.log",
     // PyTorch 1.12 DefaultCPUAllocator "can't allocate memory ... Error code 12"; diffusers 0.9 CrossAttention on the CPU
     .kind = OomKind::kHost,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = 95551488000,  // "95551488000 bytes"
     .gpu_total = std::nullopt,
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = std::nullopt,
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 33,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "host_windows_crlf_load_state_dict.log",
     // Windows, CRLF line ends, backslash paths: from_single_file -> load_state_dict -> torch.load, DefaultCPUAllocator
     .kind = OomKind::kHost,
     .stage = OomStage::kLoading,
     .vae_call = "",
     .requested = 151781376,  // "151781376 bytes"
     .gpu_total = std::nullopt,
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = std::nullopt,
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 25,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_pipe_to_cuda_flux_model_id.log",
     // pipe.to("cuda") -> Module.to -> _apply -> convert; the from_pretrained("black-forest-labs/FLUX.1-dev", ...) line shows the model id
     .kind = OomKind::kCuda,
     .stage = OomStage::kLoading,
     .vae_call = "",
     .requested = 75497472,  // "72.00 MiB"
     .gpu_total = 25286619955,  // "23.55 GiB"
     .gpu_free = 35588669,  // "33.94 MiB"
     .process_in_use = 25232932864,  // "23.50 GiB"
     .allocated_by_pytorch = 24792698716,  // "23.09 GiB"
     .reserved_unallocated = 1300234,  // "1.24 MiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 30,
     .model_ids = {"black-forest-labs/FLUX.1-dev"},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_from_pretrained_load_model_dict_into_meta.log",
     // from_pretrained(..., device_map="cuda") -> load_model_dict_into_meta -> set_module_tensor_to_device; KiB unit
     .kind = OomKind::kCuda,
     .stage = OomStage::kLoading,
     .vae_call = "",
     .requested = 150994944,  // "144.00 MiB"
     .gpu_total = 16857746637,  // "15.70 GiB"
     .gpu_free = 106493379,  // "101.56 MiB"
     .process_in_use = 16739635036,  // "15.59 GiB"
     .allocated_by_pytorch = 16503411835,  // "15.37 GiB"
     .reserved_unallocated = 524288,  // "512.00 KiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 21,
     .model_ids = {"stabilityai/stable-diffusion-3.5-large"},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_flux_t5_text_encoding.log",
     // gradio app; FLUX encode_prompt -> _get_t5_prompt_embeds -> T5 forward (through an offload hook; the source line has .to(device))
     .kind = OomKind::kCuda,
     .stage = OomStage::kTextEncoding,
     .vae_call = "",
     .requested = 41943040,  // "40.00 MiB"
     .gpu_total = 12584254177,  // "11.72 GiB"
     .gpu_free = 30607933,  // "29.19 MiB"
     .process_in_use = 12541304504,  // "11.68 GiB"
     .allocated_by_pytorch = 12272869048,  // "11.43 GiB"
     .reserved_unallocated = 46042972,  // "43.91 MiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 71,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_model_offload_hook_moves_transformer.log",
     // enable_model_cpu_offload: the hook moving the FLUX transformer to the GPU for its forward (innermost frames are Module.to, the stage is the denoiser call)
     .kind = OomKind::kCuda,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = 150994944,  // "144.00 MiB"
     .gpu_total = 16750372454,  // "15.60 GiB"
     .gpu_free = 93449093,  // "89.12 MiB"
     .process_in_use = 16642998272,  // "15.50 GiB"
     .allocated_by_pytorch = 16406775071,  // "15.28 GiB"
     .reserved_unallocated = 65441628,  // "62.41 MiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 46,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_flux_vae_decode.log",
     // denoising finished (28/28), then self.vae.decode -> autoencoder_kl decode -> _decode -> Decoder -> resnet conv
     .kind = OomKind::kCuda,
     .stage = OomStage::kVaeDecode,
     .vae_call = "decode",
     .requested = 4294967296,  // "4.00 GiB"
     .gpu_total = 25383256719,  // "23.64 GiB"
     .gpu_free = 3403761582,  // "3.17 GiB"
     .process_in_use = 21958020301,  // "20.45 GiB"
     .allocated_by_pytorch = 21270825533,  // "19.81 GiB"
     .reserved_unallocated = 207974564,  // "198.34 MiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 65,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_sdxl_img2img_vae_encode.log",
     // img2img: prepare_latents -> self.vae.encode(image) -> autoencoder_kl encode -> Encoder; the VAE stage with vae_call encode
     .kind = OomKind::kCuda,
     .stage = OomStage::kVaeDecode,
     .vae_call = "encode",
     .requested = 9663676416,  // "9.00 GiB"
     .gpu_total = 25426206392,  // "23.68 GiB"
     .gpu_free = 7204807639,  // "6.71 GiB"
     .process_in_use = 18210661335,  // "16.96 GiB"
     .allocated_by_pytorch = 15977278341,  // "14.88 GiB"
     .reserved_unallocated = 1900523028,  // "1.77 GiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 45,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_training_accelerator_backward.log",
     // accelerate launch, DreamBooth LoRA: accelerator.backward(loss) -> autograd; accelerate's own CalledProcessError traceback follows
     .kind = OomKind::kCuda,
     .stage = OomStage::kTraining,
     .vae_call = "",
     .requested = 226492416,  // "216.00 MiB"
     .gpu_total = 84986665370,  // "79.15 GiB"
     .gpu_free = 135528448,  // "129.25 MiB"
     .process_in_use = 84836341514,  // "79.01 GiB"
     .allocated_by_pytorch = 82055350190,  // "76.42 GiB"
     .reserved_unallocated = 2233382994,  // "2.08 GiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 39,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_torchrun_two_ranks_interleaved.log",
     // torchrun, two ranks, [rankN]: prefixes, tracebacks interleaved; both OOM in loss.backward(); the last (rank 1, GPU 1) counts
     .kind = OomKind::kCuda,
     .stage = OomStage::kTraining,
     .vae_call = "",
     .requested = 1342177280,  // "1.25 GiB"
     .gpu_total = 84986665370,  // "79.15 GiB"
     .gpu_free = 853142405,  // "813.62 MiB"
     .process_in_use = 84106197074,  // "78.33 GiB"
     .allocated_by_pytorch = 81400367677,  // "75.81 GiB"
     .reserved_unallocated = 2158221066,  // "2.01 GiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 1,
     .other_processes = {},
     .line = 32,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 2},
    {.file = "cuda_old_training_optimizer_step_gpu1.log",
     // PyTorch 2.0 old format on GPU 1; first optimizer.step() -> AdamW _multi_tensor_adamw
     .kind = OomKind::kCuda,
     .stage = OomStage::kTraining,
     .vae_call = "",
     .requested = 52428800,  // "50.00 MiB"
     .gpu_total = 25436943811,  // "23.69 GiB"
     .gpu_free = 52103741,  // "49.69 MiB"
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = 24384676823,  // "22.71 GiB"
     .reserved_unallocated = std::nullopt,
     .reserved_total = 24577950351,  // "22.89 GiB"
     .other_allocations = std::nullopt,
     .gpu_index = 1,
     .other_processes = {},
     .line = 32,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_compile_cudagraphs_private_pools.log",
     // torch.compile(mode=max-autotune): 'with X allocated in private pools (e.g., CUDA Graphs)'; inner frames are Inductor's, the stage comes from the transformer call
     .kind = OomKind::kCuda,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = 452984832,  // "432.00 MiB"
     .gpu_total = 85029615043,  // "79.19 GiB"
     .gpu_free = 223409603,  // "213.06 MiB"
     .process_in_use = 84793391841,  // "78.97 GiB"
     .allocated_by_pytorch = 79682380759,  // "74.21 GiB"
     .reserved_unallocated = 4252017623,  // "3.96 GiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 63,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_bare_message_unknown_stage.log",
     // only the message, pasted alone: no traceback, no progress bars, no context
     .kind = OomKind::kCuda,
     .stage = OomStage::kUnknown,
     .vae_call = "",
     .requested = 1610612736,  // "1.50 GiB"
     .gpu_total = 10501195039,  // "9.78 GiB"
     .gpu_free = 1095216660,  // "1.02 GiB"
     .process_in_use = 9395240960,  // "8.75 GiB"
     .allocated_by_pytorch = 8546984919,  // "7.96 GiB"
     .reserved_unallocated = 594899108,  // "567.34 MiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 1,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_truncated_mid_message.log",
     // the paste stops inside the message ('... GPU 0 has a total capac', no final newline): requested and the GPU index only
     .kind = OomKind::kCuda,
     .stage = OomStage::kDenoising,
     .vae_call = "",
     .requested = 20971520,  // "20.00 MiB"
     .gpu_total = std::nullopt,
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = std::nullopt,
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 47,
     .model_ids = {},
     .truncated = true,
     .oom_messages = 1},
    {.file = "cuda_ansi_py313_clip_text_encoding.log",
     // ANSI colour everywhere (loguru lines, Python 3.13 coloured traceback and message); SDXL encode_prompt -> CLIP text encoder MLP
     .kind = OomKind::kCuda,
     .stage = OomStage::kTextEncoding,
     .vae_call = "",
     .requested = 20971520,  // "20.00 MiB"
     .gpu_total = 6098853560,  // "5.68 GiB"
     .gpu_free = 9500099,  // "9.06 MiB"
     .process_in_use = 6077378724,  // "5.66 GiB"
     .allocated_by_pytorch = 5819680686,  // "5.42 GiB"
     .reserved_unallocated = 37130076,  // "35.41 MiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 71,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_windows_crlf_sdxl_vae_decode.log",
     // Windows, CRLF, backslash paths; WDDM: no per-process line, '0 bytes is free', allocated beyond capacity (sysmem fallback); SDXL VAE decode
     .kind = OomKind::kCuda,
     .stage = OomStage::kVaeDecode,
     .vae_call = "decode",
     .requested = 4294967296,  // "4.00 GiB"
     .gpu_total = 8589934592,  // "8.00 GiB"
     .gpu_free = 0,  // "0 bytes"
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = 12390980649,  // "11.54 GiB"
     .reserved_unallocated = 1170378588,  // "1.09 GiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 46,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 1},
    {.file = "cuda_retry_two_ooms_last_counts.log",
     // a caught OOM (denoising, printed with traceback.print_exc), a retry with offload, then a second OOM in the VAE decode: the last one counts
     .kind = OomKind::kCuda,
     .stage = OomStage::kVaeDecode,
     .vae_call = "decode",
     .requested = 3221225472,  // "3.00 GiB"
     .gpu_total = 8192650117,  // "7.63 GiB"
     .gpu_free = 2587717796,  // "2.41 GiB"
     .process_in_use = 5594194903,  // "5.21 GiB"
     .allocated_by_pytorch = 5250597519,  // "4.89 GiB"
     .reserved_unallocated = 111358771,  // "106.20 MiB"
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = 0,
     .other_processes = {},
     .line = 119,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 2},
    {.file = "not_oom_shape_mismatch.log",
     // a RuntimeError that is not an OOM (SDXL embeddings into an SD 1.5 UNet): kind not_oom, no stage, no numbers
     .kind = OomKind::kNotOom,
     .stage = OomStage::kUnknown,
     .vae_call = "",
     .requested = std::nullopt,
     .gpu_total = std::nullopt,
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = std::nullopt,
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 0,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 0},
    {.file = "not_oom_import_error.log",
     // an ImportError (diffusers too old for FLUX)
     .kind = OomKind::kNotOom,
     .stage = OomStage::kUnknown,
     .vae_call = "",
     .requested = std::nullopt,
     .gpu_total = std::nullopt,
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = std::nullopt,
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 0,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 0},
    {.file = "not_oom_clean_run.log",
     // a successful run that prints memory numbers: not an OOM
     .kind = OomKind::kNotOom,
     .stage = OomStage::kUnknown,
     .vae_call = "",
     .requested = std::nullopt,
     .gpu_total = std::nullopt,
     .gpu_free = std::nullopt,
     .process_in_use = std::nullopt,
     .allocated_by_pytorch = std::nullopt,
     .reserved_unallocated = std::nullopt,
     .reserved_total = std::nullopt,
     .other_allocations = std::nullopt,
     .gpu_index = std::nullopt,
     .other_processes = {},
     .line = 0,
     .model_ids = {},
     .truncated = false,
     .oom_messages = 0},
  };
  return cases;
}
// clang-format on

std::string ReadCorpusFile(const std::string& name) {
  std::ifstream in(kCorpusDir + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << kCorpusDir << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every field the corpus pins down; message and stage_evidence are free
// text (the message only has to be there, at most 500 bytes, for an OOM).
void ExpectReport(const OomReport& r, const CorpusCase& c) {
  EXPECT_STREQ(OomKindName(r.kind), OomKindName(c.kind)) << "kind";
  EXPECT_STREQ(OomStageName(r.stage), OomStageName(c.stage)) << "stage";
  EXPECT_EQ(r.vae_call, c.vae_call) << "vae_call";
  EXPECT_EQ(r.requested, c.requested) << "requested";
  EXPECT_EQ(r.gpu_total, c.gpu_total) << "gpu_total";
  EXPECT_EQ(r.gpu_free, c.gpu_free) << "gpu_free";
  EXPECT_EQ(r.process_in_use, c.process_in_use) << "process_in_use";
  EXPECT_EQ(r.allocated_by_pytorch, c.allocated_by_pytorch) << "allocated_by_pytorch";
  EXPECT_EQ(r.reserved_unallocated, c.reserved_unallocated) << "reserved_unallocated";
  EXPECT_EQ(r.reserved_total, c.reserved_total) << "reserved_total";
  EXPECT_EQ(r.other_allocations, c.other_allocations) << "other_allocations";
  EXPECT_EQ(r.gpu_index, c.gpu_index) << "gpu_index";
  EXPECT_EQ(r.other_processes.size(), c.other_processes.size()) << "other_processes";
  for (size_t i = 0; i < r.other_processes.size() && i < c.other_processes.size(); ++i) {
    EXPECT_EQ(r.other_processes[i].pid, c.other_processes[i].pid) << "other_processes[" << i << "].pid";
    EXPECT_EQ(r.other_processes[i].bytes, c.other_processes[i].bytes) << "other_processes[" << i << "].bytes";
  }
  EXPECT_EQ(r.line, c.line) << "line";
  EXPECT_EQ(r.model_ids, c.model_ids) << "model_ids";
  EXPECT_EQ(r.truncated, c.truncated) << "truncated";
  EXPECT_EQ(r.oom_messages, c.oom_messages) << "oom_messages";
  if (c.kind != OomKind::kNotOom) {
    EXPECT_FALSE(r.message.empty()) << "message";
    EXPECT_LE(r.message.size(), 500u) << "message";
  }
}

class DoctorCorpusLog : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(DoctorCorpusLog, ParsesToTheExpectedReport) {
  const CorpusCase& c = GetParam();
  const std::string log = ReadCorpusFile(c.file);
  ASSERT_FALSE(log.empty()) << c.file;
  ExpectReport(ParseOomLog(log), c);
}

std::string CaseName(const ::testing::TestParamInfo<CorpusCase>& info) {
  std::string name = info.param.file;
  name = name.substr(0, name.rfind('.'));
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(DoctorCorpus, DoctorCorpusLog, ::testing::ValuesIn(Corpus()), CaseName);

TEST(DoctorCorpus, EveryLogFileHasExactlyOneRow) {
  std::set<std::string> rows;
  for (const CorpusCase& c : Corpus()) {
    EXPECT_TRUE(rows.insert(c.file).second) << "two rows for " << c.file;
  }
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpusDir)) {
    if (entry.path().extension() == ".log") files.insert(entry.path().filename().string());
  }
  EXPECT_EQ(files, rows);
  EXPECT_GE(files.size(), 24u);
}

// The corpus covers every kind and every stage.
TEST(DoctorCorpus, CoversEveryKindAndStage) {
  std::set<std::string> kinds, stages, vae_calls;
  for (const CorpusCase& c : Corpus()) {
    kinds.insert(OomKindName(c.kind));
    stages.insert(OomStageName(c.stage));
    vae_calls.insert(c.vae_call);
  }
  EXPECT_EQ(kinds.size(), 5u);
  EXPECT_EQ(stages.size(), 6u);
  EXPECT_EQ(vae_calls, (std::set<std::string>{"", "decode", "encode"}));
}

TEST(DoctorCorpus, EmptyInputIsNotAnOom) {
  CorpusCase empty;
  empty.file = "(empty)";
  ExpectReport(ParseOomLog(""), empty);
  ExpectReport(ParseOomLog("\n\n\r\n"), empty);
}

TEST(DoctorCorpus, RandomBytesAreNotAnOom) {
  std::mt19937_64 rng(20250612);
  std::string bytes(1 << 20, '\0');
  for (char& ch : bytes) ch = static_cast<char>(rng() & 0xff);
  const OomReport r = ParseOomLog(bytes);
  EXPECT_EQ(r.kind, OomKind::kNotOom);
  EXPECT_EQ(r.stage, OomStage::kUnknown);
  EXPECT_EQ(r.line, 0);
  EXPECT_EQ(r.oom_messages, 0);
  EXPECT_FALSE(r.requested.has_value());
}

// A 100 MiB log: a denoising bar repeated for hours of steps, then a
// traceback and a current-format message on the last lines.
TEST(DoctorCorpus, HundredMegabyteLogParsesTheFinalMessage) {
  static const char* const kBars[] = {
      "  0%|          | 0/28 [00:00<?, ?it/s]",
      "  4%|▎         | 1/28 [00:02<01:05,  2.41s/it]",
      " 43%|████▎     | 12/28 [00:31<00:36,  2.28s/it]",
      " 89%|████████▉ | 25/28 [01:04<00:06,  2.29s/it]",
      "100%|██████████| 28/28 [01:12<00:00,  2.59s/it]",
      "Loading pipeline components...: 100%|██████████| 7/7 [00:04<00:00,  1.61it/s]",
  };
  std::string log;
  log.reserve((100 << 20) + 4096);
  int lines = 0;
  for (size_t i = 0; log.size() < (100u << 20); ++i) {
    log += kBars[i % 6];
    log += '\n';
    ++lines;
  }
  const char* const kTail[] = {
      "Traceback (most recent call last):",
      "  File \"/home/alice/flux/flux_gen.py\", line 41, in <module>",
      "    image = pipe(",
      "  File \"/usr/lib/python3.11/site-packages/diffusers/pipelines/flux/pipeline_flux.py\", line 918, in __call__",
      "    noise_pred = self.transformer(",
      "  File \"/usr/lib/python3.11/site-packages/torch/nn/modules/module.py\", line 1747, in _call_impl",
      "    return forward_call(*args, **kwargs)",
      "  File \"/usr/lib/python3.11/site-packages/diffusers/models/transformers/transformer_flux.py\", line 719, in forward",
      "    encoder_hidden_states, hidden_states = block(",
  };
  for (const char* line : kTail) {
    log += line;
    log += '\n';
    ++lines;
  }
  log +=
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.27 GiB. GPU 0 has a total capacity of "
      "79.19 GiB of which 313.06 MiB is free. Process 4242 has 2.00 GiB memory in use. Including non-PyTorch "
      "memory, this process has 76.87 GiB memory in use. Of the allocated memory 73.52 GiB is allocated by "
      "PyTorch, and 2.84 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large "
      "try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation "
      "for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)\n";
  ++lines;
  ASSERT_GE(log.size(), 100u << 20);

  CorpusCase c;
  c.file = "(generated 100 MiB log)";
  c.kind = OomKind::kCuda;
  c.stage = OomStage::kDenoising;
  c.requested = 1363652116;              // "1.27 GiB"
  c.gpu_total = 85029615043;             // "79.19 GiB"
  c.gpu_free = 328267203;                // "313.06 MiB"
  c.process_in_use = 82538534011;        // "76.87 GiB"
  c.allocated_by_pytorch = 78941498900;  // "73.52 GiB"
  c.reserved_unallocated = 3049426780;   // "2.84 GiB"
  c.gpu_index = 0;
  c.other_processes = {{4242, 2147483648}};  // "2.00 GiB"
  c.line = lines;
  c.oom_messages = 1;
  ExpectReport(ParseOomLog(log), c);
}

// 10 MB without a newline: tqdm's carriage-return redraws as a captured
// file holds them.
TEST(DoctorCorpus, TenMegabyteSingleLineDoesNotCrash) {
  std::string line;
  line.reserve(10'000'100);
  while (line.size() < 10'000'000) line += " 43%|████▎     | 12/28 [00:31<00:36,  2.28s/it]\r";
  const OomReport r = ParseOomLog(line);
  EXPECT_EQ(r.kind, OomKind::kNotOom);
  EXPECT_EQ(r.line, 0);
  EXPECT_EQ(r.oom_messages, 0);
}

// A number that does not fit in int64 bytes is not a number the report can
// carry: it is left out, and the rest of the message still parses.
TEST(DoctorCorpus, NumbersBeyondInt64AreLeftOut) {
  const std::string digits(200, '9');
  const OomReport r = ParseOomLog(
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 9999999999999.00 GiB. GPU 0 has a total "
      "capacity of " +
      digits +
      ".00 GiB of which 12.31 MiB is free. Including non-PyTorch memory, this process "
      "has 23.62 GiB memory in use. Of the allocated memory 23.17 GiB is allocated by PyTorch, and 20.16 MiB is "
      "reserved by PyTorch but unallocated.\n");
  EXPECT_EQ(r.kind, OomKind::kCuda);
  EXPECT_EQ(r.requested, std::nullopt);
  EXPECT_EQ(r.gpu_total, std::nullopt);
  EXPECT_EQ(r.gpu_free, std::optional<Bytes>(12907971));                 // "12.31 MiB"
  EXPECT_EQ(r.allocated_by_pytorch, std::optional<Bytes>(24878598062));  // "23.17 GiB"
  EXPECT_EQ(r.line, 1);
}

}  // namespace
}  // namespace pipefit
