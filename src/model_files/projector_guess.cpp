#include "model_files/projector_guess.h"

#include <filesystem>
#include <system_error>
#include <vector>

namespace duet::model_files {
namespace {

namespace fs = std::filesystem;

// The name of a split GGUF's series ("model" for model-00001-of-00003.gguf),
// else the file name without its extension.
std::string SeriesName(const fs::path& file) {
  const std::string stem = file.stem().string();
  const size_t of = stem.rfind("-of-");
  if (of == std::string::npos || of == 0) {
    return stem;
  }
  const size_t dash = stem.rfind('-', of - 1);
  return dash == std::string::npos ? stem : stem.substr(0, dash);
}

}  // namespace

ProjectorGuess GuessProjector(const std::string& model_path) {
  const fs::path model(model_path);
  const fs::path folder = model.parent_path().empty() ? fs::path(".") : model.parent_path();
  const bool snapshot = folder.parent_path().filename() == "snapshots";
  std::vector<std::string> projectors;
  bool other_models = false;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
    std::error_code type_error;
    if (entry.path().extension() != ".gguf" || !entry.is_regular_file(type_error)) {
      continue;
    }
    if (entry.path().filename().string().rfind("mmproj", 0) == 0) {
      projectors.push_back(entry.path().string());
    } else if (SeriesName(entry.path()) != SeriesName(model)) {
      other_models = true;
    }
  }
  ProjectorGuess guess;
  if (projectors.empty()) {
    return guess;
  }
  if (other_models && !snapshot) {
    guess.passed_over = "its folder holds other models, so the mmproj*.gguf there is not "
                        "taken for its vision projector";
  } else if (projectors.size() > 1) {
    guess.passed_over = std::to_string(projectors.size()) +
                        " files named mmproj*.gguf beside it; none is taken for its "
                        "vision projector";
  } else {
    guess.path = projectors.front();
  }
  return guess;
}

}  // namespace duet::model_files
