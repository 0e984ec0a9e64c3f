// The vocabulary `duet demo` generates its tiny model with, built into the
// binary: the assembler includes the file's bytes as they are
// (DUET_DEMO_VOCAB_FILE, set by CMake), so no copy of it ships beside duet.
#include <string_view>

#include "app/demo_model.h"

#if DUET_HAVE_LLAMA
__asm__(
    ".section .rodata\n"
    ".balign 16\n"
    ".global duet_demo_vocab_begin\n"
    "duet_demo_vocab_begin:\n"
    ".incbin \"" DUET_DEMO_VOCAB_FILE "\"\n"
    ".global duet_demo_vocab_end\n"
    "duet_demo_vocab_end:\n"
    ".previous\n");
extern "C" const char duet_demo_vocab_begin[];
extern "C" const char duet_demo_vocab_end[];
#endif

namespace duet {

std::string_view DemoVocabulary() {
#if DUET_HAVE_LLAMA
  return std::string_view(duet_demo_vocab_begin,
                          static_cast<size_t>(duet_demo_vocab_end - duet_demo_vocab_begin));
#else
  return {};
#endif
}

}  // namespace duet
