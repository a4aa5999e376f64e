#include "podium_dedup/podium_client.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "podium/api_errors.h"
#include "podium/http_transport.h"
#include "podium/rate_limiter.h"
#include "podium_dedup/podium_time.h"

namespace podium_dedup {

using nlohmann::json;
using podium_internal::HttpRequest;
using podium_internal::HttpResponse;
using podium_internal::PercentEncode;

namespace {

// What to do with the response to one HTTP attempt.
enum class Outcome { kSuccess, kRateLimited, kRetryable, kFinal };

bool IsRetryableCurlCode(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return true;
    default:
      return false;
  }
}

std::string NetworkErrorCode(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return kErrNetworkUnreachable;
    case CURLE_OPERATION_TIMEDOUT:
      return kErrNetworkTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
      return kErrNetworkTls;
    default:
      return kErrNetworkFailed;
  }
}

std::string ApiCodeOf(const json& body) {
  if (body.is_object() && body.contains("code") && body["code"].is_string()) return body["code"].get<std::string>();
  return "";
}

Outcome Classify(const HttpResponse& response, const json& body) {
  if (response.curl_code != CURLE_OK) {
    return IsRetryableCurlCode(response.curl_code) ? Outcome::kRetryable : Outcome::kFinal;
  }
  if (response.status == 429 || ApiCodeOf(body) == "rate_limit") return Outcome::kRateLimited;
  if (response.status >= 200 && response.status < 300) return Outcome::kSuccess;
  if (response.status == 500 || response.status == 502 || response.status == 503) return Outcome::kRetryable;
  return Outcome::kFinal;
}

// Reads Retry-After as whole seconds; an HTTP date or garbage is nullopt.
std::optional<std::chrono::seconds> ParseRetryAfter(const std::optional<std::string>& value) {
  if (!value || value->empty()) return std::nullopt;
  if (!std::all_of(value->begin(), value->end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  if (value->size() > 9) return std::chrono::seconds(999'999'999);
  return std::chrono::seconds(std::stol(*value));
}

// Returns " (HTTP 409 merge_in_progress: message)" for an error message.
std::string ErrorDetail(long status, const json& body) {
  std::string detail = " (HTTP " + std::to_string(status);
  const std::string api_code = ApiCodeOf(body);
  if (!api_code.empty()) detail += " " + api_code;
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    detail += ": " + body["message"].get<std::string>();
  }
  return detail + ")";
}

std::chrono::duration<double> Seconds(double value) { return std::chrono::duration<double>(value); }

}  // namespace

// One logical API request.
struct ApiCall {
  std::string method;
  std::string path;   // below the base URL, with encoded segments; logged
  std::string query;  // "a=b&c=d", encoded; not logged
  json body;          // sent when not null
};

class PodiumClient::Impl {
 public:
  Impl(PodiumClientOptions options, std::string token, std::shared_ptr<Logger> logger)
      : options_(std::move(options)),
        token_(std::move(token)),
        logger_(logger ? std::move(logger) : NullLogger()),
        transport_({options_.connect_timeout, options_.total_timeout}),
        bucket_(options_.rate_limit_per_minute, options_.rate_limit_burst),
        random_(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()) {
    while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  }

  bool ok() const { return transport_.ok(); }
  const PodiumClientOptions& options() const { return options_; }
  Logger& logger() { return *logger_; }

  PodiumClientStats stats() const {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    return stats_;
  }

  void CountCursorRestart() {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    ++stats_.cursor_restarts;
  }

  // Sends `call` with the rate limiter and the retry policy, and returns
  // the parsed body of a 2xx response. Sets `server_time` from the response's
  // Date header when the caller passes one and the header is present.
  Result<json> Call(const ApiCall& call, std::optional<int64_t>* server_time = nullptr);

