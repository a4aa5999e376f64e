// Walks GET /contacts on a (fake) Podium server with PodiumClient and prints
// one JSON line: contacts, pages, seconds, contacts per second, requests per
// minute and 429s seen. scripts/bench.sh uses it to measure the API path.
//
// Usage: list_contacts_bench URL CLIENT_RATE_PER_MINUTE
// The token is read from PODIUM_ACCESS_TOKEN, as the tool does.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "podium_dedup/log.h"
#include "podium_dedup/podium_client.h"

int main(int argc, char** argv) {
  using podium_dedup::PodiumClient;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s URL CLIENT_RATE_PER_MINUTE (0 turns the client limiter off)\n", argv[0]);
    return 2;
  }
  podium_dedup::PodiumClientOptions options;
  options.base_url = argv[1];
  options.rate_limit_per_minute = std::atoi(argv[2]);
  auto client = PodiumClient::Create(options, podium_dedup::NullLogger());
  if (!client.ok()) {
    std::fprintf(stderr, "%s: %s\n", client.error().code.c_str(), client.error().message.c_str());
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  auto listed = client.value()->ListContacts({}, [](const nlohmann::json&) { return podium_dedup::Status::Ok(); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!listed.ok()) {
    std::fprintf(stderr, "%s: %s\n", listed.error().code.c_str(), listed.error().message.c_str());
    return 1;
  }
  const podium_dedup::PodiumClientStats stats = client.value()->stats();
  std::printf(
      "{\"contacts\": %lld, \"pages\": %lld, \"seconds\": %.3f, \"contacts_per_second\": %.1f, "
      "\"requests_per_minute\": %.1f, \"rate_limited\": %lld, \"limiter_wait_seconds\": %.3f}\n",
      static_cast<long long>(listed.value().contacts), static_cast<long long>(listed.value().pages), seconds,
      listed.value().contacts / seconds, stats.requests * 60.0 / seconds, static_cast<long long>(stats.rate_limited),
      stats.rate_limiter_wait_seconds);
  return 0;
}
