#include "pipefit/base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace pipefit {
namespace {

using Clock = std::chrono::steady_clock;

int MillisecondsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// The child runs in its own process group, so whatever it started goes too.
int KillAndReap(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return ExitCodeOf(status);
}

// Our environment with `extra` added; an extra NAME= replaces ours.
std::vector<std::string> MergedEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view current(*entry);
    const std::string_view name = current.substr(0, current.find('='));
    bool replaced = false;
    for (const std::string& e : extra) replaced = replaced || e.substr(0, e.find('=')) == name;
    if (!replaced) merged.emplace_back(current);
  }
  merged.insert(merged.end(), extra.begin(), extra.end());
  return merged;
}

std::vector<char*> PointersTo(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  ~Pipe() { CloseBoth(); }
  bool Open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end = fds[0];
    write_end = fds[1];
    return true;
  }
  void CloseRead() {
    if (read_end >= 0) close(read_end);
    read_end = -1;
  }
  void CloseWrite() {
    if (write_end >= 0) close(write_end);
    write_end = -1;
  }
  void CloseBoth() {
    CloseRead();
    CloseWrite();
  }
};

}  // namespace

Result<SubprocessResult> RunSubprocess(const SubprocessOptions& options) {
  if (options.argv.empty()) return MakeErrorf(ErrorCode::kUsage, "no program to run");
  const std::string& program = options.argv.front();
  Pipe in, out, err;
  if (!in.Open() || !out.Open() || (options.capture_stderr && !err.Open())) {
    return MakeErrorf(ErrorCode::kIo, "{}: cannot create a pipe: {}", program, std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read_end, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end, 1);
  if (options.capture_stderr) {
    posix_spawn_file_actions_adddup2(&actions, err.write_end, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  }
  if (!options.working_directory.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.working_directory.c_str());
  }
  // Nothing else of ours (a server's client sockets, other pipes) leaks in.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group; no signal blocked or ignored because we do.
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t no_signals, defaults;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  sigemptyset(&defaults);
  for (int signal_number : {SIGPIPE, SIGINT, SIGTERM}) sigaddset(&defaults, signal_number);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  std::vector<std::string> argv = options.argv;
  std::vector<std::string> environment = MergedEnvironment(options.extra_environment);
  std::vector<char*> argv_pointers = PointersTo(argv);
  std::vector<char*> environment_pointers = PointersTo(environment);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, program.c_str(), &actions, &attributes, argv_pointers.data(),
                              environment_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  in.CloseRead();
  out.CloseWrite();
  err.CloseWrite();
  if (rc != 0) {
    ErrorCode code = (rc == ENOENT || rc == ENOTDIR) ? ErrorCode::kNotFound : ErrorCode::kIo;
    return MakeErrorf(code, "{}: cannot run: {}", program, std::strerror(rc));
  }
  // A child that exits without reading its stdin must not kill us with SIGPIPE.
  fcntl(in.write_end, F_SETFL, O_NONBLOCK);
  if (options.stdin_text.empty()) in.CloseWrite();

  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(options.timeout_ms);
  SubprocessResult result;
  size_t written = 0;
  char buffer[8192];
  while (out.read_end >= 0 || err.read_end >= 0) {
    pollfd fds[3];
    nfds_t count = 0;
    auto watch = [&](int fd, short events) {
      if (fd >= 0) fds[count++] = pollfd{fd, events, 0};
    };
    watch(out.read_end, POLLIN);
    watch(err.read_end, POLLIN);
    watch(in.write_end, POLLOUT);
    const int ready = poll(fds, count, MillisecondsLeft(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      result.timed_out = true;
      result.exit_code = KillAndReap(pid);
      return result;
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.write_end) {
        const ssize_t n =
            write(in.write_end, options.stdin_text.data() + written, options.stdin_text.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == options.stdin_text.size()) {
          in.CloseWrite();
        }
        continue;
      }
      Pipe& source = fds[i].fd == out.read_end ? out : err;
      std::string& text = fds[i].fd == out.read_end ? result.stdout_text : result.stderr_text;
      const ssize_t n = read(source.read_end, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        source.CloseRead();
        continue;
      }
      text.append(buffer, static_cast<size_t>(n));
      if (text.size() > options.max_output) {
        text.resize(options.max_output);
        result.output_limited = true;
        result.exit_code = KillAndReap(pid);
        return result;
      }
    }
  }
  in.CloseWrite();
  // Output closed: wait for the exit, still bounded.
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      result.exit_code = ExitCodeOf(status);
      return result;
    }
    if (done < 0 && errno != EINTR) {
      return MakeErrorf(ErrorCode::kIo, "{}: waitpid failed: {}", program, std::strerror(errno));
    }
    if (MillisecondsLeft(deadline) == 0) {
      result.timed_out = true;
      result.exit_code = KillAndReap(pid);
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace pipefit
