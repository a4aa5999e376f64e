// PodiumClient: the HTTP client for the Podium v4 contacts API and the
// merge extensions that the dedup pipeline uses.
//
// Every call returns a Status or a Result. A call sends one logical request
// and may make several HTTP attempts:
//   - A client-side token bucket keeps the request rate under
//     `rate_limit_per_minute`, so that a normal run never trips the server's
//     limit.
//   - 429 (or a body with code `rate_limit`) waits for `Retry-After` and
//     tries again, at most `max_rate_limit_waits` times.
//   - 500, 502, 503, timeouts and connection errors back off exponentially
//     with jitter, at most `max_attempts` attempts in all.
//   - Every other error is returned at once: 400, 401, 403, 404, 409, 422.
//
// Errors carry a stable code: ERR_DEDUP_TOKEN_* and ERR_DEDUP_AUTH_* for the
// token, ERR_DEDUP_NETWORK_* when the server cannot be reached, and
// ERR_DEDUP_API_* for an API error, named after the API's own `code`
// (409 merge_in_progress is ERR_DEDUP_API_MERGE_IN_PROGRESS). The message
// names the method, the path and the HTTP status. The access token is read
// from the environment once, in Create(), and never appears in a log line,
// an error message or a file.
//
// Thread safety: a PodiumClient may be shared between threads. HTTP
// attempts are serialized on one connection, and callbacks run without any
// lock held, so a callback may call the client again.
#ifndef PODIUM_DEDUP_PODIUM_CLIENT_H_
#define PODIUM_DEDUP_PODIUM_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "podium_dedup/contact.h"
#include "podium_dedup/log.h"
#include "podium_dedup/result.h"

namespace podium_dedup {

// Error codes that callers branch on. docs/errors.md lists every code.
inline constexpr const char* kErrTokenMissing = "ERR_DEDUP_TOKEN_MISSING";
inline constexpr const char* kErrAuthUnauthenticated = "ERR_DEDUP_AUTH_UNAUTHENTICATED";  // 401
inline constexpr const char* kErrAuthForbidden = "ERR_DEDUP_AUTH_FORBIDDEN";              // 403
inline constexpr const char* kErrUsageInsecureUrl = "ERR_DEDUP_USAGE_INSECURE_URL";
inline constexpr const char* kErrUsageInvalidUrl = "ERR_DEDUP_USAGE_INVALID_URL";
inline constexpr const char* kErrUsageInvalidClientOptions = "ERR_DEDUP_USAGE_INVALID_CLIENT_OPTIONS";
inline constexpr const char* kErrUsageInvalidPageLimit = "ERR_DEDUP_USAGE_INVALID_PAGE_LIMIT";
inline constexpr const char* kErrUsageInvalidTimestamp = "ERR_DEDUP_USAGE_INVALID_TIMESTAMP";
inline constexpr const char* kErrNetworkUnreachable = "ERR_DEDUP_NETWORK_UNREACHABLE";
inline constexpr const char* kErrNetworkTimeout = "ERR_DEDUP_NETWORK_TIMEOUT";
inline constexpr const char* kErrNetworkTls = "ERR_DEDUP_NETWORK_TLS";
inline constexpr const char* kErrNetworkFailed = "ERR_DEDUP_NETWORK_FAILED";
inline constexpr const char* kErrApiInvalidDuplicateUid = "ERR_DEDUP_API_INVALID_DUPLICATE_UID";  // 400
inline constexpr const char* kErrApiContactNotFound = "ERR_DEDUP_API_CONTACT_NOT_FOUND";          // 404
inline constexpr const char* kErrApiMergeInProgress = "ERR_DEDUP_API_MERGE_IN_PROGRESS";          // 409
inline constexpr const char* kErrApiCrossLocationMergeBlocked =
    "ERR_DEDUP_API_CROSS_LOCATION_MERGE_BLOCKED";  // 422
inline constexpr const char* kErrApiResourceNotFound = "ERR_DEDUP_API_RESOURCE_NOT_FOUND";  // 404
inline constexpr const char* kErrApiRouteNotFound = "ERR_DEDUP_API_ROUTE_NOT_FOUND";  // extension absent
inline constexpr const char* kErrApiBadRequest = "ERR_DEDUP_API_BAD_REQUEST";
inline constexpr const char* kErrApiInvalidRequestValues = "ERR_DEDUP_API_INVALID_REQUEST_VALUES";
inline constexpr const char* kErrApiInvalidHeaderVersion = "ERR_DEDUP_API_INVALID_HEADER_VERSION";
inline constexpr const char* kErrApiInvalidCursor = "ERR_DEDUP_API_INVALID_CURSOR";
inline constexpr const char* kErrApiRateLimit = "ERR_DEDUP_API_RATE_LIMIT";
inline constexpr const char* kErrApiServerError = "ERR_DEDUP_API_SERVER_ERROR";
inline constexpr const char* kErrApiBadResponse = "ERR_DEDUP_API_BAD_RESPONSE";
inline constexpr const char* kErrApiUnexpected = "ERR_DEDUP_API_UNEXPECTED";

inline constexpr const char* kPodiumApiVersion = "2021.04.01";

struct PodiumClientOptions {
  std::string base_url = "https://api.podium.com/v4";  // http:// only for loopback hosts
  std::string token_env = "PODIUM_ACCESS_TOKEN";       // name of the variable, not the token
  std::string podium_version = kPodiumApiVersion;      // sent as the podium-version header

