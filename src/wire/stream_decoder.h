// StreamDecoder: an upstream's streamed answer (SSE bytes in the upstream
// API's format) read back into canonical ChatEvents, so the remote backends
// share one retry-and-forward loop whatever API they speak.
//
// Implementations: anthropic::StreamReader, openai::StreamReader.
// Thread safety: none; one decoder per stream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/chat.h"
#include "wire/sse_decoder.h"

namespace duet::wire {

class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Feeds body bytes (cut anywhere) and appends the events they complete.
  // Fails with kUnavailable when the stream breaks its protocol.
  virtual Status Feed(std::string_view bytes, std::vector<ChatEvent>* events) = 0;
  // The body ended. Appends any events that the end itself completes (an
  // OpenAI stream without [DONE]); fails with kUnavailable when the answer
  // is incomplete.
  virtual Status Finish(std::vector<ChatEvent>* events) = 0;
  // True once a terminal event (kMessageStop or kError) was produced.
  virtual bool finished() const = 0;
};

// The Status a decoder returns when the upstream breaks its protocol:
// kUnavailable "upstream stream: <what>".
inline Status StreamProtocolError(std::string_view what) {
  return Unavailable("upstream stream: " + std::string(what));
}

// The Feed of a decoder whose upstream speaks SSE: hands each event that
// `bytes` complete to `on_event` (Status(const SseEvent&)) until one fails
// or `finished` turns true. A failure, or an event over the decoder's size
// limit, sets *failed and is returned.
template <typename OnEvent>
Status FeedSseEvents(SseDecoder& decoder, std::string_view bytes, const bool& finished,
                     bool* failed, OnEvent&& on_event) {
  Status status = Status::Ok();
  const bool within_limit = decoder.Feed(bytes, [&](const SseEvent& sse) {
    status = on_event(sse);
    if (!status.ok()) {
      *failed = true;
      return false;
    }
    return !finished;
  });
  if (!within_limit) {
    *failed = true;
    return StreamProtocolError("an event exceeds the size limit");
  }
  return status;
}

}  // namespace duet::wire
