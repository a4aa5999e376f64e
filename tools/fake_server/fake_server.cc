#include "fake_server.h"

#include <cmath>
#include <ctime>
#include <thread>

#include "podium_dedup/podium_time.h"

namespace podium_dedup::fake_server {
namespace {

using nlohmann::json;

json ParseBody(const httplib::Request& request) {
  if (request.body.empty()) return json::object();
  return json::parse(request.body, nullptr, /*allow_exceptions=*/false);
}

// Cursors are "<issue number>.<sequence of the last contact returned>".
std::string MakeCursor(int64_t issue, uint64_t sequence) {
  return std::to_string(issue) + "." + std::to_string(sequence);
}

bool ParseCursor(const std::string& cursor, int64_t* issue, uint64_t* sequence) {
  const size_t dot = cursor.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == cursor.size()) return false;
  try {
    size_t used = 0;
    *issue = std::stoll(cursor.substr(0, dot), &used);
    if (used != dot) return false;
    *sequence = std::stoull(cursor.substr(dot + 1), &used);
    return used == cursor.size() - dot - 1;
  } catch (const std::exception&) {
    return false;
  }
}

template <typename T>
std::string ReadField(const json& body, const char* key, T* out) {
  auto it = body.find(key);
  if (it == body.end()) return "";
  try {
    *out = it->get<T>();
  } catch (const json::exception&) {
    return std::string(key) + " has the wrong type";
  }
  return "";
}

}  // namespace

std::string UpdateFaultsFromJson(const json& body, FaultSettings* faults) {
  if (!body.is_object()) return "the faults body must be a JSON object";
  static const std::set<std::string> kKeys = {
      "rateLimit", "rateWindowSeconds", "errorRate", "resetRate", "lostReplyRate", "lostMergeReplies", "latencyMs",
      "mergeInProgressUids",
      "mergeInProgressRate", "invalidCursorOnPage", "cursorMaxAge", "editAfterRequests", "editUid",
      "editFields"};
  for (const auto& [key, value] : body.items()) {
    if (kKeys.count(key) == 0) return "unknown fault setting '" + key + "'";
  }
  std::vector<std::string> uids(faults->merge_in_progress_uids.begin(), faults->merge_in_progress_uids.end());
  for (const std::string& error :
       {ReadField(body, "rateLimit", &faults->rate_limit),
        ReadField(body, "rateWindowSeconds", &faults->rate_window_seconds),
        ReadField(body, "errorRate", &faults->error_rate), ReadField(body, "resetRate", &faults->reset_rate),
        ReadField(body, "lostReplyRate", &faults->lost_reply_rate),
        ReadField(body, "lostMergeReplies", &faults->lost_merge_replies),
        ReadField(body, "latencyMs", &faults->latency_ms), ReadField(body, "mergeInProgressUids", &uids),
        ReadField(body, "mergeInProgressRate", &faults->merge_in_progress_rate),
        ReadField(body, "invalidCursorOnPage", &faults->invalid_cursor_on_page),
        ReadField(body, "cursorMaxAge", &faults->cursor_max_age),
        ReadField(body, "editAfterRequests", &faults->edit_after_requests),
        ReadField(body, "editUid", &faults->edit_uid), ReadField(body, "editFields", &faults->edit_fields)}) {
    if (!error.empty()) return error;
  }
  faults->merge_in_progress_uids = std::set<std::string>(uids.begin(), uids.end());
  if (faults->rate_window_seconds < 1) return "rateWindowSeconds must be at least 1";
  return "";
}

json FaultsToJson(const FaultSettings& faults) {
  return {{"rateLimit", faults.rate_limit},
          {"rateWindowSeconds", faults.rate_window_seconds},
          {"errorRate", faults.error_rate},
          {"resetRate", faults.reset_rate},
          {"lostReplyRate", faults.lost_reply_rate},
          {"lostMergeReplies", faults.lost_merge_replies},
          {"latencyMs", faults.latency_ms},
          {"mergeInProgressUids", faults.merge_in_progress_uids},
          {"mergeInProgressRate", faults.merge_in_progress_rate},
          {"invalidCursorOnPage", faults.invalid_cursor_on_page},
          {"cursorMaxAge", faults.cursor_max_age},
          {"editAfterRequests", faults.edit_after_requests},
          {"editUid", faults.edit_uid},
          {"editFields", faults.edit_fields}};
}