 private:
  HttpResponse Attempt(const ApiCall& call);
  Error FinalError(const ApiCall& call, const HttpResponse& response, const json& body) const;
  std::chrono::duration<double> Backoff(int retry);
  void Sleep(std::chrono::duration<double> duration, double PodiumClientStats::*counter);
  void Count(int64_t PodiumClientStats::*counter);

  PodiumClientOptions options_;
  std::string token_;  // never logged or put in an error
  std::shared_ptr<Logger> logger_;
  std::mutex transport_mutex_;
  podium_internal::HttpTransport transport_;
  podium_internal::TokenBucket bucket_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;
  mutable std::mutex stats_mutex_;
  PodiumClientStats stats_;
};

void PodiumClient::Impl::Count(int64_t PodiumClientStats::*counter) {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++(stats_.*counter);
}

void PodiumClient::Impl::Sleep(std::chrono::duration<double> duration, double PodiumClientStats::*counter) {
  std::this_thread::sleep_for(duration);
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.*counter += duration.count();
}

// Full jitter: a uniform wait in [0, min(backoff_max, backoff_base * 2^(retry-1))].
std::chrono::duration<double> PodiumClient::Impl::Backoff(int retry) {
  const double base = std::chrono::duration<double>(options_.backoff_base).count();
  const double cap = std::min(std::chrono::duration<double>(options_.backoff_max).count(),
                              base * std::pow(2.0, std::max(0, retry - 1)));
  std::lock_guard<std::mutex> lock(random_mutex_);
  return Seconds(std::uniform_real_distribution<double>(0.0, cap)(random_));
}

HttpResponse PodiumClient::Impl::Attempt(const ApiCall& call) {
  const std::chrono::duration<double> waited = bucket_.Acquire();
  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.rate_limiter_wait_seconds += waited.count();
    ++stats_.attempts;
  }

  HttpRequest request;
  request.method = call.method;
  request.url = options_.base_url + call.path + (call.query.empty() ? "" : "?" + call.query);
  if (!call.body.is_null()) request.body = call.body.dump();
  request.headers = {"Authorization: Bearer " + token_, "Accept: application/json",
                     "Content-Type: application/json", "podium-version: " + options_.podium_version};
  std::lock_guard<std::mutex> lock(transport_mutex_);
  return transport_.Perform(request);
}

Error PodiumClient::Impl::FinalError(const ApiCall& call, const HttpResponse& response, const json& body) const {
  const std::string where = call.method + " " + call.path;
  if (response.curl_code != CURLE_OK) {
    return Error{NetworkErrorCode(response.curl_code),
                 where + " on " + options_.base_url + " failed: " + response.curl_error +
                     "; check that the API URL is right and the server is reachable"};
  }

  const std::string api_code = ApiCodeOf(body);
  const std::string detail = ErrorDetail(response.status, body);
  if (response.status == 401) {
    return Error{kErrAuthUnauthenticated, where + " was rejected" + detail + "; check the access token in $" +
                                              options_.token_env + " and that it has not expired"};
  }
  if (response.status == 403) {
    return Error{kErrAuthForbidden,
                 where + " was refused" + detail + "; the token needs the read_contacts and write_contacts scopes"};
  }
  if (response.status == 429 || api_code == "rate_limit") {
    return Error{kErrApiRateLimit, where + " stayed rate-limited" + detail + " after " +
                                       std::to_string(options_.max_rate_limit_waits) +
                                       " waits; lower rate_limit_per_minute or retry later"};
  }
  if (response.status >= 500 && api_code.empty()) {
    return Error{kErrApiServerError, where + " failed" + detail + "; retry later"};
  }

  std::string code = api_code.empty() ? std::string(kErrApiUnexpected) : ApiErrorCodeFor(api_code);
  if (response.status >= 200 && response.status < 300) code = kErrApiBadResponse;
  return Error{code, where + " failed" + detail};
}

