#include "sim/sim_turn.h"

#include <nlohmann/json.hpp>

#include "wire/anthropic/messages_response.h"

namespace duet::sim {
namespace {

using Json = nlohmann::ordered_json;

Status Bad(std::string_view field, std::string_view what) {
  return InvalidArgument("sim turn: " + std::string(field) + ": " +
                         std::string(what));
}

Result<Fault> ParseFault(std::string_view name) {
  struct Entry {
    std::string_view name;
    Fault fault;
  };
  static constexpr Entry kFaults[] = {
      {"rate_limit", Fault::kRateLimit},   {"overloaded", Fault::kOverloaded},
      {"api_error", Fault::kApiError},     {"too_large", Fault::kTooLarge},
      {"timeout", Fault::kTimeout},        {"stream_error", Fault::kStreamError},
      {"drop", Fault::kDrop},
  };
  for (const Entry& entry : kFaults) {
    if (entry.name == name) {
      return entry.fault;
    }
  }
  return Error(Bad("fault", "unknown fault '" + std::string(name) + "'"));
}

// The stop reasons a turn may force: the API's names, except
// model_context_window_exceeded, which needs a real context window.
Result<StopReason> ParseStopReason(std::string_view name) {
  const std::optional<StopReason> reason =
      wire::anthropic::StopReasonFromName(name);
  if (!reason || *reason == StopReason::kContextWindowExceeded) {
    return Error(Bad("stop_reason", "unknown stop reason"));
  }
  return *reason;
}

Result<ContentBlock> ParseBlock(const Json& json, size_t index) {
  const std::string field = "content." + std::to_string(index);
  if (!json.is_object() || !json.contains("type") ||
      !json["type"].is_string()) {
    return Error(Bad(field, "expected an object with a type"));
  }
  const std::string type = json["type"].get<std::string>();
  auto string_of = [&](const char* key) -> std::string {
    auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : "";
  };
  if (type == "text") {
    return ContentBlock::Text(string_of("text"));
  }
  if (type == "thinking") {
    return ContentBlock::Thinking(string_of("thinking"), "");
  }
  if (type == "tool_use") {
    auto input = json.find("input");
    if (input != json.end() && !input->is_object()) {
      return Error(Bad(field + ".input", "expected an object"));
    }
    const std::string name = string_of("name");
    if (name.empty()) {
      return Error(Bad(field + ".name", "required"));
    }
    return ContentBlock::ToolUse(
        string_of("id"), name,
        RawJson{input == json.end() ? "{}" : input->dump()});
  }
  return Error(Bad(field + ".type", "expected text, thinking or tool_use"));
}

Result<SimTurn> TurnFromJson(const Json& json) {
  if (!json.is_object()) {
    return Error(InvalidArgument("sim turn: expected a JSON object"));
  }
  SimTurn turn;
  for (const auto& [key, value] : json.items()) {
    if (key == "text") {
      if (!value.is_string()) return Error(Bad(key, "expected a string"));
      turn.content.push_back(ContentBlock::Text(value.get<std::string>()));
    } else if (key == "content") {
      if (!value.is_array()) return Error(Bad(key, "expected an array"));
      for (size_t i = 0; i < value.size(); ++i) {
        DUET_ASSIGN_OR_RETURN(ContentBlock block, ParseBlock(value[i], i));
        turn.content.push_back(std::move(block));
      }
    } else if (key == "stop_reason") {
      if (!value.is_string()) return Error(Bad(key, "expected a string"));
      DUET_ASSIGN_OR_RETURN(turn.stop_reason,
                            ParseStopReason(value.get<std::string>()));
    } else if (key == "fault") {
      if (!value.is_string()) return Error(Bad(key, "expected a string"));
      DUET_ASSIGN_OR_RETURN(turn.fault, ParseFault(value.get<std::string>()));
    } else if (key == "error_type") {
      if (!value.is_string()) return Error(Bad(key, "expected a string"));
      turn.error_type = value.get<std::string>();
    } else if (key == "retry_after") {
      if (!value.is_number() || value.get<double>() < 0) {
        return Error(Bad(key, "expected a number >= 0"));
      }
      turn.retry_after_seconds = value.get<double>();
    } else if (key == "retry_after_ms" || key == "after_events" ||
               key == "delay_ms" || key == "first_byte_delay_ms") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
          value.get<int64_t>() > 600'000) {
        return Error(Bad(key, "expected an integer from 0 to 600000"));
      }
      const int64_t n = value.get<int64_t>();
      if (key == "retry_after_ms") {
        turn.retry_after_ms = n;
      } else if (key == "after_events") {
        turn.after_events = static_cast<int>(n);
      } else if (key == "delay_ms") {
        turn.delay = std::chrono::milliseconds(n);
      } else {
        turn.first_byte_delay = std::chrono::milliseconds(n);
      }
    } else {
      return Error(Bad(key, "unknown field"));
    }
  }
  return turn;
}

Result<Json> ParseJson(std::string_view text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return Error(InvalidArgument("sim turn: malformed JSON"));
  }
  return json;
}

}  // namespace

Result<SimTurn> ParseSimTurn(std::string_view json) {
  DUET_ASSIGN_OR_RETURN(const Json parsed, ParseJson(json));
  return TurnFromJson(parsed);
}

Result<std::vector<SimTurn>> ParseSimScript(std::string_view json) {
  DUET_ASSIGN_OR_RETURN(const Json parsed, ParseJson(json));
  std::vector<SimTurn> turns;
  if (parsed.is_array()) {
    for (const Json& item : parsed) {
      DUET_ASSIGN_OR_RETURN(SimTurn turn, TurnFromJson(item));
      turns.push_back(std::move(turn));
    }
  } else {
    DUET_ASSIGN_OR_RETURN(SimTurn turn, TurnFromJson(parsed));
    turns.push_back(std::move(turn));
  }
  return turns;
}

Result<std::optional<SimTurn>> TakeDirective(ChatRequest* request) {
  constexpr std::string_view kPrefix = "sim:";
  for (auto message = request->messages.rbegin();
       message != request->messages.rend(); ++message) {
    if (message->role != Role::kUser) {
      continue;
    }
    for (ContentBlock& block : message->content) {
      if (block.type != BlockType::kText) {
        continue;
      }
      size_t line_start = 0;
      while (line_start <= block.text.size()) {
        size_t line_end = block.text.find('\n', line_start);
        if (line_end == std::string::npos) {
          line_end = block.text.size();
        }
        std::string_view line(block.text.data() + line_start,
                              line_end - line_start);
        if (line.substr(0, kPrefix.size()) == kPrefix) {
          DUET_ASSIGN_OR_RETURN(SimTurn turn,
                                ParseSimTurn(line.substr(kPrefix.size())));
          const size_t erase_end =
              line_end < block.text.size() ? line_end + 1 : line_end;
          block.text.erase(line_start, erase_end - line_start);
          while (!block.text.empty() && block.text.back() == '\n') {
            block.text.pop_back();
          }
          return std::optional<SimTurn>(std::move(turn));
        }
        line_start = line_end + 1;
      }
    }
    break;  // only the last user message carries directives
  }
  return std::optional<SimTurn>();
}

}  // namespace duet::sim
