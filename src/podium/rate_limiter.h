// TokenBucket: the client-side rate limiter.
#ifndef PODIUM_DEDUP_SRC_PODIUM_RATE_LIMITER_H_
#define PODIUM_DEDUP_SRC_PODIUM_RATE_LIMITER_H_

#include <chrono>
#include <mutex>

namespace podium_dedup::podium_internal {

// A token bucket that starts full with `burst` tokens and refills at
// (per_minute - burst) tokens per minute. Any 60-second window then admits
// at most burst + (per_minute - burst) = per_minute requests, so the client
// stays under a server limit of per_minute whether the server counts in a
// sliding or a fixed window. per_minute <= 0 disables the limiter.
class TokenBucket {
 public:
  TokenBucket(int per_minute, int burst);

  // Blocks until a token is available, takes it, and returns the time slept.
  std::chrono::duration<double> Acquire();

 private:
  using Clock = std::chrono::steady_clock;
  std::mutex mutex_;
  bool enabled_;
  double capacity_;
  double tokens_;
  double tokens_per_second_;
  Clock::time_point last_refill_;
};

}  // namespace podium_dedup::podium_internal

#endif  // PODIUM_DEDUP_SRC_PODIUM_RATE_LIMITER_H_
