// ScriptedBackend: a deterministic Backend for integration and SDK tests.
//
// It behaves like a real asynchronous backend: Generate() returns at once,
// and events are delivered later from the backend's own worker thread (one
// boost::asio::io_context on one thread; delays are steady timers, so no
// thread sleeps and no request gets its own thread). Tests in other folders
// rely on the behaviour below; change it only together with them.
//
// MODELS
//   `scripted-1` and `scripted-2`: owned_by "duet-test", context_window
//   32768, max_output_tokens 8192. An empty model or Options::auto_model
//   ("auto", which the Router hands to its first backend unchanged) is
//   answered as `scripted-1`. Any other model: the first and only event is
//   kError(kNotFound, "model: <id>"); CountTokens returns the same status.
//
// TOKEN COUNTING (exact, so tests can predict usage)
//   input_tokens  = max(1, ceil(B / 4)), where B is the number of UTF-8 bytes
//                   of every system text block plus, in every message: text
//                   blocks, thinking text, tool_use input JSON (as carried in
//                   RawJson) and the text blocks inside tool_result content.
//                   Images, tool definitions, roles and structure count 0.
//                   CountTokens returns this same number.
//   output_tokens = max(1, W), where W is the number of whitespace-separated
//                   words emitted: thinking text + answer text + each emitted
//                   tool call's input JSON. thinking_tokens = the thinking
//                   words.
//   message_start carries {input_tokens, output_tokens: 1}; message_delta the
//   cumulative {input_tokens, output_tokens, thinking_tokens}.
//
// THE ANSWER
//   "The last user message's text" is the text of its text blocks and of the
//   text blocks inside its tool_result blocks, in order, joined with single
//   spaces. Directives (below) are read from it and removed; the rest,
//   trimmed, is the echo E.
//   Default: one text block (index 0) "You said: E" ("You said:" when E is
//   empty), streamed one word per text_delta, each word keeping the
//   whitespace that follows it ("You ", "said: ", "hello"). stop_reason
//   end_turn. Message id `msg_scripted_<n>`, n counting from 1 per backend.
//
// DIRECTIVES (in the last user message's text; unknown [[...]] stay text)
//   [[think]]          first a thinking block: "Let me think about that." as
//                      one thinking_delta per word, then signature_delta
//                      "sig-scripted"; the text block follows.
//   [[tool:NAME JSON]] JSON is an optional object (default {}). The text
//                      becomes "Calling NAME." ("Calling a, b." for several),
//                      followed by one tool_use block per directive, in
//                      order: id `toolu_scripted_<k>` (k counts from 1 per
//                      backend), input streamed as input_json deltas: "" first,
//                      then fragments of at most 5 bytes (never splitting a
//                      UTF-8 character). stop_reason tool_use.
//   [[words:N]]        the text is "w1 w2 ... wN" (also instead of
//                      "Calling ..."); N = 0 gives an empty text block.
//   [[slow:MS]]        MS milliseconds between events (the first is not
//                      delayed). Cancellation is still noticed within
//                      Options::cancel_poll_interval.
//   [[error:CODE]]     CODE is an ErrorCodeName ("unavailable",
//                      "resource_exhausted", "invalid_argument", "internal",
//                      ...): the first and only event is
//                      kError(CODE, "scripted failure").
//   [[midstream-error]] message_start, text block 0 start, its first (up to)
//                      3 text_deltas, then kError(kUnavailable, "Overloaded").
//   [[refuse]]         an empty text block (start, stop), stop_reason
//                      refusal, output_tokens 1.
//   Precedence: error > midstream-error > refuse > the rest. A malformed
//   directive (tool without a name or with an unterminated object, error
//   with an unknown code, slow/words without a number) makes the first and
//   only event kError(kInvalidArgument, "scripted directive: ...").
//
// LIMITS
//   stop_sequences: the earliest match in the answer text (the first listed
//   on a tie) cuts the text before it; no tool calls follow; stop_reason
//   stop_sequence with stop_sequence set. Thinking text is not searched.
//   max_tokens: a budget of output words spent in order thinking, text, then
//   whole tool calls. When the next word (or whole tool call) does not fit,
//   the answer ends there with stop_reason max_tokens; a block that got no
//   words is left out (an empty text block is sent if nothing else was).
//   The words sent so far keep their trailing whitespace.
//
// CANCELLATION AND SHUTDOWN
//   The CancelFlag is checked before every event; once set, the request ends
//   with kError(kCancelled, "request cancelled"). The destructor ends every
//   unfinished request with kError(kCancelled, "backend shutting down") and
//   joins the worker thread.
//
// Thread safety: all public methods are thread-safe. REQUIRES: no call
// races with the destructor. Sinks are called on the worker thread, one event
// at a time, without any backend lock held (a sink may call back into the
// backend).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/backend.h"
#include "model/chat.h"

namespace duet::testing {

class ScriptedBackend final : public Backend {
 public:
  struct Options {
    // Wait between events when the request has no [[slow:MS]].
    std::chrono::milliseconds event_delay{0};
    // Longest time a pending delay goes without checking the CancelFlag.
    std::chrono::milliseconds cancel_poll_interval{10};
    // The model name that means "the default model" (answered as scripted-1).
    std::string auto_model = "auto";
  };

  ScriptedBackend() : ScriptedBackend(Options()) {}
  explicit ScriptedBackend(Options options);
  ~ScriptedBackend() override;

  ScriptedBackend(const ScriptedBackend&) = delete;
  ScriptedBackend& operator=(const ScriptedBackend&) = delete;

  std::string_view name() const override { return "scripted"; }
  // An in-process fake: nothing leaves the machine.
  Locality locality() const override { return Locality::kLocal; }
  std::vector<ModelInfo> ListModels() const override;
  Result<int64_t> CountTokens(const ChatRequest& request) override;
  void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag> cancel) override;

  // The last request Generate() received (a copy), or nullopt before the
  // first. Thread-safe.
  std::optional<ChatRequest> last_request() const;
  // How many times Generate() was called. Thread-safe.
  int64_t generate_calls() const;

 private:
  class Worker;

  // The model that answers `requested`, or kNotFound.
  Result<std::string> ResolveModel(const std::string& requested) const;

  const Options options_;
  mutable std::mutex mutex_;
  std::optional<ChatRequest> last_request_;  // guarded by mutex_
  int64_t generate_calls_ = 0;               // guarded by mutex_
  int64_t next_message_number_ = 1;          // guarded by mutex_
  int64_t next_tool_number_ = 1;             // guarded by mutex_
  // Declared last: destroyed first, so the worker thread is gone before the
  // members above.
  std::unique_ptr<Worker> worker_;
};

}  // namespace duet::testing
