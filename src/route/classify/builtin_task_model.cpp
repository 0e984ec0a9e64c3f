#include "route/classify/builtin_task_model.h"

// The assembler copies the model file into .rodata, aligned for the float
// weights; CMake passes its path and rebuilds this file when it changes.
#ifndef DUET_TASK_MODEL_PATH
#error "DUET_TASK_MODEL_PATH must name the trained task model"
#endif

__asm__(
    ".section .rodata\n"
    ".balign 64\n"
    "duet_builtin_task_model_begin:\n"
    ".incbin \"" DUET_TASK_MODEL_PATH "\"\n"
    "duet_builtin_task_model_end:\n"
    ".previous\n");

extern "C" const uint8_t duet_builtin_task_model_begin[];
extern "C" const uint8_t duet_builtin_task_model_end[];

namespace duet {

std::span<const uint8_t> BuiltInTaskModelBytes() {
  return {duet_builtin_task_model_begin, duet_builtin_task_model_end};
}

}  // namespace duet
