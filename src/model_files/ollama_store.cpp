#include "model_files/ollama_store.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <system_error>

#include <nlohmann/json.hpp>

namespace duet::model_files {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kModelMediaType = "application/vnd.ollama.image.model";
constexpr std::string_view kProjectorMediaType = "application/vnd.ollama.image.projector";
constexpr std::string_view kDigestPrefix = "sha256:";
constexpr std::string_view kDefaultNamespace = "library";
constexpr uintmax_t kMaxManifestBytes = 1 << 20;

bool IsSha256Hex(std::string_view hex) {
  return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

// Calls `visit` for each sub-folder of `dir`, in name order.
void ForEachFolder(const fs::path& dir, const std::function<void(const fs::path&)>& visit) {
  std::vector<fs::path> folders;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    std::error_code ignored;
    if (it->is_directory(ignored)) {
      folders.push_back(it->path());
    }
  }
  std::sort(folders.begin(), folders.end());
  for (const fs::path& folder : folders) {
    visit(folder);
  }
}

OllamaModel ReadManifest(const fs::path& store, const fs::path& manifest,
                         std::string name) {
  OllamaModel model;
  model.name = std::move(name);
  model.manifest_path = manifest.string();
  std::error_code error;
  const uintmax_t size = fs::file_size(manifest, error);
  if (error || size > kMaxManifestBytes) {
    model.error = InvalidArgument(error ? "cannot read the manifest: " + error.message()
                                        : "the manifest is over 1 MiB");
    return model;
  }
  std::ifstream in(manifest, std::ios::binary);
  const std::string json((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  Result<OllamaModelLayer> layer = ParseOllamaManifest(json);
  if (!layer) {
    model.error = layer.error();
    return model;
  }
  model.declared_size = layer->size;
  const fs::path blob = store / "blobs" / ("sha256-" + layer->sha256);
  model.blob_path = blob.string();
  if (!layer->projector_sha256.empty()) {
    const fs::path projector = store / "blobs" / ("sha256-" + layer->projector_sha256);
    if (fs::is_regular_file(projector, error)) {
      model.projector_path = projector.string();
    }
  }
  const uintmax_t blob_size = fs::file_size(blob, error);
  if (error) {
    model.error = NotFound("its blob is missing (" + blob.filename().string() +
                           "): is the pull still running?");
  } else if (layer->size >= 0 && blob_size != static_cast<uintmax_t>(layer->size)) {
    model.error = InvalidArgument("its blob has " + std::to_string(blob_size) +
                                  " bytes, the manifest says " +
                                  std::to_string(layer->size));
  }
  return model;
}

}  // namespace

std::vector<std::string> OllamaModelDirs(const EnvLookup& getenv,
                                         const std::string& home,
                                         bool include_system) {
  if (const char* models = getenv("OLLAMA_MODELS"); models != nullptr && *models) {
    return {models};
  }
  std::vector<std::string> dirs;
  if (!home.empty()) {
    dirs.push_back((fs::path(home) / ".ollama" / "models").string());
  }
  if (include_system) {
    const std::string system = "/usr/share/ollama/.ollama/models";
    if (std::find(dirs.begin(), dirs.end(), system) == dirs.end()) {
      dirs.push_back(system);
    }
  }
  return dirs;
}

Result<OllamaModelLayer> ParseOllamaManifest(std::string_view json) {
  const nlohmann::json manifest = nlohmann::json::parse(json, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object()) {
    return Error(InvalidArgument("the manifest is not a JSON object"));
  }
  const auto layers = manifest.find("layers");
  if (layers == manifest.end() || !layers->is_array()) {
    return Error(InvalidArgument("the manifest has no layers"));
  }
  // A layer's sha256 hex digest, or "" when it is not sha256:<64 hex>.
  const auto digest_of = [](const nlohmann::json& layer) -> std::string {
    const auto digest = layer.find("digest");
    const std::string text =
        digest != layer.end() && digest->is_string() ? digest->get<std::string>() : "";
    const std::string hex =
        text.substr(0, kDigestPrefix.size()) == kDigestPrefix ? text.substr(kDigestPrefix.size())
                                                              : "";
    return IsSha256Hex(hex) ? hex : "";
  };
  const nlohmann::json* model = nullptr;
  std::string projector;
  for (const nlohmann::json& layer : *layers) {
    if (!layer.is_object()) {
      continue;
    }
    const auto media_type = layer.find("mediaType");
    if (media_type == layer.end() || !media_type->is_string()) {
      continue;
    }
    if (media_type->get<std::string>() == kModelMediaType && model == nullptr) {
      model = &layer;
    } else if (media_type->get<std::string>() == kProjectorMediaType && projector.empty()) {
      projector = digest_of(layer);
    }
  }
  if (model == nullptr) {
    return Error(InvalidArgument("the manifest has no model layer"));
  }
  OllamaModelLayer found;
  found.sha256 = digest_of(*model);
  if (found.sha256.empty()) {
    return Error(InvalidArgument("the model layer's digest is not sha256:<64 hex digits>"));
  }
  const auto size = model->find("size");
  if (size != model->end() && size->is_number_integer() && size->get<int64_t>() >= 0) {
    found.size = size->get<int64_t>();
  }
  found.projector_sha256 = std::move(projector);
  return found;
}

std::string OllamaModelName(std::string_view namespace_name, std::string_view model,
                            std::string_view tag) {
  std::string name;
  if (namespace_name != kDefaultNamespace) {
    name = std::string(namespace_name) + "/";
  }
  return name + std::string(model) + ":" + std::string(tag);
}

std::vector<OllamaModel> ListOllamaModels(const std::string& models_dir) {
  std::vector<OllamaModel> models;
  if (models_dir.empty()) {
    return models;
  }
  const fs::path store(models_dir);
  // manifests/<host>/<namespace>/<model>/<tag>: the host is not part of
  // the name, so every host folder is read alike.
  ForEachFolder(store / "manifests", [&](const fs::path& host) {
    ForEachFolder(host, [&](const fs::path& namespace_dir) {
      ForEachFolder(namespace_dir, [&](const fs::path& model_dir) {
        std::error_code error;
        for (fs::directory_iterator tags(model_dir, error), end; !error && tags != end;
             tags.increment(error)) {
          std::error_code ignored;
          if (!tags->is_regular_file(ignored)) {
            continue;
          }
          models.push_back(ReadManifest(
              store, tags->path(),
              OllamaModelName(namespace_dir.filename().string(),
                              model_dir.filename().string(),
                              tags->path().filename().string())));
        }
      });
    });
  });
  std::sort(models.begin(), models.end(), [](const OllamaModel& a, const OllamaModel& b) {
    return a.name != b.name ? a.name < b.name : a.manifest_path < b.manifest_path;
  });
  return models;
}

}  // namespace duet::model_files
