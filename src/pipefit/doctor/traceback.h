// The lines of a pasted log and the traceback frames in them, in every
// format users paste (doctor's input, oom_log.h):
//   CPython    File "PATH", line N, in FUNC            + the source line under it
//   IPython 8  File PATH:N, in QUAL.FUNC(ARGS)          + the "---> N source" line
//              Cell In[5], line 3                       (the notebook cell)
//   IPython 7  PATH in FUNC(ARGS)                       + the "---> N source" line
//   Colab      [PATH](https://localhost:8080/#) in FUNC(ARGS)
//   rich       │ PATH:N in FUNC │                       + the "❱ N │ source" line
//              (SD.Next, Typer; box characters may arrive mangled as ¦ or ?)
// Elisions ("11 frames", "[... skipping hidden 1 frame]") are skipped.
// Pure: no I/O.
#ifndef PIPEFIT_DOCTOR_TRACEBACK_H_
#define PIPEFIT_DOCTOR_TRACEBACK_H_

#include <string>
#include <string_view>
#include <vector>

namespace pipefit {

// One log line as the user saw it: CR-overwritten progress updates reduced
// to the last one, ANSI escapes removed, '\\' as '/', and a torchrun
// "[rank0]:" prefix removed. At most `max_bytes` of the raw line are read.
std::string CleanLogLine(std::string_view raw);

// The log split into clean lines (each raw line read up to 64 KiB).
std::vector<std::string> SplitLogLines(std::string_view log);

struct TraceFrame {
  std::string path;      // as printed, '/' separated ("Cell In[5]" for a notebook cell)
  std::string function;  // the bare name: "forward" for "Decoder.forward(self, x)"
  std::string source;    // the frame's source line (the marked one in IPython/rich), trimmed
  std::string text;      // the frame's own line, for evidence (at most 300 bytes)
};

// The frames of the traceback that ends at line `message` (0-based),
// outermost first: from the nearest "Traceback (most recent call last)"
// header above it (at most 2000 lines up), or from 2000 lines up when there
// is none (a traceback pasted without its header).
std::vector<TraceFrame> FramesBefore(const std::vector<std::string>& lines, size_t message);

// The frames pasted after line `message` (0-based) up to the end (at most
// 2000 lines): the error block first, the traceback under it.
std::vector<TraceFrame> FramesAfter(const std::vector<std::string>& lines, size_t message);

// Source lines with no frame line: the last lines (at most 6) above
// `message` down to a blank line, each as a frame with only `source`
// (a traceback pasted from its last source line).
std::vector<TraceFrame> OrphanSourceLines(const std::vector<std::string>& lines, size_t message);

}  // namespace pipefit

#endif  // PIPEFIT_DOCTOR_TRACEBACK_H_
