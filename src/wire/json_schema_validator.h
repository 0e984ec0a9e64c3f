// Internal to src/wire: the JSON Schema subset behind CheckJsonAgainstSchema
// (wire/json_check.h documents the keywords, the messages and the limits).
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"
#include "wire/json_read.h"

namespace duet::wire {

// Every message about the schema itself starts with this.
inline constexpr std::string_view kSchemaErrorPrefix = "schema: ";

// Validation calls allowed per check before giving up with a schema error:
// an answer a local model writes within its token budget takes far fewer,
// while $ref alternatives that multiply could take 2^n.
inline constexpr int64_t kMaxSchemaSteps = int64_t{1} << 17;
// Nested validation calls (value depth, combinators and $ref hops
// together) allowed before giving up with a schema error: only a $ref cycle
// that consumes no value gets that deep.
inline constexpr int kMaxSchemaRecursion = 512;

// OK when `value` satisfies `schema`; otherwise kInvalidArgument
// "<path>: <violation>" for the first violation, or "schema: ..." when the
// schema cannot be applied.
// REQUIRES: both nest no deeper than kMaxCheckedJsonDepth.
Status ValidateAgainstSchema(const Json& value, const Json& schema);

}  // namespace duet::wire
