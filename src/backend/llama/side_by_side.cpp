#include "backend/llama/side_by_side.h"

#include <system_error>
#include <thread>
#include <vector>

#if DUET_LLAMA_OPENMP
#include <omp.h>
#endif

namespace duet::llama {
namespace {

int RunOnNewThreads(int threads, const std::function<void()>& work) {
  std::vector<std::thread> started;
  for (int k = 1; k < threads; ++k) {
    try {
      started.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones running do the rest
    }
  }
  work();
  for (std::thread& thread : started) {
    thread.join();
  }
  return static_cast<int>(started.size()) + 1;
}

}  // namespace

int RunSideBySide(int threads, Helpers helpers,
                  const std::function<void()>& work) {
  if (threads <= 1) {
    work();
    return 1;
  }
#if DUET_LLAMA_OPENMP
  if (helpers == Helpers::kComputeTeam) {
    int ran = 1;
#pragma omp parallel num_threads(threads)
    {
#pragma omp single nowait
      ran = omp_get_num_threads();
      work();
    }
    return ran;
  }
#else
  (void)helpers;
#endif
  return RunOnNewThreads(threads, work);
}

bool ComputeTeamIsOpenMp() { return DUET_LLAMA_OPENMP != 0; }

}  // namespace duet::llama
