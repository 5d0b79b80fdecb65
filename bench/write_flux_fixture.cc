// Writes the sparse FLUX.1-dev folder the tests use (pipeline_fixture.h) to
// a path, for end-to-end benchmarks: `write_flux_fixture DIR`.
#include <cstdio>

#include "pipefit/testing/pipeline_fixture.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_flux_fixture DIR\n");
    return 2;
  }
  const int files = pipefit::testkit::WriteFluxDevFixture(argv[1], PIPEFIT_SOURCE_DIR);
  std::printf("%d files written to %s\n", files, argv[1]);
  return files > 0 ? 0 : 1;
}
