// The local engine as configured: one LlamaEngine serving every
// [models.NAME] entry, with the [local] settings.
#pragma once

#include <memory>

#include "backend/backend.h"
#include "core/config.h"

namespace duet {

// Null when no model is configured. Fails, naming the model, when one cannot
// be loaded, or (kUnavailable) when this duet was built without llama.cpp.
Result<std::shared_ptr<Backend>> MakeLocalBackend(const Config& config);

}  // namespace duet
