// The local engine as configured: one LlamaEngine serving every
// [models.NAME] entry, with the [local] settings.
//
// A model's path may be a file or a name `duet models` lists (resolved
// through model_files/model_discovery.h). Its vision projector is
// models.NAME.mmproj when set ("none": text only), else the one its source
// names (an Ollama manifest's projector layer), else the guess of
// model_files/projector_guess.h; a projector that was not configured and
// does not load leaves the model text only, with a warning.
#pragma once

#include <memory>

#include "backend/backend.h"
#include "core/config.h"

namespace duet {

// Null when no model is configured. Fails, naming the model, when one cannot
// be loaded, or (kUnavailable) when this duet was built without llama.cpp.
Result<std::shared_ptr<Backend>> MakeLocalBackend(const Config& config);

}  // namespace duet
