#include "podium/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace podium_dedup::podium_internal {

TokenBucket::TokenBucket(int per_minute, int burst)
    : enabled_(per_minute > 0),
      capacity_(std::clamp(burst, 1, std::max(1, per_minute - 1))),
      tokens_(capacity_),
      // At least one token per minute, so that a limit of 1 still lets requests through.
      tokens_per_second_(std::max(1.0, per_minute - capacity_) / 60.0),
      last_refill_(Clock::now()) {}

std::chrono::duration<double> TokenBucket::Acquire() {
  if (!enabled_) return std::chrono::duration<double>(0);
  // The lock is held while sleeping, so that waiting callers take tokens in
  // turn instead of all waking at once.
  std::lock_guard<std::mutex> lock(mutex_);
  const Clock::time_point started = Clock::now();
  for (;;) {
    const Clock::time_point now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - last_refill_).count();
    tokens_ = std::min(capacity_, tokens_ + elapsed * tokens_per_second_);
    last_refill_ = now;
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return Clock::now() - started;
    }
    const double wait = (1.0 - tokens_) / tokens_per_second_;
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
}

}  // namespace podium_dedup::podium_internal
