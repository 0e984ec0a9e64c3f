// `duet models`: the GGUF models duet can serve, from the configuration,
// the Hugging Face cache and Ollama's store (src/model_files/
// model_discovery.h; docs/models.md), with what each file's metadata says.
//
//   duet models           a table: NAME, SOURCE, SIZE, QUANT, CONTEXT,
//                         FAMILY, IMAGES (yes: it has a vision projector),
//                         PATH, then where it looked
//   duet models --json    the same as one JSON object
//
// A file whose metadata cannot be read (truncated, not GGUF, a missing
// Ollama blob) is listed with its error, never dropped. Without llama.cpp
// the metadata columns show "?" and a note says why.
//
// Thread safety: call from main only.
#pragma once

#include <iosfwd>

#include "core/config.h"
#include "model_files/model_discovery.h"

namespace CLI {
class App;
}  // namespace CLI

namespace duet {

struct ModelsCommandOptions {
  bool json = false;
};

// Adds --json to `command`, writing into `options` (which must outlive
// parsing).
void AddModelsOptions(CLI::App* command, ModelsCommandOptions* options);

// Lists the models `discovery` finds plus config.models (added to
// discovery.configured) on `out`. Returns 0: problems with single files are
// part of the listing.
int RunModelsCommand(const Config& config, const ModelsCommandOptions& options,
                     model_files::DiscoveryOptions discovery, std::ostream& out);

}  // namespace duet
