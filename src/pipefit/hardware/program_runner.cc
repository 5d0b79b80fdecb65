#include "pipefit/hardware/program_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace pipefit {
namespace {

constexpr size_t kMaxOutput = 1 << 20;

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

// Kills and reaps a child that outstayed its welcome.
void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

// Reads the child's stdout until EOF; an error means the child was killed.
Status ReadUntilEof(int fd, pid_t pid, Clock::time_point deadline, const std::string& program,
                    std::string& out) {
  char buffer[4096];
  while (true) {
    pollfd pfd{fd, POLLIN, 0};
    int ready = poll(&pfd, 1, MillisecondsLeft(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      KillAndReap(pid);
      return MakeErrorf(ErrorCode::kIo, "{}: timed out and was stopped", program);
    }
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return OkStatus();
    out.append(buffer, static_cast<size_t>(n));
    if (out.size() > kMaxOutput) {
      KillAndReap(pid);
      return MakeErrorf(ErrorCode::kIo, "{}: printed more than 1 MiB and was stopped", program);
    }
  }
}

// Waits for the child to exit after it closed stdout, still bounded.
Result<int> WaitForExit(pid_t pid, Clock::time_point deadline, const std::string& program) {
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return ExitCodeOf(status);
    if (done < 0 && errno != EINTR) {
      return MakeErrorf(ErrorCode::kIo, "{}: waitpid failed: {}", program, std::strerror(errno));
    }
    if (MillisecondsLeft(deadline) == 0) {
      KillAndReap(pid);
      return MakeErrorf(ErrorCode::kIo, "{}: timed out and was stopped", program);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

Result<ProgramOutput> RealProgramRunner::Run(const std::vector<std::string>& argv, int timeout_ms) const {
  if (argv.empty()) return MakeErrorf(ErrorCode::kUsage, "no program to run");
  const std::string& program = argv.front();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return MakeErrorf(ErrorCode::kIo, "{}: cannot create a pipe: {}", program, std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    ErrorCode code = (rc == ENOENT || rc == ENOTDIR) ? ErrorCode::kNotFound : ErrorCode::kIo;
    return MakeErrorf(code, "{}: cannot run: {}", program, std::strerror(rc));
  }
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  ProgramOutput output;
  Status read = ReadUntilEof(fds[0], pid, deadline, program, output.stdout_text);
  close(fds[0]);
  if (!read.ok()) return read.error();
  PIPEFIT_ASSIGN_OR_RETURN(output.exit_code, WaitForExit(pid, deadline, program));
  return output;
}

}  // namespace pipefit
