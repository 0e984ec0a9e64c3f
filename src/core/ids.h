// Random identifiers for messages, requests and tool calls.
//
// NewId("msg_") returns "msg_" followed by 24 base62 characters (~143 bits),
// drawn from a per-thread generator seeded from std::random_device. Not a
// secret: ids only need to be unique, not unguessable.
// Thread safety: thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace duet {

std::string NewId(std::string_view prefix);

}  // namespace duet