Result<json> PodiumClient::Impl::Call(const ApiCall& call, std::optional<int64_t>* server_time) {
  Count(&PodiumClientStats::requests);
  int failures = 0;
  int rate_limit_waits = 0;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1) Count(&PodiumClientStats::retries);
    const HttpResponse response = Attempt(call);
    json body = response.body.empty() ? json::object() : json::parse(response.body, nullptr, false);
    const Outcome outcome = Classify(response, body);

    if (outcome == Outcome::kSuccess) {
      if (body.is_discarded()) {
        return Error{kErrApiBadResponse, call.method + " " + call.path + " returned HTTP " +
                                             std::to_string(response.status) + " with a body that is not JSON"};
      }
      if (server_time != nullptr && response.date) {
        const time_t parsed = curl_getdate(response.date->c_str(), nullptr);
        if (parsed >= 0) *server_time = static_cast<int64_t>(parsed);
      }
      return body;
    }
    if (body.is_discarded()) body = json::object();

    if (outcome == Outcome::kRateLimited) {
      Count(&PodiumClientStats::rate_limited);
      const auto retry_after = ParseRetryAfter(response.retry_after);
      if (++rate_limit_waits > options_.max_rate_limit_waits ||
          (retry_after && *retry_after > options_.max_retry_after)) {
        Error error = FinalError(call, response, body);
        logger_->error("{} {}: giving up after {} rate-limit waits (Retry-After {}) [{}]", call.method, call.path,
                       rate_limit_waits - 1, response.retry_after.value_or("absent"), error.code);
        return error;
      }
      const std::chrono::duration<double> wait = retry_after ? *retry_after : Backoff(rate_limit_waits);
      logger_->warn("{} {}: rate-limited (HTTP {}), retrying in {:.1f} s [{}]", call.method, call.path,
                    response.status, wait.count(), kErrApiRateLimit);
      Sleep(wait, &PodiumClientStats::retry_after_wait_seconds);
      continue;
    }

    Error error = FinalError(call, response, body);
    if (outcome == Outcome::kRetryable) {
      Count(response.curl_code != CURLE_OK ? &PodiumClientStats::network_errors : &PodiumClientStats::server_errors);
      if (++failures < options_.max_attempts) {
        const std::chrono::duration<double> wait = Backoff(failures);
        logger_->warn("{} {}: attempt {} of {} failed, retrying in {:.2f} s: {} [{}]", call.method, call.path,
                      failures, options_.max_attempts, wait.count(), error.message, error.code);
        Sleep(wait, &PodiumClientStats::backoff_wait_seconds);
        continue;
      }
      // The caller reports the error; the retries above were logged one by one.
      logger_->debug("{} {}: failed after {} attempts [{}]", call.method, call.path, failures, error.code);
      return error;
    }

    // The error goes back to the caller, which reports it (the CLI prints
    // it once), so here it is only a debug line.
    logger_->debug("{} {}: HTTP {} [{}]", call.method, call.path, response.status, error.code);
    return error;
  }
}

// PodiumClient.

PodiumClient::PodiumClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PodiumClient::~PodiumClient() = default;

Result<std::unique_ptr<PodiumClient>> PodiumClient::Create(const PodiumClientOptions& options,
                                                           std::shared_ptr<Logger> logger) {
  const char* token = std::getenv(options.token_env.c_str());
  if (options.token_env.empty() || token == nullptr || *token == '\0') {
    return Error{kErrTokenMissing, "environment variable " + (options.token_env.empty() ? "(unnamed)" : options.token_env) +
                                       " is not set or empty; export the Podium access token in it, or name "
                                       "another variable with token_env"};
  }
  if (Status status = podium_internal::CheckApiUrl(options.base_url); !status.ok()) return status.error();
  if (options.max_attempts < 1 || options.rate_limit_per_minute < 0 || options.max_rate_limit_waits < 0) {
    return Error{kErrUsageInvalidClientOptions,
                 "max_attempts must be at least 1, and rate_limit_per_minute and max_rate_limit_waits at least 0"};
  }

  static std::once_flag curl_initialized;
  std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto impl = std::make_unique<Impl>(options, token, std::move(logger));
  if (!impl->ok()) return Error{kErrNetworkFailed, "libcurl could not create a handle (out of memory?)"};
  return std::unique_ptr<PodiumClient>(new PodiumClient(std::move(impl)));
}

