// Ollama's model store, read so that duet can serve a model the user has
// already pulled with Ollama, without copying it:
//
//   <models>/manifests/<host>/<namespace>/<model>/<tag>   a JSON manifest
//   <models>/blobs/sha256-<64 hex>                        each layer's bytes
//
// A manifest lists layers, each with a mediaType, a digest ("sha256:<hex>")
// and a size. The layer whose mediaType is application/vnd.ollama.image.model
// is the GGUF file; one of application/vnd.ollama.image.projector, when
// present, is its vision projector (a CLIP GGUF, for images); the others
// (template, parameters, licence) are not needed to serve it. Every host folder is walked the same way;
// models are named NAME:TAG, or NAMESPACE/NAME:TAG outside the "library"
// namespace, the way Ollama's own commands name them.
//
// Manifests are untrusted input: a digest must be exactly "sha256:" and 64
// hex digits before it becomes a file name, so a manifest cannot point
// outside blobs/.
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

// The stores to search: $OLLAMA_MODELS alone when set (as Ollama itself
// does), else <home>/.ollama/models (when `home` is not empty) and, when
// `include_system`, /usr/share/ollama/.ollama/models, where the Linux
// service keeps its store. Folders may not exist.
std::vector<std::string> OllamaModelDirs(const EnvLookup& getenv,
                                         const std::string& home,
                                         bool include_system);

// The model layer of one manifest.
struct OllamaModelLayer {
  std::string sha256;  // 64 lower-case hex digits
  int64_t size = -1;   // as the manifest declares it; -1 when absent
  std::string projector_sha256;  // its projector layer's; "" for none
};

// Parses a manifest. kInvalidArgument when it is not JSON, has no layers,
// has no model layer, or the model layer's digest is not sha256:<64 hex>.
// A projector layer whose digest is not is left out.
Result<OllamaModelLayer> ParseOllamaManifest(std::string_view json);

// One model in a store.
struct OllamaModel {
  std::string name;           // "llama3.2:3b", "someone/model:tag"
  std::string manifest_path;
  std::string blob_path;      // "" when the manifest could not be used
  std::string projector_path;  // the projector's blob; "" for none (or missing)
  int64_t declared_size = -1;
  Status error;               // why it cannot be served (bad manifest,
                              // missing blob, blob of another size)
};

// "llama3.2", "3b", "library" -> "llama3.2:3b"; another namespace is kept:
// "someone/model:tag".
std::string OllamaModelName(std::string_view namespace_name,
                            std::string_view model, std::string_view tag);

// Every manifest in the store at `models_dir`, sorted by name (then
// manifest path). Manifests over 1 MiB, unreadable ones and ones that
// point at a missing blob are listed with their error. A missing store
// gives an empty list.
std::vector<OllamaModel> ListOllamaModels(const std::string& models_dir);

}  // namespace duet::model_files
