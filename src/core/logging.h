// Logging: spdlog to stderr, one process-wide logger. Each line is
// "2026-01-02T03:04:05.678 warning message"; control characters in the message
// (newlines included) are written as '?' (core/terminal_text.h), so text
// quoted from outside duet cannot forge a line or drive a terminal.
//
// Callers log with spdlog's functions (spdlog::info, spdlog::warn...). Never
// log secrets: API keys, authorization headers, or prompt and answer text
// (prompts may carry sensitive data; they are only ever logged at trace level
// and only when the user asks for it).
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

#include "core/status.h"

namespace duet {

// Valid levels: trace, debug, info, warn, error, off.
bool IsValidLogLevel(std::string_view level);

// Sets the process-wide level and format. Returns kInvalidArgument for an
// unknown level. Not thread-safe: call once at startup.
Status InitLogging(std::string_view level);

}  // namespace duet
