// FakeServer: the HTTP face of the fake Podium server. It checks the token
// and the podium-version header, injects faults, and routes each request to
// FakePodium.
//
// Faults apply to the API routes under /v4 only. The admin routes under
// /admin need the same token but are never rate-limited or failed, so a
// test can always read the state and change the faults.
#ifndef PODIUM_DEDUP_TOOLS_FAKE_SERVER_FAKE_SERVER_H_
#define PODIUM_DEDUP_TOOLS_FAKE_SERVER_FAKE_SERVER_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "fake_podium.h"

namespace podium_dedup::fake_server {

struct FaultSettings {
  int rate_limit = 300;          // API requests per window; 0 disables the limit
  int rate_window_seconds = 60;  // sliding window
  double error_rate = 0;         // share of API requests that fail with 500, 502 or 503
  double reset_rate = 0;         // share of API responses cut off after the headers
  // Share of API requests that are applied and then fail with 503 anyway,
  // as when a response is lost after the server committed the write.
  double lost_reply_rate = 0;
  // The next N merges that the server applies get a 503 response anyway:
  // a lost reply aimed at the merge, the one call that is not idempotent.
  int64_t lost_merge_replies = 0;
  int latency_ms = 0;            // added to every API request
  std::set<std::string> merge_in_progress_uids;  // merges touching these answer 409
  double merge_in_progress_rate = 0;             // share of valid merges answered 409
  // The Nth list request with a cursor, counted since start or since the
  // faults were last set, answers invalid_cursor; 0: never.
  int64_t invalid_cursor_on_page = 0;
  int64_t cursor_max_age = 0;  // cursors older than this many newer cursors expire; 0: never
  int64_t edit_after_requests = 0;  // after this many API requests, edit edit_uid once; 0: never
  std::string edit_uid;
  nlohmann::json edit_fields = nlohmann::json::object();  // fields set by that edit
};

// Reads the camelCase JSON form of the settings (rateLimit, errorRate, ...)
// over `faults`. Returns an error message, or an empty string.
std::string UpdateFaultsFromJson(const nlohmann::json& body, FaultSettings* faults);
nlohmann::json FaultsToJson(const FaultSettings& faults);

struct ServerOptions {
  std::string token;  // the expected bearer token
  std::string api_version = "2021.04.01";
  bool merge_enabled = true;  // false: the merge route answers 404 route_not_found
  uint64_t seed = 1;
};

class FakeServer {
 public:
  FakeServer(FakePodium store, FaultSettings faults, ServerOptions options);

  // Registers every route on `server`.
  void Register(httplib::Server& server);

  // Writes the state as JSON Lines; called on shutdown for --dump.
  Status Dump(const std::string& path);

 private:
  struct Counters {
    int64_t api_requests = 0;
    int64_t admin_requests = 0;
    int64_t unauthenticated = 0;
    int64_t rate_limited = 0;
    int64_t injected_errors = 0;
    int64_t resets = 0;
    int64_t lost_replies = 0;
    int64_t list_requests = 0;
    int64_t invalid_cursors = 0;
    int64_t merge_in_progress = 0;
  };
  using Handler = std::function<Reply(const httplib::Request&)>;

  // Wraps an API handler in the token check, the fault checks and the lock.
  httplib::Server::Handler Api(Handler handler);
  httplib::Server::Handler Admin(Handler handler);
  bool Authorized(const httplib::Request& request, httplib::Response& response);
  // Applies rate limit, edits and injected errors; returns a reply when the
  // request must not reach the handler. Called with mutex_ held.
  std::optional<Reply> InjectFaults(bool* reset, bool* lose_reply, int* retry_after);
  std::optional<int> RateLimitRetryAfter();

  Reply ListContacts(const httplib::Request& request);
  Reply Merge(const httplib::Request& request);
  Reply SetFaults(const httplib::Request& request);
  bool MergeInProgress(const std::vector<std::string>& uids);
  nlohmann::json CountersJson() const;

  std::mutex mutex_;
  FakePodium store_;
  FaultSettings faults_;
  ServerOptions options_;
  std::mt19937_64 random_;
  std::deque<std::chrono::steady_clock::time_point> window_;  // accepted API requests
  int64_t cursors_issued_ = 0;
  int64_t cursor_requests_ = 0;  // list requests with a cursor since the faults were set
  Counters counters_;
};

void WriteReply(const Reply& reply, httplib::Response& response);

}  // namespace podium_dedup::fake_server

#endif  // PODIUM_DEDUP_TOOLS_FAKE_SERVER_FAKE_SERVER_H_
