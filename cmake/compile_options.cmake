# SPDX-License-Identifier: MIT
# Warnings and sanitizers for every target of the project (monad's cmake/compile_options.cmake).
add_library(l2_compile_options INTERFACE)
target_compile_options(l2_compile_options INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(L2_WERROR)
  target_compile_options(l2_compile_options INTERFACE -Werror)
endif()
if(L2_SANITIZE STREQUAL "address")
  target_compile_options(l2_compile_options INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(l2_compile_options INTERFACE -fsanitize=address,undefined)
elseif(L2_SANITIZE STREQUAL "thread")
  # -Wno-tsan: GCC warns that TSan does not model std::atomic_thread_fence, which
  # Boost.Asio uses inside l2::http (built under TSan since the node's test runs there).
  target_compile_options(l2_compile_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer
    $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
  target_link_options(l2_compile_options INTERFACE -fsanitize=thread)
elseif(L2_SANITIZE STREQUAL "fuzzer")
  # Libraries get libFuzzer's coverage instrumentation without its main; the fuzz targets
  # add -fsanitize=fuzzer themselves (tests/fuzz/CMakeLists.txt).
  target_compile_options(l2_compile_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
    -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(l2_compile_options INTERFACE -fsanitize=address,undefined)
elseif(NOT L2_SANITIZE STREQUAL "")
  message(FATAL_ERROR "L2_SANITIZE must be '', 'address', 'thread' or 'fuzzer'")
endif()
