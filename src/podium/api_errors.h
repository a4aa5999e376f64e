// Internal helpers of the Podium client shared between its source files.
#ifndef PODIUM_DEDUP_SRC_PODIUM_API_ERRORS_H_
#define PODIUM_DEDUP_SRC_PODIUM_API_ERRORS_H_

#include <string>

#include "podium_dedup/result.h"

namespace podium_dedup::podium_internal {

// Checks that `url` parses and is https://, or http:// to a loopback host.
// Errors: ERR_DEDUP_USAGE_INVALID_URL, ERR_DEDUP_USAGE_INSECURE_URL.
Status CheckApiUrl(const std::string& url);

}  // namespace podium_dedup::podium_internal

#endif  // PODIUM_DEDUP_SRC_PODIUM_API_ERRORS_H_
