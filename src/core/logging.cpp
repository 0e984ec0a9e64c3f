#include "core/logging.h"

#include <memory>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>

namespace duet {

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
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return Status::Ok();
}

}  // namespace duet
