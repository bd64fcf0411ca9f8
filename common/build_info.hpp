// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// What this build is: the project version (CMake's project(VERSION)), the git commit and
// the build type. The commit is the one checked out when CMake last configured the tree
// (not re-read on every build, so that a commit does not rebuild everything); "unknown"
// outside a git checkout. Only build_info.cpp sees the generated values, so a new commit
// recompiles that one file. Immutable data: safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/prometheus.hpp"

namespace l2 {

struct BuildInfo {
  std::string_view version;     // "0.1.0"
  std::string_view commit;      // "1a2b3c4" or "unknown"
  std::string_view build_type;  // "Release", "Debug", ...
};

const BuildInfo& build_info();

// "NAME VERSION (git COMMIT, BUILD_TYPE)", what --version prints.
std::string version_line(std::string_view program);

// The gauge l2_build_info{version="...",commit="...",build_type="..."} 1, as a metric
// family of its own (Prometheus' build-info convention).
void write_build_info(prometheus::Writer& w);

}  // namespace l2