void WriteReply(const Reply& reply, httplib::Response& response) {
  response.status = reply.status;
  response.set_content(reply.body.dump(), "application/json");
  // cpp-httplib 0.11 sends no Date header, and clients use it as the
  // server's clock (the incremental pull caps its high-water mark with it).
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char date[64];
  std::strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  response.set_header("Date", date);
}

FakeServer::FakeServer(FakePodium store, FaultSettings faults, ServerOptions options)
    : store_(std::move(store)), faults_(std::move(faults)), options_(std::move(options)), random_(options_.seed) {}

Status FakeServer::Dump(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  return store_.DumpJsonLines(path);
}

// Request pipeline.

bool FakeServer::Authorized(const httplib::Request& request, httplib::Response& response) {
  const std::string expected = "Bearer " + options_.token;
  if (request.get_header_value("Authorization") != expected) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counters_.unauthenticated;
    WriteReply(ErrorReply(401, "unauthenticated", "missing or invalid bearer token"), response);
    return false;
  }
  if (request.has_header("podium-version") && request.get_header_value("podium-version") != options_.api_version) {
    WriteReply(ErrorReply(400, "invalid_header_version",
                          "podium-version '" + request.get_header_value("podium-version") +
                              "' is not supported; send " + options_.api_version),
               response);
    return false;
  }
  return true;
}