  // Client-side limiter. 0 disables it. The bucket refills at
  // (rate_limit_per_minute - rate_limit_burst) per minute, so that no
  // 60-second window, sliding or fixed, contains more than
  // rate_limit_per_minute requests. Burst is clamped to 1..per_minute-1.
  int rate_limit_per_minute = 300;
  int rate_limit_burst = 3;

  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};  // per HTTP attempt

  // Attempts for 5xx, timeouts and connection errors, the first one included.
  int max_attempts = 4;
  // Backoff before retry n (1-based) is a random duration in
  // [0, min(backoff_max, backoff_base * 2^(n-1))] ("full jitter").
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_max{30'000};
  // 429 responses waited out per logical request before giving up with
  // ERR_DEDUP_API_RATE_LIMIT, and the longest Retry-After that is honoured.
  int max_rate_limit_waits = 10;
  std::chrono::seconds max_retry_after{300};
  // Page walks restarted after `invalid_cursor` before giving up.
  int max_cursor_restarts = 5;
  // Seed of the jitter generator; 0 seeds from std::random_device.
  uint64_t jitter_seed = 0;
};

// Counters for run reports. Wait times are wall-clock seconds slept.
struct PodiumClientStats {
  int64_t requests = 0;             // logical requests (calls, and pages of a listing)
  int64_t attempts = 0;             // HTTP attempts sent
  int64_t retries = 0;              // attempts after the first, for any reason
  int64_t rate_limited = 0;         // 429 / rate_limit responses seen
  int64_t server_errors = 0;        // 5xx responses seen
  int64_t network_errors = 0;       // connection errors and timeouts seen
  int64_t cursor_restarts = 0;      // page walks restarted after invalid_cursor
  double rate_limiter_wait_seconds = 0;  // on the client-side token bucket
  double retry_after_wait_seconds = 0;   // honouring Retry-After
  double backoff_wait_seconds = 0;       // exponential backoff after 5xx and network errors
};

struct ListContactsOptions {
  std::string updated_after;     // ISO 8601 UTC; empty lists every contact
  bool include_deleted = false;  // extension: also list soft-deleted contacts
  int page_limit = 100;          // 1..100
};

struct ListContactsSummary {
  // Server time (HTTP Date header) of the first page's answer, ISO 8601
  // UTC, or the client's clock when the server sent no Date header.
  std::string started_at;
  int64_t pages = 0;
  int64_t contacts = 0;          // contacts handed to the callback
  int64_t duplicates_skipped = 0;  // same uid and updatedAt seen again after a restart
  int64_t restarts = 0;          // walks restarted after invalid_cursor
};

struct PodiumLocation {
  std::string uid;
  std::string name;
};

// A contact's consent channel for the campaigns endpoints.
struct ConsentChannel {
  std::string identifier;  // E.164 phone or email address
  std::string type;        // "PHONE" or "EMAIL"
};

// Receives each contact object of a listing. A non-ok Status stops the walk
// and is returned by ListContacts.
using ContactJsonCallback = std::function<Status(const nlohmann::json& contact)>;

class PodiumClient {
 public:
  // Reads the token from the environment variable `options.token_env` and
  // checks the URL, before any request is sent. Errors:
  // ERR_DEDUP_TOKEN_MISSING (names the variable), ERR_DEDUP_USAGE_INSECURE_URL
  // (http:// to a host outside 127.0.0.0/8, localhost and [::1]),
  // ERR_DEDUP_USAGE_INVALID_URL.
  static Result<std::unique_ptr<PodiumClient>> Create(const PodiumClientOptions& options,
                                                      std::shared_ptr<Logger> logger);
  ~PodiumClient();
  PodiumClient(const PodiumClient&) = delete;
  PodiumClient& operator=(const PodiumClient&) = delete;

