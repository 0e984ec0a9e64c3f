// Typed reads from parsed JSON for the protocol adapters, with errors that
// name the field the way the APIs do ("messages.0.role: Field required").
//
// nlohmann::json stays inside src/wire: adapters parse with these helpers and
// hand only canonical types (model/chat.h) to the rest of duet.
//
// Every function returns kInvalidArgument on a type mismatch; a member that is
// absent or JSON null counts as "not given" for the Optional* readers.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "model/chat.h"

namespace duet::wire {

// ordered_json keeps keys in the order received, so tool schemas and tool
// inputs reach the model exactly as the client wrote them.
using Json = nlohmann::ordered_json;

// Parses a request body that must be one JSON object. Errors:
// "malformed JSON body: <detail>" or "request body must be a JSON object".
// simdjson reads the text and nlohmann's tree is built from what it read;
// text simdjson refuses is left to nlohmann's parser. The tree is the one
// nlohmann's parser would build (key order, a repeated key's last value at
// its first position, unsigned for integers without a sign), except that
// the integer -0 comes out unsigned 0 instead of signed 0 (same value, same
// text when written).
Result<Json> ParseJsonObject(std::string_view body);

// How deeply a request body's arrays and objects may nest, and what to
// answer when they nest deeper.
inline constexpr size_t kNoNestingLimit = static_cast<size_t>(-1);
struct NestingLimit {
  size_t max_depth = kNoNestingLimit;
  Status too_deep;  // never OK where max_depth is a limit
};

// ParseJsonObject, refusing with `limit.too_deep` a body whose arrays and
// objects nest deeper than `limit.max_depth` (as NestsDeeperThan counts).
// Where simdjson reads the text, the depth is checked as the tree is built,
// so the text is not scanned twice (a long conversation is hundreds of
// kilobytes); text it refuses is scanned first (NestsDeeperThan), so
// hostile nesting never reaches nlohmann's parser.
Result<Json> ParseJsonObject(std::string_view body, const NestingLimit& limit);

// True when arrays and objects in `json` nest deeper than `limit`. Counts
// brackets outside strings only, in one pass without parsing; a malformed
// text may be miscounted, but the parser rejects it anyway. Adapters check
// this before parsing so hostile nesting cannot exhaust the stack.
bool NestsDeeperThan(std::string_view json, int limit);
// How deeply arrays and objects nest in `json` (0 for a scalar), counted the
// same way.
size_t NestingDepth(std::string_view json);

// Joins a field path: JoinPath("messages.0", "role") == "messages.0.role";
// JoinPath("", "model") == "model".
std::string JoinPath(std::string_view parent, std::string_view key);
std::string JoinPath(std::string_view parent, size_t index);

// The member `key` of `object`, or nullptr when absent or null.
// REQUIRES: object.is_object().
const Json* FindMember(const Json& object, std::string_view key);

Result<std::string> RequireString(const Json& object, std::string_view key,
                                  std::string_view path);
Result<std::optional<std::string>> OptionalString(const Json& object,
                                                  std::string_view key,
                                                  std::string_view path);
// An integer, or a float with no fraction inside int64's range (256.0:
// JavaScript clients have no integer type); anything else is WrongType.
Result<std::optional<int64_t>> OptionalInt(const Json& object,
                                           std::string_view key,
                                           std::string_view path);
Result<std::optional<double>> OptionalNumber(const Json& object,
                                             std::string_view key,
                                             std::string_view path);
Result<std::optional<bool>> OptionalBool(const Json& object,
                                         std::string_view key,
                                         std::string_view path);

// Lenient reads for what upstreams send (streams and error bodies), where a
// missing or mistyped member means "not given" rather than an error:
// the member's string, or "" otherwise; the member's integer, or nullopt.
// REQUIRES: object.is_object().
std::string StringOrEmpty(const Json& object, std::string_view key);
std::optional<int64_t> IntIfPresent(const Json& object, std::string_view key);

// "<path>: Field required" / "<path>: expected <what>".
Status FieldRequired(std::string_view path);
Status WrongType(std::string_view path, std::string_view expected);

// Compact JSON text of `value`, for carrying it through as RawJson.
RawJson ToRawJson(const Json& value);
// Parses RawJson back; an empty RawJson gives `fallback`.
// REQUIRES: raw holds valid JSON (true for every RawJson duet makes).
Json FromRawJson(const RawJson& raw, Json fallback = Json::object());

}  // namespace duet::wire
