# Shared set-up for the timing scripts in bench/ (sourced, not run):
#   pipefit_binary   sets PIPEFIT to $PIPEFIT if given, else builds ./build's
#                    pipefit (Release when the build folder is new)
#   isolated_env DIR points HOME and the caches into DIR and turns the Hub
#                    off, so nothing outside DIR is read or written
pipefit_binary() {
  if [[ -z "${PIPEFIT:-}" ]]; then
    if [[ ! -f build/CMakeCache.txt ]]; then
      cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    fi
    cmake --build build --target pipefit >/dev/null
    PIPEFIT=$PWD/build/pipefit
  fi
}

isolated_env() {
  export HOME=$1 PIPEFIT_CACHE=$1/cache HF_HOME=$1/hf HF_HUB_CACHE=$1/hf/hub HF_HUB_OFFLINE=1
}
