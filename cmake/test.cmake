# SPDX-License-Identifier: MIT
# add_unit_test(NAME SOURCES ... LIBS ... LABELS ...): a GoogleTest executable whose tests CTest discovers.
# One labelled concurrency is also a dependency of the target concurrency_tests, which the
# tsan stage of scripts/test builds: a new concurrency test cannot be left unbuilt there.
include(GoogleTest)
add_custom_target(concurrency_tests)
function(add_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main l2_compile_options)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${T_LABELS}")
  if("concurrency" IN_LIST T_LABELS)
    add_dependencies(concurrency_tests ${name})
  endif()
endfunction()
