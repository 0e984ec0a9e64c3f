// Constrained output for local models: a request's response_format turned
// into a GBNF grammar (llama.cpp's JSON-schema converter), which the
// sampler then enforces token by token, so the answer is valid JSON that
// matches the schema even from a small model.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "model/chat.h"

namespace duet::llama {

// The grammar for `format`, or nullopt for plain text. json_object asks for
// any JSON object; json_schema for that schema. kInvalidArgument when the
// schema cannot be converted (the message names response_format).
Result<std::optional<std::string>> GrammarFor(
    const std::optional<ResponseFormat>& format);

}  // namespace duet::llama
