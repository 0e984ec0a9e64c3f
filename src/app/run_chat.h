// `duet run MODEL [PROMPT]`: chat with a local model in the terminal, the
// way `ollama run` does, with the engine in-process (no server).
//
// MODEL is a configured model name ([models.NAME] / --model) or a path to a
// .gguf file. With PROMPT, prints one answer and exits. Otherwise reads
// turns from `in` until end of input or /bye: a line is a message; text
// between lines of """ is one multi-line message; /clear forgets the
// conversation; /think on|off switches the model's thinking mode (its
// reasoning is shown between "Thinking..." and "...done thinking."); /help
// lists the commands. The path of an image file in a message attaches the
// image (prompt_images.h), for a model with a vision projector: the one
// beside it (model_files/projector_guess.h) or RunOptions::mmproj. Answers
// stream to `out` as they are decoded, and the conversation is kept, so
// each turn reuses the cached prefix of the last.
// Ctrl-C stops the answer in progress (at the prompt, it exits).
//
// With `polish` (`duet run MODEL --polish`), each turn is the guide's
// hybrid workflow, every step shown: the local model's draft streams
// first, then the [policy.polish] Claude tier's improved version (the
// conversation keeps Claude's), then, with [policy.polish] review, the
// local model's verdict on it. Claude comes from the configuration (an
// API key, anthropic.base_url); a turn with sensitive data is not sent to
// Claude — the draft stands, and the terminal says why.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "core/config.h"

namespace duet {

struct RunOptions {
  std::string model;                  // MODEL
  std::optional<std::string> prompt;  // PROMPT: one answer, then exit
  bool polish = false;
  std::string mmproj;  // the model's vision projector; "" = as configured or found
};

// Returns the process exit code: 0, 1 when the model cannot be loaded (or,
// with `polish`, Claude is not configured, or PROMPT names an image that
// cannot be read), 2 when MODEL names nothing.
int RunChat(const Config& config, const RunOptions& options, std::istream& in,
            std::ostream& out);

}  // namespace duet
