#!/usr/bin/env python3
# @@HEADER@@
#
# pipefit measurement probe: builds the pipeline exactly as the candidate's
# code does, runs it, and writes one JSON document (schema pipefit.measure/1,
# docs/measure.md) with, per stage (load, each text encoder, each denoising
# step, VAE decode), torch's peak allocated and reserved memory, the device's
# free memory, host RSS and its peak, and the wall time. Stage boundaries come
# from hooks on the components (forward hooks on the text encoders and the
# denoiser, wrappers on scheduler.step and vae.decode), not from guesses.
# Feed the result back with:  pipefit calibrate --ingest RESULT.json
"""pipefit measurement probe (pipefit.measure/1)."""

import argparse
import importlib.metadata
import inspect
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback

# What pipefit planned: the model, the candidate, the workload and its
# prediction for this exact configuration, and (for --random-weights) every
# component's class and config.
SPEC = json.loads(SPEC_JSON)  # @@SPEC@@

SCHEMA = "pipefit.measure/1"
PACKAGES = ("torch", "diffusers", "transformers", "accelerate", "bitsandbytes", "torchao", "gguf")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Measure pipefit candidate " + SPEC["pipefit"]["strategy"] + " for " + SPEC["pipefit"]["model"]
    )
    parser.add_argument("--out", default="pipefit-measure.json", help="where to write the JSON result")
    parser.add_argument(
        "--calls", type=int, default=SPEC["calls"], help="pipeline calls to time (the last one is the measurement)"
    )
    parser.add_argument(
        "--scratch",
        default=os.environ.get("PIPEFIT_SCRATCH", "pipefit-scratch"),
        help="folder for the random checkpoint a quantized candidate loads (reused by later probes)",
    )
    parser.add_argument(
        "--device",
        default="cuda",
        help="cuda (a measurement) or cpu (a smoke test: no GPU counters; only strategies without offloading)",
    )
    args = parser.parse_args(argv)
    if args.calls < 1:
        parser.error("--calls must be at least 1")
    return args


# ---------------------------------------------------------------- host memory


def read_status_bytes(field):
    """VmRSS / VmHWM of this process from /proc/self/status, in bytes (None off Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def reset_rss_peak():
    """Resets VmHWM to the current RSS (Linux >= 4.0); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def host_ram_total():
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


# --------------------------------------------------------------- environment


def package_versions():
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def nvidia_driver():
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
        return out.strip().splitlines()[0] if out.strip() else None
    except (OSError, subprocess.SubprocessError, IndexError):
        return None


def environment(torch, device):
    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
        "cuda_runtime": getattr(torch.version, "cuda", None),
        "device": device,
        "gpu": None,
        "host_ram": host_ram_total(),
    }
    if device.startswith("cuda"):
        index = torch.cuda.current_device()
        props = torch.cuda.get_device_properties(index)
        env["gpu"] = {
            "name": torch.cuda.get_device_name(index),
            "total_memory": int(props.total_memory),
            "capability": "%d.%d" % (props.major, props.minor),
            "driver": nvidia_driver(),
            "count": torch.cuda.device_count(),
        }
    return env


# ------------------------------------------------------------------ recording


