#include "podium_dedup/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>

#include <fmt/format.h>

namespace podium_dedup {
namespace {

// Keys that would carry a credential. They never belong in an event, so
// Append removes them wherever they appear in the object tree.
bool IsCredentialKey(std::string key) {
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key == "authorization" || key == "token" || key == "access_token" || key == "bearer";
}

void DropCredentialKeys(nlohmann::json* value) {
  if (value->is_object()) {
    for (auto it = value->begin(); it != value->end();) {
      if (IsCredentialKey(it.key())) {
        it = value->erase(it);
      } else {
        DropCredentialKeys(&it.value());
        ++it;
      }
    }
  } else if (value->is_array()) {
    for (auto& item : *value) DropCredentialKeys(&item);
  }
}

Error WriteError(const std::string& path, int error_number) {
  return Error{"ERR_DEDUP_MERGE_AUDIT_LOG_WRITE",
               "failed to append to the audit log '" + path + "': " + std::strerror(error_number) +
                   "; check free space and permissions, then run the command again"};
}

}  // namespace

std::string UtcNowIso8601() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03d}Z", buffer, static_cast<int>(millis));
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{"ERR_DEDUP_MERGE_AUDIT_LOG_OPEN",
                 "failed to open the audit log '" + path + "': " + std::strerror(errno) +
                     "; pass a writable path with --audit-log"};
  }
  return std::unique_ptr<AuditLog>(new AuditLog(fd, path));
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

Status AuditLog::Append(nlohmann::json event, bool sync) {
  DropCredentialKeys(&event);
  if (!event.contains("ts")) event["ts"] = UtcNowIso8601();

  // One write() per line: with O_APPEND the kernel places the whole buffer at
  // the end of the file, so lines of concurrent writers do not interleave.
  // A short write (a full disk) is finished by further writes.
  std::string line = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return WriteError(path_, errno);
    }
    written += static_cast<size_t>(n);
  }
  if (sync && ::fsync(fd_) != 0) return WriteError(path_, errno);
  return Status::Ok();
}

Result<std::vector<nlohmann::json>> ReadAuditLog(const std::string& path, int* skipped_lines) {
  std::ifstream in(path);
  if (!in) {
    return Error{"ERR_DEDUP_UNDO_AUDIT_LOG_NOT_FOUND",
                 "cannot read the audit log '" + path + "'; pass the file the merge wrote with --audit-log"};
  }
  std::vector<nlohmann::json> events;
  int skipped = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object()) {
      ++skipped;
      continue;
    }
    events.push_back(std::move(event));
  }
  if (in.bad()) {
    return Error{"ERR_DEDUP_UNDO_AUDIT_LOG_READ", "failed while reading the audit log '" + path + "'"};
  }
  if (skipped_lines != nullptr) *skipped_lines = skipped;
  return events;
}

}  // namespace podium_dedup
