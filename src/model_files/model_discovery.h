// Model discovery: the GGUF files duet can serve, from three sources:
//
//   config       the [models.NAME] path entries (and --model NAME=PATH)
//   huggingface  the Hugging Face cache (hf_cache.h): ORG/NAME/FILE.gguf
//   ollama       Ollama's store (ollama_store.h): NAME:TAG
//
// and the resolver that lets `duet run` and `--model NAME=...` take a name
// `duet models` shows ("llama3.2:3b", "org/repo/model.Q4_K_M.gguf") where
// a file path is expected.
//
// Nothing here reads a model's metadata (gguf_info.h does, per file) or
// fails as a whole: a source that is missing contributes nothing, and an
// entry that cannot be used is listed with its error.
//
// The environment and the home folder are injected (DiscoveryOptions) so
// tests can point every source at a temporary folder.
//
// Thread safety: pure functions over the file system; callable from any
// thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace duet::model_files {

enum class ModelSource { kConfig, kHuggingFace, kOllama };

// "config", "huggingface", "ollama".
std::string_view ModelSourceName(ModelSource source);

struct DiscoveredModel {
  std::string id;    // config: the name; huggingface: ORG/NAME/FILE; ollama: NAME:TAG
  ModelSource source = ModelSource::kConfig;
  std::string path;  // the file to load (a snapshot symlink, an Ollama blob)
  // Its vision projector, for images: the configured one, the one an
  // Ollama manifest names, or the guess of projector_guess.h; else "".
  // (Hugging Face files named mmproj* are projectors, not listed models.)
  std::string projector_path;
  int64_t size_bytes = -1;  // of the file behind any symlink; -1 unknown
  Status error;      // not OK: why this entry cannot be served
};

struct DiscoveryOptions {
  EnvLookup getenv;  // REQUIRED: HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME, OLLAMA_MODELS
  std::string home;  // "" = no home folder: its default locations are skipped
  std::vector<LocalModelConfig> configured;
  // Also search /usr/share/ollama/.ollama/models when OLLAMA_MODELS is unset.
  bool include_system_ollama = true;
};

// Options for this process: the real environment, $HOME, system stores on.
// `configured` is left empty.
DiscoveryOptions ProcessDiscoveryOptions();

// Where each source is looked for (for "searched ..." lines).
struct SearchLocations {
  std::string huggingface_cache;          // "" when none applies
  std::vector<std::string> ollama_stores;
};
SearchLocations Locations(const DiscoveryOptions& options);

// Every model, in this order: configured ones (as configured, a path that
// names a discovered model resolved to its file), then the Hugging Face
// cache sorted by id, then the Ollama stores sorted by name.
std::vector<DiscoveredModel> DiscoverModels(const DiscoveryOptions& options);

// The Hugging Face or Ollama model called `name`: an id exactly as
// `duet models` shows it, or an Ollama name without a tag meaning ":latest"
// (as Ollama reads it). Configured names are not looked at (callers check
// their configuration first). kNotFound when nothing is called that;
// kUnavailable, quoting the entry's error (a missing blob, say), when it
// cannot be served.
Result<DiscoveredModel> ResolveModel(std::string_view name,
                                     const DiscoveryOptions& options);

}  // namespace duet::model_files
