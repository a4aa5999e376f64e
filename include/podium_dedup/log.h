// The logger type that library code receives from its caller.
//
// Library code never reaches for a global logger: each component takes a
// Logger& (or a std::shared_ptr<Logger>) so that the CLI decides where
// diagnostics go and how verbose they are, and tests can silence them.
#ifndef PODIUM_DEDUP_LOG_H_
#define PODIUM_DEDUP_LOG_H_

#include <memory>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

namespace podium_dedup {

using Logger = spdlog::logger;

// Returns a logger that drops everything, for tests and quiet callers.
inline std::shared_ptr<Logger> NullLogger() {
  return std::make_shared<Logger>("null", std::make_shared<spdlog::sinks::null_sink_mt>());
}

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_LOG_H_
