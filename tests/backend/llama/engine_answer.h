// Running one request through the local engine in tests: the events it
// produced, the error it ended with, and the response they add up to.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "backend/backend.h"
#include "model/accumulator.h"
#include "support/collecting_sink.h"

namespace duet::llama {

struct EngineAnswer {
  std::vector<ChatEvent> events;
  Status error;           // OK unless the answer ended with an error
  ChatResponse response;  // complete when error is OK

  // The text blocks' text.
  std::string Text() const {
    std::string text;
    for (const ContentBlock& block : response.content) {
      if (block.type == BlockType::kText) {
        text += block.text;
      }
    }
    return text;
  }
};

// Sends `request` to `backend` and waits for its end, expecting exactly one
// terminal event. `hook` sees each event as it arrives.
inline EngineAnswer RunToEnd(Backend& backend, ChatRequest request,
                             std::shared_ptr<CancelFlag> cancel = nullptr,
                             testing::CollectingSink::Hook hook = nullptr) {
  auto sink = std::make_shared<testing::CollectingSink>(std::move(hook));
  backend.Generate(std::move(request), sink,
                   cancel ? std::move(cancel) : std::make_shared<CancelFlag>());
  EXPECT_TRUE(sink->WaitForTerminal());
  EXPECT_EQ(sink->terminal_count(), 1);
  EngineAnswer answer;
  answer.events = sink->events();
  ResponseAccumulator accumulator;
  for (const ChatEvent& event : answer.events) {
    Status status = accumulator.Add(event);
    if (!status.ok()) {
      answer.error = std::move(status);
      return answer;
    }
  }
  if (accumulator.complete()) {
    answer.response = accumulator.TakeResponse();
  }
  return answer;
}

}  // namespace duet::llama
