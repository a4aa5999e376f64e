// Error codes and URL checks of the Podium client.
#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include <curl/curl.h>

#include "podium/api_errors.h"
#include "podium_dedup/podium_client.h"

namespace podium_dedup {
namespace {

// Owns a CURLU URL handle.
struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

std::string UrlPart(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) return "";
  std::string result(value);
  curl_free(value);
  return result;
}

std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "[::1]") return true;
  // 127.0.0.0/8 written as a dotted quad.
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

}  // namespace

namespace podium_internal {

Status CheckApiUrl(const std::string& url) {
  std::unique_ptr<CURLU, CurlUrlDeleter> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return Error{kErrUsageInvalidUrl,
                 "API URL '" + url + "' is not a valid URL; pass one like https://api.podium.com/v4"};
  }
  const std::string scheme = Lowercase(UrlPart(parsed.get(), CURLUPART_SCHEME));
  const std::string host = Lowercase(UrlPart(parsed.get(), CURLUPART_HOST));
  if (scheme == "https") return Status::Ok();
  if (scheme != "http") {
    return Error{kErrUsageInvalidUrl, "API URL '" + url + "' has scheme '" + scheme + "'; use https://"};
  }
  if (!IsLoopbackHost(host)) {
    return Error{kErrUsageInsecureUrl,
                 "API URL '" + url + "' uses plain http:// to host '" + host +
                     "', which would send the access token unencrypted; use https://, or http:// only to "
                     "127.0.0.1, localhost or [::1]"};
  }
  return Status::Ok();
}

}  // namespace podium_internal

bool IsAllowedApiUrl(const std::string& url) { return podium_internal::CheckApiUrl(url).ok(); }

std::string ApiErrorCodeFor(std::string_view api_code) {
  static const std::map<std::string_view, const char*> kCodes = {
      {"bad_request", kErrApiBadRequest},
      {"invalid_request_values", kErrApiInvalidRequestValues},
      {"invalid_header_version", kErrApiInvalidHeaderVersion},
      {"invalid_cursor", kErrApiInvalidCursor},
      {"rate_limit", kErrApiRateLimit},
      {"resource_not_found", kErrApiResourceNotFound},
      {"route_not_found", kErrApiRouteNotFound},
      {"unauthenticated", kErrAuthUnauthenticated},
      {"unauthorized", kErrAuthForbidden},
      {"internal_server_error", kErrApiServerError},
      {"invalid_duplicate_uid", kErrApiInvalidDuplicateUid},
      {"contact_not_found", kErrApiContactNotFound},
      {"merge_in_progress", kErrApiMergeInProgress},
      {"cross_location_merge_blocked", kErrApiCrossLocationMergeBlocked},
  };
  auto it = kCodes.find(api_code);
  return it == kCodes.end() ? kErrApiUnexpected : it->second;
}

}  // namespace podium_dedup