  // Walks every page of GET /contacts until metadata.nextCursor is null.
  // After `invalid_cursor` the walk restarts from the first page. Within one
  // walk a uid is handed to the callback once, unless its updatedAt changed
  // between the restarts. Then the newer object is handed over again, so a
  // caller that keeps the latest object per uid ends with a consistent set.
  Result<ListContactsSummary> ListContacts(const ListContactsOptions& options,
                                           const ContactJsonCallback& on_contact);

  // GET /contacts/{identifier}: an E.164 phone, an email address or a uid.
  // A contact that does not exist is std::nullopt, not an error. A
  // soft-deleted contact is returned with its deletedAt set.
  Result<std::optional<nlohmann::json>> GetContact(const std::string& identifier);

  // POST /contacts (upsert by phone or email). Returns the identifier.
  Result<std::string> CreateContact(const nlohmann::json& contact);

  // PATCH /contacts/{uid} with the documented fields, plus the extension
  // consent flags marketingOptOut, smsOptOut and emailOptOut.
  Status PatchContact(const std::string& uid, const nlohmann::json& fields);

  // Extension: POST /contacts/{primary_uid}/merge. Returns the merged
  // primary. NOTE: a merge is retried after 5xx and connection errors, like
  // every call. When the first attempt was applied but its response was
  // lost, the retry fails with ERR_DEDUP_API_INVALID_DUPLICATE_UID, so the
  // caller rereads the contacts before treating that as a failure. Errors the caller branches on: ERR_DEDUP_API_INVALID_DUPLICATE_UID,
  // ERR_DEDUP_API_CONTACT_NOT_FOUND, ERR_DEDUP_API_MERGE_IN_PROGRESS,
  // ERR_DEDUP_API_CROSS_LOCATION_MERGE_BLOCKED, and
  // ERR_DEDUP_API_ROUTE_NOT_FOUND when the server has no merge endpoint.
  Result<nlohmann::json> MergeContacts(const std::string& primary_uid,
                                       const std::vector<std::string>& duplicate_uids);

  // DELETE /contacts/{uid}: a soft delete on servers with the extension
  // (the contact gets deletedAt and can be restored). This client has no
  // hard delete, on purpose.
  Status DeleteContact(const std::string& uid);

  // Extension: POST /contacts/{uid}/restore.
  Status RestoreContact(const std::string& uid);

  // POST /contacts/campaigns/opt_out and opt_in.
  Status OptOut(const ConsentChannel& channel);
  Status OptIn(const ConsentChannel& channel, const std::string& location_uid);

  // POST / DELETE /contacts/{identifier}/tags/{tag_uid}.
  Status AddTag(const std::string& identifier, const std::string& tag_uid);
  Status RemoveTag(const std::string& identifier, const std::string& tag_uid);

  // Extension: GET /locations, every location's uid and name.
  Result<std::vector<PodiumLocation>> ListLocations();

  // A snapshot of the counters since Create().
  PodiumClientStats stats() const;

  const PodiumClientOptions& options() const;

 private:
  class Impl;
  explicit PodiumClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Returns true when `url` is http:// to a loopback host (127.0.0.0/8,
// localhost, [::1]) or https:// to any host.
bool IsAllowedApiUrl(const std::string& url);

// Returns the ERR_DEDUP_API_* code for an API error `code` such as
// "merge_in_progress"; an unknown code maps to ERR_DEDUP_API_UNEXPECTED.
std::string ApiErrorCodeFor(std::string_view api_code);

struct FetchOptions {
  std::string location_uid;   // empty: every location
  std::string updated_after;  // high-water mark of the previous run; empty: everything
  bool include_deleted = true;  // so that deletes and restores reach the index
  // The listing requests contacts updated after (updated_after - overlap),
  // because the API's second resolution can hide a write made in the same
  // second as the previous high-water mark. Contacts seen again are
  // re-delivered; the index upserts by uid.
  std::chrono::seconds overlap{1};
  int page_limit = 100;
};

struct FetchSummary {
  // The next run's updated_after. It is the max updatedAt seen, capped at
  // the server time when the listing started, so that edits made during the
  // walk are listed again. It is updated_after when nothing was listed.
  std::string high_water_mark;
  int64_t listed = 0;           // contacts in the listing
  int64_t delivered = 0;        // contacts handed to the callback
  int64_t other_location = 0;   // skipped by the location filter
  int64_t unreadable = 0;       // objects that could not be read as a Contact (logged)
};

// Pulls contacts for the index: lists every page, keeps the contacts of
// `location_uid` (all when empty), turns each object into a Contact and
// hands it to `on_contact`. Returns the new high-water mark to store for the
// next run. A non-ok Status from the callback stops the walk and is returned.
Result<FetchSummary> FetchContactsForIndex(PodiumClient& client, const FetchOptions& options,
                                           const std::function<Status(Contact&&)>& on_contact,
                                           Logger& logger);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_PODIUM_CLIENT_H_
