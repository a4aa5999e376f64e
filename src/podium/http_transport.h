// HttpTransport: one libcurl easy handle that sends requests and returns
// the raw response, with no knowledge of the Podium API.
//
// The handle is reused between requests so that the connection stays open.
// TLS peer and host verification stay on (libcurl's defaults); nothing here
// turns them off.
#ifndef PODIUM_DEDUP_SRC_PODIUM_HTTP_TRANSPORT_H_
#define PODIUM_DEDUP_SRC_PODIUM_HTTP_TRANSPORT_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <curl/curl.h>

namespace podium_dedup::podium_internal {

struct HttpRequest {
  std::string method;  // GET, POST, PATCH or DELETE
  std::string url;
  std::string body;    // sent when non-empty
  std::vector<std::string> headers;  // "Name: value"
};

struct HttpResponse {
  CURLcode curl_code = CURLE_OK;
  std::string curl_error;  // libcurl's message when curl_code is not CURLE_OK
  long status = 0;         // HTTP status, 0 when no response arrived
  std::string body;
  std::optional<std::string> retry_after;  // value of the Retry-After header
  std::optional<std::string> date;         // value of the Date header
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds total{60'000};
};

// Owns a CURL easy handle; the destructor releases it.
class CurlEasy {
 public:
  CurlEasy() : handle_(curl_easy_init()) {}
  ~CurlEasy() { if (handle_ != nullptr) curl_easy_cleanup(handle_); }
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;
  CURL* get() const { return handle_; }

 private:
  CURL* handle_;
};

// Owns a curl_slist of request headers.
class CurlHeaderList {
 public:
  CurlHeaderList() = default;
  ~CurlHeaderList() { curl_slist_free_all(list_); }
  CurlHeaderList(const CurlHeaderList&) = delete;
  CurlHeaderList& operator=(const CurlHeaderList&) = delete;
  // Returns false when libcurl could not allocate the entry.
  bool Append(const std::string& header);
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// Not thread-safe: the caller serializes Perform().
class HttpTransport {
 public:
  explicit HttpTransport(HttpTimeouts timeouts) : timeouts_(timeouts) {}
  bool ok() const { return easy_.get() != nullptr; }
  HttpResponse Perform(const HttpRequest& request);

 private:
  CurlEasy easy_;
  HttpTimeouts timeouts_;
};

// Percent-encodes everything except RFC 3986 unreserved characters, for a
// path segment or a query value.
std::string PercentEncode(const std::string& text);

}  // namespace podium_dedup::podium_internal

#endif  // PODIUM_DEDUP_SRC_PODIUM_HTTP_TRANSPORT_H_
