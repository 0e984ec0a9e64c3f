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

}  // namespace duet::wire
