# The tree-sitter Python grammar, from the npm registry, pinned by version and
# SHA-256, compiled by the build (DESIGN.md: never committed). The tarball is
# cached outside the build tree (PIPEFIT_GRAMMAR_CACHE, default
# ~/.cache/pipefit-build) so clean builds do not fetch it again;
# scripts/setup.sh fetches it once.
set(PIPEFIT_PYTHON_GRAMMAR_VERSION 0.23.6)
set(PIPEFIT_PYTHON_GRAMMAR_SHA256 aab5b860d93dbf84b37fed532f7dacc0468ede5387d0c74911d68f964287662a)
if(NOT PIPEFIT_GRAMMAR_CACHE)
  if(DEFINED ENV{PIPEFIT_GRAMMAR_CACHE})
    set(PIPEFIT_GRAMMAR_CACHE $ENV{PIPEFIT_GRAMMAR_CACHE})
  else()
    set(PIPEFIT_GRAMMAR_CACHE $ENV{HOME}/.cache/pipefit-build)
  endif()
endif()
set(_tarball ${PIPEFIT_GRAMMAR_CACHE}/tree-sitter-python-${PIPEFIT_PYTHON_GRAMMAR_VERSION}.tgz)

function(_pipefit_grammar_ok result)
  set(${result} FALSE PARENT_SCOPE)
  if(EXISTS ${_tarball})
    file(SHA256 ${_tarball} _sum)
    if(_sum STREQUAL PIPEFIT_PYTHON_GRAMMAR_SHA256)
      set(${result} TRUE PARENT_SCOPE)
    endif()
  endif()
endfunction()

_pipefit_grammar_ok(_have)
if(NOT _have)
  find_program(NPM_EXECUTABLE npm)
  if(NOT NPM_EXECUTABLE)
    message(FATAL_ERROR "npm is needed once to fetch tree-sitter-python@${PIPEFIT_PYTHON_GRAMMAR_VERSION} "
                        "(run scripts/setup.sh)")
  endif()
  file(MAKE_DIRECTORY ${PIPEFIT_GRAMMAR_CACHE})
  execute_process(
    COMMAND ${NPM_EXECUTABLE} pack --silent tree-sitter-python@${PIPEFIT_PYTHON_GRAMMAR_VERSION}
    WORKING_DIRECTORY ${PIPEFIT_GRAMMAR_CACHE}
    RESULT_VARIABLE _npm_result OUTPUT_QUIET)
  _pipefit_grammar_ok(_have)
  if(NOT _have)
    message(FATAL_ERROR "could not fetch tree-sitter-python@${PIPEFIT_PYTHON_GRAMMAR_VERSION} with the expected "
                        "SHA-256 into ${PIPEFIT_GRAMMAR_CACHE} (npm exit ${_npm_result})")
  endif()
endif()

set(_grammar_dir ${CMAKE_BINARY_DIR}/_deps/tree-sitter-python-${PIPEFIT_PYTHON_GRAMMAR_VERSION})
if(NOT EXISTS ${_grammar_dir}/package/src/parser.c)
  file(MAKE_DIRECTORY ${_grammar_dir})
  file(ARCHIVE_EXTRACT INPUT ${_tarball} DESTINATION ${_grammar_dir} PATTERNS package/src)
endif()

enable_language(C)
add_library(tree_sitter_python STATIC ${_grammar_dir}/package/src/parser.c ${_grammar_dir}/package/src/scanner.c)
target_include_directories(tree_sitter_python PRIVATE ${_grammar_dir}/package/src)
set_target_properties(tree_sitter_python PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_compile_options(tree_sitter_python PRIVATE -w)
