// Reading the [policy] table of a TOML document (config.cpp's part of
// PolicyConfig; kept apart so policy_config.h stays free of toml++).
#pragma once

#include <string_view>

#include <toml++/toml.h>

#include "core/policy_config.h"

namespace duet {

// Applies a [policy] table (with its sub-tables) onto `policy`.
// kInvalidArgument naming `source` and the key for unknown keys, wrong
// types and out-of-range values.
Status ApplyPolicyTable(const toml::table& table, std::string_view source,
                        PolicyConfig* policy);

}  // namespace duet
