#include "podium/http_transport.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <strings.h>

namespace podium_dedup::podium_internal {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Returns the trimmed value when `line` is the header `name` (lowercase,
// with the colon), compared case-insensitively.
std::optional<std::string> HeaderValue(const char* line, size_t length, const char* name) {
  const size_t name_length = std::strlen(name);
  if (length <= name_length || strncasecmp(line, name, name_length) != 0) return std::nullopt;
  std::string value(line + name_length, length - name_length);
  const size_t first = value.find_first_not_of(" \t");
  const size_t last = value.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? "" : value.substr(first, last - first + 1);
}

// Keeps the Retry-After and Date headers; libcurl calls this once per
// header line.
size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  const size_t length = size * count;
  auto* response = static_cast<HttpResponse*>(user);
  if (auto value = HeaderValue(data, length, "retry-after:")) response->retry_after = std::move(value);
  if (auto value = HeaderValue(data, length, "date:")) response->date = std::move(value);
  return length;
}

}  // namespace

bool CurlHeaderList::Append(const std::string& header) {
  curl_slist* appended = curl_slist_append(list_, header.c_str());
  if (appended == nullptr) return false;
  list_ = appended;
  return true;
}

HttpResponse HttpTransport::Perform(const HttpRequest& request) {
  HttpResponse response;
  CURL* curl = easy_.get();
  curl_easy_reset(curl);

  CurlHeaderList headers;
  for (const std::string& header : request.headers) headers.Append(header);
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts_.connect.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts_.total.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (!request.body.empty() || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }

  response.curl_code = curl_easy_perform(curl);
  if (response.curl_code != CURLE_OK) {
    response.curl_error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(response.curl_code);
    response.status = 0;
    return response;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::string PercentEncode(const std::string& text) {
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded.push_back(static_cast<char>(c));
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof(buffer), "%%%02X", c);
      encoded += buffer;
    }
  }
  return encoded;
}

}  // namespace podium_dedup::podium_internal
