// FakePodium: the contact state of the fake Podium server and the
// semantics of each API operation, apart from HTTP.
//
// Implementation notes:
//   - State is the contact JSON objects themselves, in load/creation order.
//     Each contact has a sequence number, and a page cursor names the last
//     sequence number returned. So an edit during a page walk neither moves
//     a contact nor hides it, and new contacts appear at the end.
//   - Every write sets updatedAt from a logical clock:
//     max(wall clock, previous updatedAt + 1 s). Two writes therefore never
//     share an updatedAt, even within one second, so a client that compares
//     updatedAt before and after (conflict detection) or lists with
//     `updated_at` = its last high-water mark misses no write. Under more
//     than one write per second the clock runs ahead of the wall clock.
//   - Writes are applied at once, although they answer 202 as Podium does.
//   - Not thread-safe: the HTTP layer holds one mutex around every call.
#ifndef PODIUM_DEDUP_TOOLS_FAKE_SERVER_FAKE_PODIUM_H_
#define PODIUM_DEDUP_TOOLS_FAKE_SERVER_FAKE_PODIUM_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "podium_dedup/result.h"

namespace podium_dedup::fake_server {

using nlohmann::json;

// An HTTP response: status and JSON body.
struct Reply {
  int status = 200;
  json body;
};

Reply ErrorReply(int status, const std::string& code, const std::string& message);
Reply DataReply(int status, json data, json metadata = json::object());

struct ListQuery {
  uint64_t after_sequence = 0;            // 0: from the first contact
  int limit = 100;
  std::optional<int64_t> updated_after;   // seconds since the epoch
  bool include_deleted = false;
};

struct ListResult {
  std::vector<json> contacts;
  std::optional<uint64_t> last_sequence;  // set when more contacts may follow
};

struct Counters {
  int64_t hard_deletes = 0;
  int64_t soft_deletes = 0;
  int64_t restores = 0;
  int64_t merges = 0;
  int64_t patches = 0;
  int64_t creates = 0;
  int64_t updates_by_upsert = 0;
  int64_t opt_outs = 0;
  int64_t opt_ins = 0;
  int64_t touches = 0;
};

class FakePodium {
 public:
  // Loads a contact export: JSON Lines, one contact object per line. A
  // contact without uid gets one, and without updatedAt gets the load time.
  Status LoadJsonLines(const std::string& path);
  // Loads location names from a JSON array of {uid, name} objects.
  Status LoadLocations(const std::string& path);
  // Writes every contact, soft-deleted ones included, as JSON Lines.
  Status DumpJsonLines(const std::string& path) const;

  void set_allow_cross_location_merge(bool allow) { allow_cross_location_merge_ = allow; }

  ListResult List(const ListQuery& query) const;
  Reply Get(const std::string& identifier) const;
  Reply Upsert(const json& body);
  Reply Patch(const std::string& identifier, const json& body);
  Reply Delete(const std::string& identifier, bool hard);
  Reply Restore(const std::string& uid);
  // Extension merge. `in_progress` receives the uids of a valid merge and
  // returns true to fail with 409 merge_in_progress (fault injection).
  Reply Merge(const std::string& primary_uid, const json& body,
              const std::function<bool(const std::vector<std::string>&)>& in_progress);
  Reply OptOut(const json& body);
  Reply OptIn(const json& body);
  Reply AddTag(const std::string& identifier, const std::string& tag_uid);
  Reply RemoveTag(const std::string& identifier, const std::string& tag_uid);
  Reply Locations() const;

  // Admin: bumps updatedAt of `uid` and sets the given top-level fields
  // without validation, as an edit made by someone else would.
  Reply Touch(const std::string& uid, const json& fields);
  json State() const;
  json CountersJson() const;
  const Counters& counters() const { return counters_; }
  size_t size() const { return contacts_.size(); }

 private:
  json* FindByUid(const std::string& uid);
  const json* FindByUid(const std::string& uid) const;
  json* FindByIdentifier(const std::string& identifier);
  const json* FindByIdentifier(const std::string& identifier) const;
  json* FindLiveByPhoneOrEmail(const std::string& phone, const std::string& email);
  std::vector<json*> FindLiveByChannel(const std::string& identifier);
  std::string NextTimestamp();
  std::string NewUid();
  void Insert(json contact);
  void ApplyPatchField(json& contact, const std::string& key, const json& value);
  std::optional<Reply> CheckMergeable(const std::string& primary_uid, const json& body,
                                      std::vector<json*>* duplicates);
  std::string TagLabel(const std::string& tag_uid) const;

  std::map<uint64_t, json> contacts_;                   // by sequence number
  std::unordered_map<std::string, uint64_t> by_uid_;
  std::map<std::string, std::string> location_names_;  // from --locations
  uint64_t next_sequence_ = 1;
  uint64_t next_uid_ = 1;
  int64_t last_timestamp_ = 0;
  bool allow_cross_location_merge_ = false;
  Counters counters_;
};

}  // namespace podium_dedup::fake_server

#endif  // PODIUM_DEDUP_TOOLS_FAKE_SERVER_FAKE_PODIUM_H_
