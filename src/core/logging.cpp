#include "core/logging.h"

#include <memory>
#include <string>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "core/terminal_text.h"

namespace duet {
namespace {

// The pattern's %*: the message with its control characters printed as '?'.
// Messages quote text from outside duet (an upstream's error, llama.cpp's
// own lines): a newline in it cannot forge a log line, nor an escape
// sequence drive the terminal the log is read on.
class SafeMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& out) override {
    const std::string safe = TerminalSafe(
        std::string_view(message.payload.data(), message.payload.size()));
    out.append(safe.data(), safe.data() + safe.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SafeMessage>();
  }
};

}  // namespace

bool IsValidLogLevel(std::string_view level) {
  return level == "trace" || level == "debug" || level == "info" ||
         level == "warn" || level == "error" || level == "off";
}

Status InitLogging(std::string_view level) {
  if (!IsValidLogLevel(level)) {
    return InvalidArgument("unknown log level '" + std::string(level) +
                           "' (expected trace, debug, info, warn, error, off)");
  }
  // stdout carries the machine-readable "listening on" line; logs go to
  // stderr so they never interleave with it.
  auto logger = std::make_shared<spdlog::logger>(
      "duet", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<SafeMessage>('*').set_pattern(
      "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %*");
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return Status::Ok();
}

}  // namespace duet
