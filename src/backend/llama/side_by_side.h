#ifndef DUET_BACKEND_LLAMA_SIDE_BY_SIDE_H_
#define DUET_BACKEND_LLAMA_SIDE_BY_SIDE_H_

// Runs one piece of work on several threads at once, for the engine's own
// work between llama.cpp's graphs (tokenising a new prompt).
//
// Why a choice of threads: the runner's inference thread leads llama.cpp's
// compute threads. Where ggml is built with OpenMP (its default, and
// duet's build), they are the inference thread's OpenMP team, and after a
// graph they keep spinning for a while (libgomp's default, some
// milliseconds) so that the next graph, and every barrier inside one,
// starts at once; sleeping instead halves decode speed. Threads started
// beside them for other work then fight a spinning thread for the cores: on
// the 2-core development VM, tokenising a new 500-token prompt while
// admitting a request took 1.0-7.4 ms instead of 0.7. Handing that work to
// the team itself puts the spinning threads to use.

#include <functional>

namespace duet::llama {

enum class Helpers {
  // Threads started for the call and joined before it returns.
  kNewThreads,
  // The calling thread's OpenMP team: on the runner's inference thread,
  // llama.cpp's compute threads. New threads where ggml has no OpenMP.
  kComputeTeam,
};

// Calls `work` on up to `threads` threads at once, the caller's among
// them, and returns once every call has returned: the number of threads
// that ran it (fewer than asked when no more could be had). `work` must
// not throw.
int RunSideBySide(int threads, Helpers helpers,
                  const std::function<void()>& work);

// Whether Helpers::kComputeTeam is an OpenMP team in this build.
bool ComputeTeamIsOpenMp();

}  // namespace duet::llama

#endif  // DUET_BACKEND_LLAMA_SIDE_BY_SIDE_H_