PodiumClientStats PodiumClient::stats() const { return impl_->stats(); }
const PodiumClientOptions& PodiumClient::options() const { return impl_->options(); }

namespace {

std::string ContactPath(const std::string& identifier) { return "/contacts/" + PercentEncode(identifier); }

json DataOf(const json& body) {
  return body.is_object() && body.contains("data") ? body["data"] : json();
}

Status StatusOf(const Result<json>& result) { return result.ok() ? Status::Ok() : Status(result.error()); }

}  // namespace

Result<std::optional<json>> PodiumClient::GetContact(const std::string& identifier) {
  Result<json> body = impl_->Call({"GET", ContactPath(identifier), "", nullptr});
  if (!body.ok()) {
    const std::string& code = body.error().code;
    if (code == kErrApiResourceNotFound || code == kErrApiContactNotFound) return std::optional<json>();
    return body.error();
  }
  json data = DataOf(body.value());
  if (!data.is_object()) {
    return Error{kErrApiBadResponse, "GET " + ContactPath(identifier) + " returned no contact object in data"};
  }
  return std::optional<json>(std::move(data));
}

Result<std::string> PodiumClient::CreateContact(const json& contact) {
  Result<json> body = impl_->Call({"POST", "/contacts", "", contact});
  if (!body.ok()) return body.error();
  const json data = DataOf(body.value());
  if (!data.is_object() || !data.contains("identifier") || !data["identifier"].is_string()) {
    return Error{kErrApiBadResponse, "POST /contacts returned no data.identifier"};
  }
  return data["identifier"].get<std::string>();
}

Status PodiumClient::PatchContact(const std::string& uid, const json& fields) {
  return StatusOf(impl_->Call({"PATCH", ContactPath(uid), "", fields}));
}

Result<json> PodiumClient::MergeContacts(const std::string& primary_uid, const std::vector<std::string>& duplicate_uids) {
  const std::string path = ContactPath(primary_uid) + "/merge";
  Result<json> body = impl_->Call({"POST", path, "", {{"duplicateUids", duplicate_uids}}});
  if (!body.ok()) return body.error();
  json data = DataOf(body.value());
  if (!data.is_object()) return Error{kErrApiBadResponse, "POST " + path + " returned no merged contact in data"};
  return data;
}

Status PodiumClient::DeleteContact(const std::string& uid) {
  return StatusOf(impl_->Call({"DELETE", ContactPath(uid), "", nullptr}));
}

Status PodiumClient::RestoreContact(const std::string& uid) {
  return StatusOf(impl_->Call({"POST", ContactPath(uid) + "/restore", "", json::object()}));
}

Status PodiumClient::OptOut(const ConsentChannel& channel) {
  const json body = {{"channel", {{"identifier", channel.identifier}, {"type", channel.type}}}};
  return StatusOf(impl_->Call({"POST", "/contacts/campaigns/opt_out", "", body}));
}

Status PodiumClient::OptIn(const ConsentChannel& channel, const std::string& location_uid) {
  const json body = {{"channel", {{"identifier", channel.identifier}, {"type", channel.type}}},
                     {"locationUid", location_uid}};
  return StatusOf(impl_->Call({"POST", "/contacts/campaigns/opt_in", "", body}));
}

Status PodiumClient::AddTag(const std::string& identifier, const std::string& tag_uid) {
  return StatusOf(impl_->Call({"POST", ContactPath(identifier) + "/tags/" + PercentEncode(tag_uid), "", json::object()}));
}

