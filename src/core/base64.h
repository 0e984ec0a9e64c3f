// Base64 (RFC 4648, the standard alphabet with padding): proxy credentials
// (net/basic_auth.h) and images sent inline in requests.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace duet {

std::string Base64Encode(std::string_view bytes);

// The bytes `text` encodes. ASCII whitespace is skipped (some clients wrap
// long payloads), padding is optional, and nothing may follow it.
// kInvalidArgument for any other character or a length no encoding has.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace duet
