#include "app/demo_model.h"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "model_files/model_discovery.h"
#include "model_files/random_model.h"

namespace duet {
namespace {

std::string Size(int64_t bytes) {
  if (bytes < 0) {
    return "size unknown";
  }
  return bytes >= (int64_t{1} << 30) ? fmt::format("{:.1f} GB", static_cast<double>(bytes) / 1e9)
                                     : fmt::format("{:.0f} MB", static_cast<double>(bytes) / 1e6);
}

Result<DemoModel> Generated(const std::string& folder) {
  const std::string_view vocabulary = DemoVocabulary();
  if (vocabulary.empty()) {
    return Error(Unavailable(
        "no local model: none is configured or found (`duet models`), and this duet was "
        "built without llama.cpp, so it cannot generate one; give one with --model "
        "NAME=PATH.gguf"));
  }
  const std::string vocab_path = folder + "/vocab.gguf";
  {
    std::ofstream vocab(vocab_path, std::ios::binary);
    vocab.write(vocabulary.data(), static_cast<std::streamsize>(vocabulary.size()));
    if (!vocab) {
      return Error(Internal("cannot write " + vocab_path));
    }
  }
  model_files::RandomModelOptions options;
  options.vocab_path = vocab_path;
  options.out_path = folder + "/duet-demo-tiny.gguf";
  options.context = 8192;
  // Answers end by themselves after some noise, as a chat model's would.
  options.ends_turns_logit = 7;
  if (Result<model_files::RandomModelSummary> written = model_files::WriteRandomModel(options);
      !written) {
    return Error(written.error());
  }
  DemoModel model;
  model.config.name = "tiny";
  model.config.path = options.out_path;
  model.noise = true;
  model.description =
      "a GENERATED tiny model with random weights: its answers are NOISE (routing, "
      "costs, both APIs and the ledger are real). Use a real model: duet demo --model "
      "NAME=PATH.gguf, or `duet pull` one";
  return model;
}

}  // namespace

Result<DemoModel> ChooseDemoModel(const Config& config, const std::string& folder) {
  if (!config.models.empty()) {
    DemoModel model;
    model.config = config.models.front();
    model.description = "your configured model '" + model.config.name + "' (" +
                        model.config.path + ")";
    return model;
  }
  std::vector<model_files::DiscoveredModel> found =
      model_files::DiscoverModels(model_files::ProcessDiscoveryOptions());
  std::erase_if(found, [](const model_files::DiscoveredModel& model) {
    return !model.error.ok() || model.size_bytes <= 0;
  });
  if (found.empty()) {
    return Generated(folder);
  }
  // The smallest: the demo is about routing, not about waiting.
  const auto smallest = std::min_element(
      found.begin(), found.end(),
      [](const auto& a, const auto& b) { return a.size_bytes < b.size_bytes; });
  DemoModel model;
  model.config.name = "local";
  model.config.path = smallest->path;
  model.description = fmt::format("{} ({}, from {}), found on this machine", smallest->id,
                                  Size(smallest->size_bytes),
                                  model_files::ModelSourceName(smallest->source));
  return model;
}

}  // namespace duet
