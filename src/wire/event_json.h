// EventJson: the JSON object of one upstream stream event (the data of one
// SSE event), parsed with simdjson's DOM parser, and lenient typed reads of
// it. The upstream stream readers (anthropic/messages_stream_reader,
// openai/chat_stream_reader) parse every event an upstream sends, so this is
// on every proxied request's path; nlohmann's DOM (json_read.h) cost ~10% of
// the gateway's CPU there.
//
// Same answers as ParseJsonObject and json_read.h's lenient reads, so that
// switching parsers changes nothing a client sees:
//   - Text simdjson accepts, nlohmann accepts too (both validate JSON's
//     grammar, UTF-8 and \u surrogate pairs).
//   - Text simdjson refuses goes to nlohmann. What nlohmann accepts there (an
//     integer beyond 64 bits, which nlohmann reads as a float; a leading
//     UTF-8 byte order mark; a NUL byte, where nlohmann's input ends; nesting
//     deeper than 1024) is written out by nlohmann and parsed again by
//     simdjson. Slow, but only broken or unusual upstreams get there.
//   - A key that appears twice reads as its last value, as in nlohmann.
// One difference is left: simdjson reads the integer -0 as 0, where
// nlohmann keeps it signed; only a check for "unsigned integer" can tell
// (the OpenAI reader's logprobs `bytes`: [-0] now reads as byte 0 instead
// of falling back to the token string). A number that overflows a double
// (1e400) is refused by both: "malformed JSON" here.
//
// Memory: events up to kSharedParserBytes reuse one parser per thread, so
// after warm-up parsing them allocates nothing; a larger event gets a parser
// of its own, freed with its EventJson, so a thread never keeps more than
// about 1 MB for this.
//
// Thread safety: an EventJson belongs to the thread that calls Parse; it must
// be used and destroyed there. Several may be alive on one thread (only one
// of them uses the thread's shared parser; the others get their own).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace duet::wire {

class EventJson {
 public:
  // Events up to this size reuse the thread's shared parser.
  static constexpr size_t kSharedParserBytes = 64 * 1024;

  EventJson() = default;
  ~EventJson();
  EventJson(const EventJson&) = delete;
  EventJson& operator=(const EventJson&) = delete;

  // Parses `text`, which must be one JSON object. Returns the object; every
  // value read from it (string_views included) stays valid until this
  // EventJson is destroyed or parses again. Errors (kInvalidArgument):
  // "malformed JSON" for text nlohmann refuses too, and "not a JSON object"
  // for valid JSON of another kind.
  Result<simdjson::dom::object> Parse(std::string_view text);
  // Parse without nlohmann's second opinion: text simdjson alone refuses
  // (see above) is "malformed JSON" here, and what it accepts nests at most
  // simdjson::DEFAULT_MAX_DEPTH (1024) deep. For callers with a slow path
  // of their own (ParseJsonObject).
  Result<simdjson::dom::object> ParseWithSimdjsonOnly(std::string_view text);

 private:
  // simdjson's parse of `text`, or "malformed JSON" where it refuses.
  Result<simdjson::dom::element> ParseRoot(std::string_view text);
  Result<simdjson::dom::object> ParseThroughNlohmann(std::string_view text);
  simdjson::dom::parser& AcquireParser(size_t text_size);
  void ReleaseParser();

  bool holds_shared_parser_ = false;
  std::unique_ptr<simdjson::dom::parser> own_parser_;
  std::string rewritten_text_;  // nlohmann's rewrite, on the slow path only
};

// Lenient reads for what upstreams send, mirroring json_read.h's: a missing,
// null or mistyped member means "not given". When `key` appears more than
// once, its last value counts. Thread safety: pure functions.

// The member `key` of `object`, or nullopt when absent or null.
std::optional<simdjson::dom::element> FindMember(simdjson::dom::object object,
                                                 std::string_view key);
// The member `key` when it is an object (an array), else nullopt.
std::optional<simdjson::dom::object> FindObject(simdjson::dom::object object,
                                                std::string_view key);
std::optional<simdjson::dom::array> FindArray(simdjson::dom::object object,
                                              std::string_view key);
// The member's string, or nullopt when it is absent or not a string. The
// view lives as long as the EventJson that parsed `object`.
std::optional<std::string_view> StringIfPresent(simdjson::dom::object object,
                                                std::string_view key);
// The member's string, or "" otherwise. The view lives as long as the
// EventJson that parsed `object`.
std::string_view StringOrEmpty(simdjson::dom::object object,
                               std::string_view key);
// The member's integer, or nullopt (also for a float such as 2.0). As in
// json_read.h's IntIfPresent, an integer above INT64_MAX wraps around to a
// negative number.
std::optional<int64_t> IntIfPresent(simdjson::dom::object object,
                                    std::string_view key);
// `value` as IntIfPresent reads a member: its integer, or nullopt.
std::optional<int64_t> IntOf(simdjson::dom::element value);
// The largest token count duet takes from an upstream's usage: a thousand
// times the longest context window, so no real answer comes near it, and a
// ledger's sums of such counts cannot overflow.
inline constexpr int64_t kMaxUpstreamTokenCount = 1'000'000'000;
// `value` as a usage count: an integer from 0 to kMaxUpstreamTokenCount,
// else nullopt. A broken upstream's negative or absurd count (one that
// would make a client's total_tokens overflow, or put trillions of dollars
// in the ledger and spend every budget) counts as absent, as a count that
// is not an integer does.
std::optional<int64_t> TokenCountOf(simdjson::dom::element value);
// The member `key` read by TokenCountOf, or nullopt when absent.
std::optional<int64_t> TokenCountIfPresent(simdjson::dom::object object,
                                           std::string_view key);
// The member's number (integer or float) as a double, or nullopt.
std::optional<double> NumberIfPresent(simdjson::dom::object object,
                                      std::string_view key);

}  // namespace duet::wire
