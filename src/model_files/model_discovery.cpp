#include "model_files/model_discovery.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "model_files/hf_cache.h"
#include "model_files/ollama_store.h"
#include "model_files/projector_guess.h"

namespace duet::model_files {
namespace fs = std::filesystem;

namespace {

// The size of the file behind `path` (symlinks followed), or the reason
// there is none.
Status SizeOf(const std::string& path, int64_t* size) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    std::error_code link_error;
    return NotFound(fs::is_symlink(fs::symlink_status(path, link_error))
                        ? "a broken symlink (its blob is missing)"
                        : "no such file");
  }
  if (!fs::is_regular_file(status)) {
    return NotFound("not a regular file");
  }
  const uintmax_t bytes = fs::file_size(path, error);
  if (error) {
    return NotFound("cannot read its size: " + error.message());
  }
  *size = static_cast<int64_t>(bytes);
  return Status::Ok();
}

std::vector<DiscoveredModel> HuggingFaceModels(const std::string& cache_dir) {
  std::vector<DiscoveredModel> models;
  for (CachedGgufFile& file : ListCachedGgufFiles(cache_dir)) {
    if (fs::path(file.snapshot_path).filename().string().rfind("mmproj", 0) == 0) {
      continue;  // a vision projector: part of its repository's models
    }
    DiscoveredModel model;
    model.id = std::move(file.id);
    model.source = ModelSource::kHuggingFace;
    model.path = std::move(file.snapshot_path);
    model.projector_path = GuessProjector(model.path).path;
    model.error = SizeOf(model.path, &model.size_bytes);
    models.push_back(std::move(model));
  }
  return models;
}

std::vector<DiscoveredModel> OllamaModels(const std::vector<std::string>& stores) {
  std::vector<DiscoveredModel> models;
  for (const std::string& store : stores) {
    for (OllamaModel& found : ListOllamaModels(store)) {
      DiscoveredModel model;
      model.id = std::move(found.name);
      model.source = ModelSource::kOllama;
      model.path = found.blob_path.empty() ? found.manifest_path : found.blob_path;
      model.projector_path = std::move(found.projector_path);
      model.error = std::move(found.error);
      if (model.error.ok()) {
        model.error = SizeOf(model.path, &model.size_bytes);
      }
      models.push_back(std::move(model));
    }
  }
  return models;
}

// Every discovered (not configured) model.
std::vector<DiscoveredModel> FoundModels(const DiscoveryOptions& options) {
  const SearchLocations where = Locations(options);
  std::vector<DiscoveredModel> models = HuggingFaceModels(where.huggingface_cache);
  for (DiscoveredModel& model : OllamaModels(where.ollama_stores)) {
    models.push_back(std::move(model));
  }
  return models;
}

// `matched` (may be null) says whether an entry is called `name`, so that
// callers can tell "no such model" from "that model is broken".
Result<DiscoveredModel> FindIn(std::vector<DiscoveredModel> models, std::string_view name,
                               bool* matched = nullptr) {
  std::string wanted(name);
  // Ollama reads a name without a tag as NAME:latest. A name with a slash
  // and no colon could be a Hugging Face id, so the exact match comes
  // first.
  const std::string latest = wanted + ":latest";
  for (const std::string& candidate : {wanted, latest}) {
    for (DiscoveredModel& model : models) {
      if (model.id == candidate) {
        if (matched != nullptr) {
          *matched = true;
        }
        if (!model.error.ok()) {
          return Error(Unavailable("model " + model.id + " (" +
                                   std::string(ModelSourceName(model.source)) +
                                   ") cannot be served: " + model.error.message()));
        }
        return std::move(model);
      }
    }
  }
  return Error(NotFound("no model called '" + wanted +
                        "' in the Hugging Face cache or Ollama's store "
                        "(`duet models` lists what is there)"));
}

}  // namespace

std::string_view ModelSourceName(ModelSource source) {
  switch (source) {
    case ModelSource::kConfig:
      return "config";
    case ModelSource::kHuggingFace:
      return "huggingface";
    case ModelSource::kOllama:
      return "ollama";
  }
  return "unknown";
}

DiscoveryOptions ProcessDiscoveryOptions() {
  DiscoveryOptions options;
  options.getenv = [](const char* name) -> const char* { return std::getenv(name); };
  if (const char* home = std::getenv("HOME"); home != nullptr && *home) {
    options.home = home;
  }
  return options;
}

SearchLocations Locations(const DiscoveryOptions& options) {
  SearchLocations where;
  where.huggingface_cache = HuggingFaceCacheDir(options.getenv, options.home);
  where.ollama_stores =
      OllamaModelDirs(options.getenv, options.home, options.include_system_ollama);
  return where;
}

std::vector<DiscoveredModel> DiscoverModels(const DiscoveryOptions& options) {
  std::vector<DiscoveredModel> found = FoundModels(options);
  std::vector<DiscoveredModel> models;
  for (const LocalModelConfig& configured : options.configured) {
    DiscoveredModel model;
    model.id = configured.name;
    model.source = ModelSource::kConfig;
    model.path = configured.path;
    std::error_code error;
    bool matched = false;
    Result<DiscoveredModel> resolved = DiscoveredModel();
    if (!fs::exists(configured.path, error)) {
      // A configured path may itself be a discovered name
      // (path = "llama3.2:3b"): show the file it stands for.
      resolved = FindIn(found, configured.path, &matched);
    }
    if (matched && resolved) {
      model.path = resolved->path;
      model.projector_path = resolved->projector_path;
    }
    if (configured.mmproj == "none") {
      model.projector_path.clear();
    } else if (!configured.mmproj.empty()) {
      model.projector_path = configured.mmproj;
    } else if (model.projector_path.empty()) {
      model.projector_path = GuessProjector(model.path).path;
    }
    model.error = matched && !resolved ? resolved.error()
                                       : SizeOf(model.path, &model.size_bytes);
    models.push_back(std::move(model));
  }
  for (DiscoveredModel& model : found) {
    models.push_back(std::move(model));
  }
  return models;
}

Result<DiscoveredModel> ResolveModel(std::string_view name,
                                     const DiscoveryOptions& options) {
  return FindIn(FoundModels(options), name);
}

}  // namespace duet::model_files
