#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "podium_dedup/match.h"

namespace podium_dedup {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendHex(const unsigned char* bytes, std::size_t count, std::string& out) {
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(kHexDigits[bytes[i] >> 4]);
    out.push_back(kHexDigits[bytes[i] & 0x0f]);
  }
}

// 64-bit FNV-1a, used only when OpenSSL cannot compute SHA-256.
std::uint64_t Fnv1a64(const std::string& data) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace

std::string ClusterId(std::vector<std::string> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  std::string joined;
  for (std::size_t i = 0; i < uids.size(); ++i) {
    if (i > 0) joined.push_back('\n');
    joined.append(uids[i]);
  }

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  std::string id = "cl-";
  if (EVP_Digest(joined.data(), joined.size(), digest, &digest_size, EVP_sha256(), nullptr) == 1) {
    AppendHex(digest, 8, id);
    return id;
  }

  // NOTE: EVP_Digest fails only when OpenSSL cannot allocate or load its
  // default provider (a broken openssl.cnf). The "cl-fnv-" ids it then gives
  // come from a 64-bit hash, so they differ between member sets in practice
  // but not by guarantee, and they differ from the SHA-256 ids that a
  // working installation computes for the same clusters.
  const std::uint64_t hash = Fnv1a64(joined);
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(hash >> (56 - 8 * i));
  id.append("fnv-");
  AppendHex(bytes, 8, id);
  return id;
}

}  // namespace podium_dedup
