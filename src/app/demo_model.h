// The local model `duet demo` runs: the first configured one; else the
// smallest usable model `duet models` finds on this machine (the Hugging
// Face cache, Ollama's store); else a tiny model with random weights that
// it generates into the demo's folder, from a vocabulary built into the
// binary — whose answers are noise, which the description says plainly.
//
// Thread safety: call from one thread (generating uses ggml's process-wide
// tables).
#pragma once

#include <string>
#include <string_view>

#include "core/config.h"
#include "core/status.h"

namespace duet {

struct DemoModel {
  LocalModelConfig config;  // name and path to serve
  std::string description;  // one line for the demo's header
  bool noise = false;       // generated: its answers mean nothing
};

// `folder` receives a generated model. Fails when nothing is configured or
// found and this duet cannot generate one (built without llama.cpp).
Result<DemoModel> ChooseDemoModel(const Config& config, const std::string& folder);

// The llama SentencePiece vocabulary (a vocabulary-only GGUF from the
// pinned llama.cpp source) built into the binary; empty without llama.cpp.
std::string_view DemoVocabulary();

}  // namespace duet