class Recorder:
    """Flat list of stages; each resets torch's peak counters (and VmHWM) when it begins."""

    def __init__(self, torch, device):
        self.torch = torch
        self.cuda = device.startswith("cuda")
        self.stages = []
        self.open = None
        self.call = None
        self.rss_peak_scope = "stage" if reset_rss_peak() else "process"
        self.call_peak = None

    def _sync(self):
        if self.cuda:
            self.torch.cuda.synchronize()

    def snapshot(self):
        rss_peak = read_status_bytes("VmHWM")
        shot = {
            "max_memory_allocated": None,
            "max_memory_reserved": None,
            "device_free": None,
            "rss": read_status_bytes("VmRSS"),
            "rss_peak": rss_peak,
        }
        if self.cuda:
            shot["max_memory_allocated"] = int(self.torch.cuda.max_memory_allocated())
            shot["max_memory_reserved"] = int(self.torch.cuda.max_memory_reserved())
            shot["device_free"] = int(self.torch.cuda.mem_get_info()[0])
        return shot

    def _fold(self, shot):
        """Adds a peak to the running call's peak (a gap between stages included)."""
        if self.call_peak is None:
            return
        for key in ("max_memory_allocated", "max_memory_reserved", "rss_peak"):
            if shot[key] is not None:
                self.call_peak[key] = max(self.call_peak[key] or 0, shot[key])
        if shot["device_free"] is not None:
            low = self.call_peak["min_device_free"]
            self.call_peak["min_device_free"] = shot["device_free"] if low is None else min(low, shot["device_free"])

    def _reset(self):
        if self.cuda:
            self.torch.cuda.reset_peak_memory_stats()
        reset_rss_peak()

    def begin(self, name, component=None, index=None):
        """Opens a stage; a stage of the same name already open absorbs it (CFG's second forward)."""
        if self.open is not None:
            if self.open["name"] == name:
                return
            self.end()
        self._sync()
        self._fold(self.snapshot())  # the gap since the last stage
        self._reset()
        self.open = {"name": name, "component": component, "index": index, "call": self.call}
        self.open["_start"] = time.perf_counter()

    def end(self):
        if self.open is None:
            return
        self._sync()
        stage = self.open
        self.open = None
        stage["seconds"] = time.perf_counter() - stage.pop("_start")
        shot = self.snapshot()
        stage.update(shot)
        self._fold(shot)
        self.stages.append(stage)

    def begin_call(self, index):
        self.call = index
        self._sync()
        self._reset()
        self.call_peak = {
            "max_memory_allocated": None,
            "max_memory_reserved": None,
            "min_device_free": None,
            "rss_peak": None,
        }
        return time.perf_counter()

    def end_call(self, started):
        self.end()
        self._sync()
        self._fold(self.snapshot())
        result = {"index": self.call, "seconds": time.perf_counter() - started}
        result.update(self.call_peak)
        self.call_peak = None
        self.call = None
        return result


def instrument(pipe, recorder, torch):
    """Hooks every stage boundary; returns the names of the components hooked."""
    hooked = []
    denoiser = SPEC["pipefit"]["denoiser"]
    components = getattr(pipe, "components", {}) or {}
    step_counter = {"n": 0}

    def pre_hook(stage, name):
        def hook(module, args):
            if stage == "denoise":
                recorder.begin("denoise", name, step_counter["n"])
            else:
                recorder.begin(stage, name)

        return hook

    def post_hook(stage):
        def hook(module, args, output):
            if recorder.open is not None and recorder.open["name"] == stage:
                recorder.end()

        return hook

    for name, module in components.items():
        if not isinstance(module, torch.nn.Module):
            continue
        if name.startswith("text_encoder") or name == "image_encoder":
            stage = "text_encode" if name != "image_encoder" else "encode"
            module.register_forward_pre_hook(pre_hook(stage, name))
            module.register_forward_hook(post_hook(stage))
            hooked.append(name)
        elif name == denoiser or name.startswith(("transformer", "unet")):
            module.register_forward_pre_hook(pre_hook("denoise", name))
            hooked.append(name)
        elif name == "vae":
            for method, stage in (("decode", "decode"), ("encode", "encode")):
                original = getattr(module, method, None)
                if original is None:
                    continue
                depth = {"n": 0}  # a decode that calls decode again (tiling) is one stage

                def wrapped(*args, _original=original, _stage=stage, _depth=depth, **kwargs):
                    if _depth["n"] == 0:
                        recorder.begin(_stage, "vae")
                    _depth["n"] += 1
                    try:
                        output = _original(*args, **kwargs)
                    finally:
                        _depth["n"] -= 1
                    if _depth["n"] == 0:  # a failure leaves the stage open: main records it
                        recorder.end()
                    return output

                setattr(module, method, wrapped)
            hooked.append(name)

    scheduler = components.get("scheduler")
    if scheduler is not None and hasattr(scheduler, "step"):
        original_step = scheduler.step

        def step(*args, **kwargs):
            output = original_step(*args, **kwargs)
            if recorder.open is not None and recorder.open["name"] == "denoise":
                recorder.end()
            step_counter["n"] += 1
            return output

        scheduler.step = step

    return hooked, step_counter


