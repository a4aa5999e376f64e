// AuditLog: the append-only record of every merge and undo, as JSON Lines.
//
// Each event is one JSON object on one line. The file is created with mode
// 0600 because it holds full contact records, opened with O_APPEND so that
// several processes can append to the same file, and each line is handed to
// a single write() call so that lines from different processes do not
// interleave. Events that record an outcome are fsync'd before Append
// returns. The access token is never part of an event: Append drops any key
// that names a credential before writing, as a second line of defence.
//
// Event fields every event has: "ts" (UTC, ISO 8601 with milliseconds),
// "event" (one of the audit_event:: names), and, for merge and undo events,
// "cluster_id" and "run_id".
#ifndef PODIUM_DEDUP_AUDIT_LOG_H_
#define PODIUM_DEDUP_AUDIT_LOG_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "podium_dedup/result.h"

namespace podium_dedup {

// Event names. Their spelling is part of the audit log format.
namespace audit_event {
inline constexpr std::string_view kPlan = "plan";                     // the plan of one cluster
inline constexpr std::string_view kBeforeState = "before_state";      // records fetched before the merge
inline constexpr std::string_view kCall = "call";                     // one API call and its outcome
inline constexpr std::string_view kRetry = "retry";                   // a step tried again
inline constexpr std::string_view kConflict = "conflict_detected";    // the index is stale
inline constexpr std::string_view kAfterState = "after_state";        // the primary after the merge
inline constexpr std::string_view kOutcome = "outcome";               // the final status of a cluster
inline constexpr std::string_view kUndoOutcome = "undo_outcome";      // the result of an undo
}  // namespace audit_event

class AuditLog {
 public:
  // Opens `path` for appending, creating it with mode 0600 if it does not
  // exist. Errors: ERR_DEDUP_MERGE_AUDIT_LOG_OPEN (with the path and errno text).
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& path);

  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends `event` as one line. Adds "ts" when the event has none. With
  // `sync`, the line is on disk (fsync) before this returns.
  // Errors: ERR_DEDUP_MERGE_AUDIT_LOG_WRITE.
  Status Append(nlohmann::json event, bool sync);

  const std::string& path() const { return path_; }

 private:
  AuditLog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_;
  std::string path_;
};

// Reads every event in the audit log at `path`, oldest first. A line that
// is not a JSON object (such as a torn last line after a crash) is skipped
// and counted in `*skipped_lines` when that pointer is given.
// Errors: ERR_DEDUP_UNDO_AUDIT_LOG_NOT_FOUND, ERR_DEDUP_UNDO_AUDIT_LOG_READ.
Result<std::vector<nlohmann::json>> ReadAuditLog(const std::string& path, int* skipped_lines = nullptr);

// Returns the current UTC time as ISO 8601 with milliseconds,
// "2026-01-02T03:04:05.678Z".
std::string UtcNowIso8601();

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_AUDIT_LOG_H_
