// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The off-chain scaling stack developers
//
// A fixed pool of worker threads for data-parallel loops. parallel_for splits [0, n)
// into chunks that workers (and the calling thread) claim; it returns when every chunk
// is done. Results are deterministic as long as each chunk writes only its own
// outputs: which thread runs a chunk never matters. One parallel_for runs at a time;
// concurrent callers are serialised. A pool of size 1 runs everything on the caller.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace l2 {

class ThreadPool {
 public:
  // `threads` is the total parallelism, the calling thread included (0 means 1).
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  [[nodiscard]] unsigned size() const { return static_cast<unsigned>(workers_.size()) + 1; }

  // Calls fn(begin, end) over consecutive chunks of at least `min_chunk` items.
  void parallel_for(std::size_t n, std::size_t min_chunk,
                    const std::function<void(std::size_t, std::size_t)>& fn);

  // Calls fn(part) for part in [0, size()), one part per thread where possible.
  void for_each_part(const std::function<void(unsigned)>& fn);

 private:
  void worker_loop();
  void run_chunks();

  std::mutex call_mutex_;  // serialises parallel_for callers
  std::mutex mutex_;       // guards generation_, stop_, job_*
  std::condition_variable wake_;
  std::condition_variable done_;
  std::uint64_t generation_ = 0;  // GUARDED_BY(mutex_)
  bool stop_ = false;             // GUARDED_BY(mutex_)
  unsigned busy_ = 0;             // GUARDED_BY(mutex_): workers still inside the current job
  const std::function<void(std::size_t, std::size_t)>* job_ = nullptr;
  std::size_t job_n_ = 0;
  std::size_t job_chunk_ = 1;
  std::atomic<std::size_t> next_{0};
  std::vector<std::thread> workers_;
};

}  // namespace l2