# ------------------------------------------------------------ random weights


class RandomTokenizer:
    """Stands in for a tokenizer whose vocabulary files are not in the config:
    random token ids, with the padded length the pipeline asks for
    (padding="max_length"), else about one token per 4 characters."""

    def __init__(self, torch, vocab_size, model_max_length):
        self.torch = torch
        self.vocab_size = max(8, int(vocab_size))
        self.model_max_length = int(model_max_length)
        self.pad_token_id = 0
        self.eos_token_id = 1
        self.bos_token_id = 1
        self.padding_side = "right"
        self.generator = torch.Generator("cpu").manual_seed(0)

    def __call__(self, text, padding=False, max_length=None, truncation=None, return_tensors=None, **kwargs):
        from transformers import BatchEncoding

        texts = [text] if isinstance(text, str) else list(text)
        limit = max_length or self.model_max_length
        if padding == "max_length":
            length = limit
        else:
            longest = max(max(len(t.split()), len(t) // 4) for t in texts) + 2
            length = min(limit, longest) if truncation else longest
        ids = self.torch.randint(2, self.vocab_size, (len(texts), length), generator=self.generator)
        data = {"input_ids": ids, "attention_mask": self.torch.ones_like(ids)}
        if kwargs.get("return_length"):
            data["length"] = self.torch.full((len(texts),), length)
        if return_tensors != "pt":
            data = {key: value.tolist() for key, value in data.items()}
        return BatchEncoding(data)

    # What pipelines call besides __call__: TextualInversionLoaderMixin's
    # maybe_convert_prompt (tokenize, added_tokens_encoder), encode, chat
    # templates (the messages' text, tokenized like __call__ when asked).
    added_tokens_encoder = {}

    def tokenize(self, text, **kwargs):
        return text.split()

    def encode(self, text, **kwargs):
        return self(text, **kwargs)["input_ids"][0]

    def apply_chat_template(self, conversation, tokenize=False, **kwargs):
        def text_of(message):
            content = message.get("content", "") if isinstance(message, dict) else str(message)
            if isinstance(content, list):
                content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
            return str(content)

        batches = conversation if conversation and isinstance(conversation[0], list) else [conversation]
        texts = [" ".join(text_of(m) for m in batch) for batch in batches]
        if not tokenize:
            return texts if len(texts) > 1 else texts[0]
        kwargs.pop("add_generation_prompt", None)
        kwargs.pop("return_dict", None)
        return self(texts, **kwargs)

    def batch_decode(self, sequences, **kwargs):
        return ["" for _ in range(len(sequences))]

    def decode(self, sequence, **kwargs):
        return ""


def keeps_fp32(parameter_name, modules):
    return any(module in parameter_name.split(".") for module in modules)


def materialize(torch, model, dtype, keep_fp32, seed):
    """Gives every parameter left on the meta device real storage, in `dtype`
    (float32 under `keep_fp32`), filled with small random values; shared
    (tied) parameters stay shared."""
    generator = torch.Generator("cpu").manual_seed(seed)
    made = {}
    for module_name, module in model.named_modules():
        for name, param in list(module._parameters.items()):
            if param is None or param.device.type != "meta":
                continue
            full = module_name + "." + name if module_name else name
            if id(param) not in made:
                want = torch.float32 if keep_fp32 and keeps_fp32(full, keep_fp32) else dtype
                if not param.dtype.is_floating_point:
                    want = param.dtype
                data = torch.empty(param.shape, dtype=want, device="cpu")
                if want.is_floating_point:
                    data.normal_(0.0, 0.02, generator=generator)
                else:
                    data.zero_()
                made[id(param)] = torch.nn.Parameter(data, requires_grad=False)
            module._parameters[name] = made[id(param)]
    for module_name, module in model.named_modules():
        for name, buffer in list(module._buffers.items()):
            if buffer is None or not buffer.is_floating_point():
                continue
            full = module_name + "." + name if module_name else name
            if not (keep_fp32 and keeps_fp32(full, keep_fp32)):
                module._buffers[name] = buffer.to(dtype)
    return model.eval()


def build_random_component(torch, name, spec, dtype, seed):
    import diffusers
    import transformers
    from accelerate import init_empty_weights

    library, class_name, config = spec["library"], spec["class"], spec.get("config")
    kind = spec["kind"]
    if kind == "scheduler":
        return getattr(diffusers, class_name).from_config(config)
    if kind == "tokenizer":
        return RandomTokenizer(torch, spec["vocab_size"], spec["model_max_length"])
    if kind == "absent":
        return None
    if library == "diffusers":
        klass = getattr(diffusers, class_name)
        with init_empty_weights(include_buffers=False):
            model = klass.from_config(config)
        keep = list(getattr(klass, "_keep_in_fp32_modules", None) or [])
    elif library == "transformers":
        klass = getattr(transformers, class_name)
        model_config = klass.config_class.from_dict(config)
        with init_empty_weights(include_buffers=False):
            model = klass(model_config)
        keep = list(getattr(klass, "_keep_in_fp32_modules_strict", None) or [])
        if dtype == torch.float16:
            keep += list(getattr(klass, "_keep_in_fp32_modules", None) or [])
    else:
        raise RuntimeError("component %s: library %s cannot be built from its config" % (name, library))
    model = materialize(torch, model, dtype, keep, seed)
    if hasattr(model, "tie_weights"):
        model.tie_weights()
    return model


def build_random_components(torch, dtype):
    """Every component from its config, random weights in the load dtype, on the CPU
    (where from_pretrained leaves them)."""
    components = {}
    for seed, (name, spec) in enumerate(SPEC["components"].items()):
        components[name] = build_random_component(torch, name, spec, dtype, seed)
    return components


def assemble_random_pipeline(components):
    """The pipeline from its parts and model_index.json's settings (Wan 2.2's boundary_ratio)."""
    import diffusers

    klass = getattr(diffusers, SPEC["pipefit"]["pipeline_class"])
    parts = dict(components)
    parameters = inspect.signature(klass.__init__).parameters
    for key, value in SPEC["pipeline_settings"].items():
        if key in parameters:
            parts[key] = value
    for name, parameter in parameters.items():
        if name in ("self", "args", "kwargs") or name in parts:
            continue
        if parameter.default is inspect.Parameter.empty:
            parts[name] = None
    return klass(**parts)


def random_checkpoint(torch, dtype, quantized, scratch):
    """For a quantized candidate: from_pretrained quantizes while it loads, so
    the components it quantizes are written with random weights as a pipeline
    folder under `scratch` (kept: a later probe of the same model reuses it);
    every other component is built in memory and passed to from_pretrained,
    which takes passed components as they are. Returns (folder, components)."""
    import diffusers

    slug = "".join(c if c.isalnum() else "-" for c in SPEC["pipefit"]["model"] + "-" + SPEC["pipefit"]["dtype"])
    folder = os.path.abspath(os.path.join(scratch, "random-" + slug))
    index = {"_class_name": SPEC["pipefit"]["pipeline_class"], "_diffusers_version": diffusers.__version__}
    index.update(SPEC["pipeline_settings"])
    passed = {}
    for seed, (name, spec) in enumerate(SPEC["components"].items()):
        if name not in quantized:
            passed[name] = build_random_component(torch, name, spec, dtype, seed)
            index[name] = [None, None]
            continue
        index[name] = [spec["library"], spec["class"]]
        target = os.path.join(folder, name)
        if os.path.exists(os.path.join(target, "config.json")):
            continue  # written by an earlier probe
        partial = target + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        part = build_random_component(torch, name, spec, dtype, seed)
        part.save_pretrained(partial, safe_serialization=True)
        del part
        os.replace(partial, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model_index.json"), "w", encoding="utf-8") as out:
        json.dump(index, out, indent=1)
    return folder, passed


# ------------------------------------------------------------------ candidate


def prepare(torch, scratch):
    """What random weights need before loading (built in memory, or a random checkpoint
    written once); None when the probe loads the real checkpoint."""
    # @@PREPARE@@


def load_pipeline(torch, device, prepared):
    """The candidate's load and placement code, as `pipefit plan --emit` writes it."""
    # @@LOAD@@
    return pipe


def run_call(torch, pipe):
    """One pipeline call with the planned workload; the output is discarded."""
    # @@CALL@@


# ----------------------------------------------------------------------- main


def write_result(path, result):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)
        out.write("\n")
    os.replace(tmp, path)


def main(argv):
    args = parse_args(argv)
    result = {
        "schema": SCHEMA,
        "status": "error",
        "pipefit": SPEC["pipefit"],
        "environment": None,
        "rss_peak_scope": None,
        "baseline": None,
        "stages": [],
        "calls": [],
        "error": None,
    }
    recorder = None
    try:
        import torch

        device = args.device
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise RuntimeError("--device cuda but torch sees no CUDA GPU (run with --device cpu for a smoke test)")
        if device.startswith("cuda"):
            torch.cuda.init()
        result["environment"] = environment(torch, device)
        recorder = Recorder(torch, device)
        result["rss_peak_scope"] = recorder.rss_peak_scope
        result["baseline"] = recorder.snapshot()
        if device.startswith("cuda"):
            free, total = torch.cuda.mem_get_info()
            result["baseline"]["device_used"] = int(total - free)
        started = time.perf_counter()
        prepared = prepare(torch, args.scratch)
        result["prepare_seconds"] = time.perf_counter() - started
        recorder.begin("load")
        pipe = load_pipeline(torch, device, prepared)
        prepared = None
        recorder.end()
        hooked, steps = instrument(pipe, recorder, torch)
        result["hooked"] = hooked
        # No inference_mode around the call: the pipeline's own no_grad is
        # what the candidate's script runs under.
        for index in range(args.calls):
            steps["n"] = 0
            started = recorder.begin_call(index)
            run_call(torch, pipe)
            result["calls"].append(recorder.end_call(started))
        result["status"] = "ok"
    except BaseException as error:  # noqa: B902 -- every failure is reported in the JSON
        oom = type(error).__name__ == "OutOfMemoryError" or "out of memory" in str(error).lower()
        result["status"] = "oom" if oom else "error"
        result["error"] = {
            "type": type(error).__name__,
            "message": str(error).strip().splitlines()[0][:500] if str(error).strip() else "",
            "stage": recorder.open["name"] if recorder is not None and recorder.open is not None else None,
            "traceback": traceback.format_exc()[-4000:],
        }
        if isinstance(error, KeyboardInterrupt):
            result["status"] = "error"
    if recorder is not None:
        if recorder.open is not None:
            try:
                recorder.end()  # after a sticky CUDA error this raises again: the stage is then lost
            except Exception:  # noqa: BLE001 -- the document is written whatever happens
                recorder.open = None
        result["stages"] = recorder.stages
    write_result(args.out, result)
    print("pipefit probe: %s, wrote %s" % (result["status"], args.out), file=sys.stderr)
    if result["error"] is not None:
        print(result["error"]["traceback"], file=sys.stderr)
    return 0 if result["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
