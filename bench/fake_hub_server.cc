// Serves a folder as a fake Hugging Face Hub for end-to-end benchmarks:
//   fake_hub_server ROOT [--page-size N] [--delay-ms N] [--port-file FILE]
// Prints "endpoint=<url>" on stdout (and writes the url to FILE) once it
// listens, then serves until SIGINT or SIGTERM. GET <url>/__stats and
// POST <url>/__reset read and clear the request log (see fake_hub.h).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "pipefit/testing/fake_hub.h"

namespace {

int Usage() {
  std::cerr << "usage: fake_hub_server ROOT [--page-size N] [--delay-ms N] [--port-file FILE]\n";
  return 2;
}

// Written to FILE.tmp then renamed, so a script polling for FILE never reads
// half a url.
bool WritePortFile(const std::string& path, const std::string& endpoint) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << endpoint << "\n";
    if (!out) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  pipefit::testkit::FakeHubOptions options;
  options.redirect_lfs = true;
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--page-size" && i + 1 < argc) {
      char* end = nullptr;
      long value = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || value < 1) return Usage();
      options.page_size = static_cast<int>(value);
    } else if (arg == "--delay-ms" && i + 1 < argc) {  // a per-request server latency
      char* end = nullptr;
      long value = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || value < 0 || value > 60000) return Usage();
      options.delay_ms = static_cast<int>(value);
    } else if (arg == "--port-file" && i + 1 < argc) {
      port_file = argv[++i];
    } else if (options.root.empty() && !arg.starts_with("--")) {
      options.root = arg;
    } else {
      return Usage();
    }
  }
  if (options.root.empty()) return Usage();

  // Blocked before the server starts so that every thread inherits the mask
  // and only sigwait below receives the signals.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto hub = pipefit::testkit::FakeHub::Start(options);
  if (!hub.ok()) {
    std::cerr << "fake_hub_server: " << hub.error().message << "\n";
    return 1;
  }
  const std::string endpoint = (*hub)->endpoint();
  if (!port_file.empty() && !WritePortFile(port_file, endpoint)) {
    std::cerr << "fake_hub_server: cannot write " << port_file << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  std::cout << "endpoint=" << endpoint << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  return 0;  // `hub` stops its listeners and joins its threads here
}