// Sliding-window limit over accepted API requests; a rejected request does
// not count, so a client that waits for Retry-After gets through.
std::optional<int> FakeServer::RateLimitRetryAfter() {
  if (faults_.rate_limit <= 0) return std::nullopt;
  const auto now = std::chrono::steady_clock::now();
  const auto window = std::chrono::seconds(faults_.rate_window_seconds);
  while (!window_.empty() && window_.front() + window <= now) window_.pop_front();
  if (static_cast<int>(window_.size()) < faults_.rate_limit) {
    window_.push_back(now);
    return std::nullopt;
  }
  const double wait = std::chrono::duration<double>(window_.front() + window - now).count();
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

std::optional<Reply> FakeServer::InjectFaults(bool* reset, bool* lose_reply, int* retry_after) {
  ++counters_.api_requests;
  if (faults_.edit_after_requests > 0 && counters_.api_requests == faults_.edit_after_requests) {
    store_.Touch(faults_.edit_uid, faults_.edit_fields);
  }
  if (auto wait = RateLimitRetryAfter()) {
    ++counters_.rate_limited;
    *retry_after = *wait;
    return ErrorReply(429, "rate_limit", "rate limit of " + std::to_string(faults_.rate_limit) + " requests per " +
                                             std::to_string(faults_.rate_window_seconds) + " s exceeded");
  }

  // Every roll is drawn for every request that passes the limit, so that a
  // given seed fails the same requests whatever the timing.
  std::uniform_real_distribution<double> roll(0.0, 1.0);
  const double error_roll = roll(random_);
  const double reset_roll = roll(random_);
  const double lost_reply_roll = roll(random_);
  if (error_roll < faults_.error_rate) {
    ++counters_.injected_errors;
    static const int kStatuses[] = {500, 502, 503};
    const int status = kStatuses[random_() % 3];
    return ErrorReply(status, "internal_server_error", "injected failure (HTTP " + std::to_string(status) + ")");
  }
  if (reset_roll < faults_.reset_rate) {
    ++counters_.resets;
    *reset = true;
  }
  *lose_reply = lost_reply_roll < faults_.lost_reply_rate;
  return std::nullopt;
}

httplib::Server::Handler FakeServer::Api(Handler handler) {
  return [this, handler](const httplib::Request& request, httplib::Response& response) {
    if (!Authorized(request, response)) return;
    bool reset = false;
    bool lose_reply = false;
    int retry_after = 0;
    int latency_ms = 0;
    std::optional<Reply> reply;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      latency_ms = faults_.latency_ms;
      reply = InjectFaults(&reset, &lose_reply, &retry_after);
    }
    if (latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms));
    if (reset) {
      // Send the headers and then close the connection without a body, which
      // the client sees as a transfer cut off mid-answer.
      response.set_content_provider(64, "application/json",
                                    [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    }
    if (!reply) {
      std::lock_guard<std::mutex> lock(mutex_);
      reply = handler(request);
      if (lose_reply && reply->status < 300) {
        ++counters_.lost_replies;
        reply = ErrorReply(503, "internal_server_error", "injected failure after the request was applied");
      }
    }
    WriteReply(*reply, response);
    if (retry_after > 0) response.set_header("Retry-After", std::to_string(retry_after));
  };
}

httplib::Server::Handler FakeServer::Admin(Handler handler) {
  return [this, handler](const httplib::Request& request, httplib::Response& response) {
    if (!Authorized(request, response)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    ++counters_.admin_requests;
    WriteReply(handler(request), response);
  };
}

// Handlers that need more than FakePodium. Called with mutex_ held.

Reply FakeServer::ListContacts(const httplib::Request& request) {
  ++counters_.list_requests;
  ListQuery query;
  query.limit = 50;
  if (request.has_param("limit")) {
    try {
      query.limit = std::stoi(request.get_param_value("limit"));
    } catch (const std::exception&) {
      query.limit = 0;
    }
    if (query.limit < 1 || query.limit > 100) {
      return ErrorReply(400, "invalid_request_values",
                        "limit '" + request.get_param_value("limit") + "' must be between 1 and 100");
    }
  }
  if (request.has_param("updated_at")) {
    query.updated_after = ParseIsoTimestamp(request.get_param_value("updated_at"));
    if (!query.updated_after) {
      return ErrorReply(400, "invalid_request_values",
                        "updated_at '" + request.get_param_value("updated_at") + "' is not YYYY-MM-DDTHH:MM:SSZ");
    }
  }
  query.include_deleted = request.get_param_value("includeDeleted") == "true";

  if (request.has_param("cursor")) {
    int64_t issue = 0;
    ++cursor_requests_;
    const bool injected = faults_.invalid_cursor_on_page > 0 && cursor_requests_ == faults_.invalid_cursor_on_page;
    const bool expired = faults_.cursor_max_age > 0 && ParseCursor(request.get_param_value("cursor"), &issue,
                                                                    &query.after_sequence) &&
                         cursors_issued_ - issue > faults_.cursor_max_age;
    if (injected || expired || !ParseCursor(request.get_param_value("cursor"), &issue, &query.after_sequence)) {
      ++counters_.invalid_cursors;
      return ErrorReply(400, "invalid_cursor", "the cursor is invalid or expired; start the listing again");
    }
  }

  ListResult page = store_.List(query);
  json next_cursor = nullptr;
  if (page.last_sequence) next_cursor = MakeCursor(++cursors_issued_, *page.last_sequence);
  return DataReply(200, std::move(page.contacts), {{"nextCursor", next_cursor}, {"limit", query.limit}});
}

bool FakeServer::MergeInProgress(const std::vector<std::string>& uids) {
  for (const std::string& uid : uids) {
    if (faults_.merge_in_progress_uids.count(uid) > 0) return true;
  }
  if (faults_.merge_in_progress_rate <= 0) return false;
  return std::uniform_real_distribution<double>(0.0, 1.0)(random_) < faults_.merge_in_progress_rate;
}

Reply FakeServer::Merge(const httplib::Request& request) {
  if (!options_.merge_enabled) {
    return ErrorReply(404, "route_not_found", "this server has no merge endpoint");
  }
  const json body = ParseBody(request);
  Reply reply = store_.Merge(request.matches[1], body, [this](const std::vector<std::string>& uids) {
    return MergeInProgress(uids);
  });
  if (reply.status == 409) ++counters_.merge_in_progress;
  if (reply.status == 200 && faults_.lost_merge_replies > 0) {
    --faults_.lost_merge_replies;
    ++counters_.lost_replies;
    return ErrorReply(503, "internal_server_error", "injected failure after the merge was applied");
  }
  return reply;
}

Reply FakeServer::SetFaults(const httplib::Request& request) {
  const json body = ParseBody(request);
  FaultSettings updated = faults_;
  const std::string error = UpdateFaultsFromJson(body, &updated);
  if (!error.empty()) return ErrorReply(400, "invalid_request_values", error);
  faults_ = std::move(updated);
  window_.clear();
  cursor_requests_ = 0;
  return DataReply(200, FaultsToJson(faults_));
}

json FakeServer::CountersJson() const {
  json counters = store_.CountersJson();
  counters["apiRequests"] = counters_.api_requests;
  counters["adminRequests"] = counters_.admin_requests;
  counters["unauthenticated"] = counters_.unauthenticated;
  counters["rateLimited"] = counters_.rate_limited;
  counters["injectedErrors"] = counters_.injected_errors;
  counters["resets"] = counters_.resets;
  counters["lostReplies"] = counters_.lost_replies;
  counters["listRequests"] = counters_.list_requests;
  counters["invalidCursors"] = counters_.invalid_cursors;
  counters["mergeInProgress"] = counters_.merge_in_progress;
  return counters;
}

void FakeServer::Register(httplib::Server& server) {
  const std::string contact = R"(/v4/contacts/([^/]+))";

  server.Get("/v4/contacts", Api([this](const auto& request) { return ListContacts(request); }));
  server.Post("/v4/contacts", Api([this](const auto& request) {
                if (ParseBody(request).is_discarded()) return ErrorReply(400, "bad_request", "the body is not JSON");
                return store_.Upsert(ParseBody(request));
              }));
  server.Post("/v4/contacts/campaigns/opt_out", Api([this](const auto& request) {
                return store_.OptOut(ParseBody(request));
              }));
  server.Post("/v4/contacts/campaigns/opt_in", Api([this](const auto& request) {
                return store_.OptIn(ParseBody(request));
              }));
  server.Get(contact, Api([this](const auto& request) { return store_.Get(request.matches[1]); }));
  server.Patch(contact, Api([this](const auto& request) {
                 const json body = ParseBody(request);
                 if (body.is_discarded()) return ErrorReply(400, "bad_request", "the body is not JSON");
                 return store_.Patch(request.matches[1], body);
               }));
  server.Delete(contact, Api([this](const auto& request) {
                  return store_.Delete(request.matches[1], request.get_param_value("hard") == "true");
                }));
  server.Post(contact + "/merge", Api([this](const auto& request) { return Merge(request); }));
  server.Post(contact + "/restore", Api([this](const auto& request) { return store_.Restore(request.matches[1]); }));
  server.Post(contact + "/tags/([^/]+)", Api([this](const auto& request) {
                return store_.AddTag(request.matches[1], request.matches[2]);
              }));
  server.Delete(contact + "/tags/([^/]+)", Api([this](const auto& request) {
                  return store_.RemoveTag(request.matches[1], request.matches[2]);
                }));
  server.Get("/v4/locations", Api([this](const auto&) { return store_.Locations(); }));

  server.Get("/admin/state", Admin([this](const auto&) {
               json state = store_.State();
               state["counters"] = CountersJson();
               return DataReply(200, std::move(state));
             }));
  server.Get("/admin/counters", Admin([this](const auto&) { return DataReply(200, CountersJson()); }));
  server.Get("/admin/faults", Admin([this](const auto&) { return DataReply(200, FaultsToJson(faults_)); }));
  server.Post("/admin/faults", Admin([this](const auto& request) { return SetFaults(request); }));
  server.Post("/admin/touch/([^/]+)", Admin([this](const auto& request) {
                return store_.Touch(request.matches[1], ParseBody(request));
              }));

  const auto not_found = [this](const httplib::Request& request, httplib::Response& response) {
    if (!Authorized(request, response)) return;
    WriteReply(ErrorReply(404, "route_not_found", "no route for " + request.method + " " + request.path), response);
  };
  server.Get(".*", not_found);
  server.Post(".*", not_found);
  server.Patch(".*", not_found);
  server.Delete(".*", not_found);
  server.Put(".*", not_found);
}

}  // namespace podium_dedup::fake_server