Status PodiumClient::RemoveTag(const std::string& identifier, const std::string& tag_uid) {
  return StatusOf(impl_->Call({"DELETE", ContactPath(identifier) + "/tags/" + PercentEncode(tag_uid), "", nullptr}));
}

Result<std::vector<PodiumLocation>> PodiumClient::ListLocations() {
  Result<json> body = impl_->Call({"GET", "/locations", "", nullptr});
  if (!body.ok()) return body.error();
  const json data = DataOf(body.value());
  if (!data.is_array()) return Error{kErrApiBadResponse, "GET /locations returned no data array"};
  std::vector<PodiumLocation> locations;
  for (const json& location : data) {
    if (!location.is_object() || !location.contains("uid") || !location["uid"].is_string()) continue;
    locations.push_back({location["uid"].get<std::string>(), location.value("name", "")});
  }
  return locations;
}

// Listing.

namespace {

std::string ListQuery(const ListContactsOptions& options, const std::string& cursor) {
  std::string query = "limit=" + std::to_string(options.page_limit);
  if (!options.updated_after.empty()) query += "&updated_at=" + PercentEncode(options.updated_after);
  if (options.include_deleted) query += "&includeDeleted=true";
  if (!cursor.empty()) query += "&cursor=" + PercentEncode(cursor);
  return query;
}

std::string StringOr(const json& object, const char* key, std::string fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

}  // namespace

Result<ListContactsSummary> PodiumClient::ListContacts(const ListContactsOptions& options,
                                                       const ContactJsonCallback& on_contact) {
  if (options.page_limit < 1 || options.page_limit > 100) {
    return Error{kErrUsageInvalidPageLimit,
                 "page limit " + std::to_string(options.page_limit) + " is out of range; use 1 to 100"};
  }
  ListContactsSummary summary;
  std::unordered_map<std::string, std::string> seen;  // uid -> updatedAt handed over
  std::string cursor;
  std::optional<int64_t> started_at;
  for (;;) {
    std::optional<int64_t> server_time;
    Result<json> body = impl_->Call({"GET", "/contacts", ListQuery(options, cursor), nullptr}, &server_time);
    if (!body.ok()) {
      if (body.error().code != kErrApiInvalidCursor || summary.restarts >= impl_->options().max_cursor_restarts) {
        return body.error();
      }
      ++summary.restarts;
      impl_->CountCursorRestart();
      impl_->logger().warn("GET /contacts: cursor expired after {} pages, restarting the listing ({} of {}) [{}]",
                           summary.pages, summary.restarts, impl_->options().max_cursor_restarts,
                           kErrApiInvalidCursor);
      cursor.clear();
      continue;
    }

    const json data = DataOf(body.value());
    if (!data.is_array()) return Error{kErrApiBadResponse, "GET /contacts returned no data array"};
    ++summary.pages;
    if (!started_at) {
      // Without a Date header, the client's clock replaces the server's.
      started_at = server_time ? *server_time : static_cast<int64_t>(std::time(nullptr));
      summary.started_at = FormatIsoTimestamp(*started_at);
    }
    for (const json& contact : data) {
      const std::string uid = contact.is_object() ? StringOr(contact, "uid", "") : "";
      if (uid.empty()) return Error{kErrApiBadResponse, "GET /contacts listed an entry without a uid"};
      const std::string updated_at = StringOr(contact, "updatedAt", "");
      auto [it, inserted] = seen.try_emplace(uid, updated_at);
      if (!inserted && it->second == updated_at) {
        ++summary.duplicates_skipped;
        continue;
      }
      it->second = updated_at;
      ++summary.contacts;
      if (Status status = on_contact(contact); !status.ok()) return status.error();
    }

    const json metadata = body.value().value("metadata", json::object());
    const json next = metadata.is_object() ? metadata.value("nextCursor", json()) : json();
    if (!next.is_string() || next.get<std::string>().empty()) break;
    cursor = next.get<std::string>();
  }
  return summary;
}

}  // namespace podium_dedup
