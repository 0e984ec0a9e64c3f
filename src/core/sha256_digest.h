// SHA-256 of a byte string in one call, for ids and content keys (client
// key ids, the sensitive scanner's memory of clean texts). Uses libcrypto,
// which picks the CPU's SHA instructions where it has them.
//
// Thread safety: reentrant; each thread keeps its own digest context.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace duet {

using Sha256Digest = std::array<uint8_t, 32>;

// The digest of `data`; nullopt only when libcrypto fails (out of memory,
// or a build of it without SHA-256).
std::optional<Sha256Digest> Sha256Of(std::string_view data);

}  // namespace duet
