// Test support: runs build/podium-fake-server as a child process on a free
// loopback port, writes generated contact exports for it, and sends admin
// requests. Shared by the podium, merge and cli suites.
//
// Usage:
//   TempDir dir;
//   WriteGeneratedContacts(dir.path() / "contacts.jsonl", {.count = 3000});
//   FakeServerProcess server;
//   ASSERT_EQ(server.Start({"--data", path}, "MY_TOKEN_ENV", "token", dir.path()), "");
//   ... PodiumClientOptions{.base_url = server.base_url(), ...}
// The destructor stops the server (SIGTERM, then SIGKILL after 5 s).
#ifndef PODIUM_DEDUP_TESTS_PODIUM_FAKE_SERVER_PROCESS_H_
#define PODIUM_DEDUP_TESTS_PODIUM_FAKE_SERVER_PROCESS_H_

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace podium_dedup::testing {

#ifndef PODIUM_DEDUP_BINARY_DIR
#error "PODIUM_DEDUP_BINARY_DIR must name the build folder"
#endif

inline std::string FakeServerBinary() { return std::string(PODIUM_DEDUP_BINARY_DIR) + "/podium-fake-server"; }

// A unique folder under the system temp directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("podium-dedup-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct GeneratedContactsOptions {
  int count = 3000;
  int locations = 4;                     // location uids "loc-1" .. "loc-N"
  std::string base_time = "2026-01-01";  // updatedAt is this day plus i minutes
};

// Writes `options.count` contacts as JSON Lines, every field the fake server
// would otherwise add already present, so that the server's listing of a
// fresh load equals the file line for line. Returns the objects written.
inline std::vector<nlohmann::json> WriteGeneratedContacts(const std::filesystem::path& path,
                                                          const GeneratedContactsOptions& options) {
  std::vector<nlohmann::json> contacts;
  std::ofstream out(path);
  for (int i = 1; i <= options.count; ++i) {
    char uid[32], phone[32], updated[32];
    std::snprintf(uid, sizeof(uid), "c-%06d", i);
    std::snprintf(phone, sizeof(phone), "+6141%07d", i);
    std::snprintf(updated, sizeof(updated), "%sT%02d:%02d:00Z", options.base_time.c_str(), (i / 60) % 24, i % 60);
    const std::string location = "loc-" + std::to_string(1 + i % options.locations);
    nlohmann::json contact = {
        {"uid", uid},
        {"name", "Contact " + std::to_string(i)},
        {"phoneNumbers", {phone}},
        {"emails", {"contact" + std::to_string(i) + "@example.com"}},
        {"locations", {{{"uid", location}}}},
        {"conversations", {{{"uid", std::string("conv-") + uid}}}},
        {"tags", nlohmann::json::array()},
        {"createdAt", updated},
        {"updatedAt", updated},
        {"deletedAt", nullptr},
    };
    out << contact.dump() << '\n';
    contacts.push_back(std::move(contact));
  }
  return contacts;
}

struct HttpAnswer {
  long status = 0;  // 0 when the request failed before a response
  nlohmann::json body;
};

// Sends one request with the bearer token, for admin routes and for calls
// that the client deliberately lacks (hard delete).
inline HttpAnswer SendRequest(const std::string& method, const std::string& url, const std::string& token,
                              const nlohmann::json& body = nullptr) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return answer;
  std::string received;
  const std::string payload = body.is_null() ? "" : body.dump();
  curl_slist* headers = curl_slist_append(nullptr, ("Authorization: Bearer " + token).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (!payload.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
  });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    answer.body = nlohmann::json::parse(received, nullptr, false);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return answer;
}

class FakeServerProcess {
 public:
  FakeServerProcess() = default;
  ~FakeServerProcess() { Stop(); }
  FakeServerProcess(const FakeServerProcess&) = delete;
  FakeServerProcess& operator=(const FakeServerProcess&) = delete;

  // Starts the server with `args`, the token in `token_env`, and stderr in
  // `log_dir`/fake-server.log. Returns an empty string, or what went wrong.
  std::string Start(const std::vector<std::string>& args, const std::string& token_env, const std::string& token,
                    const std::filesystem::path& log_dir) {
    token_ = token;
    log_path_ = log_dir / "fake-server.log";
    std::vector<std::string> argv_storage = {FakeServerBinary(), "--port", "0", "--token-env", token_env};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<std::string> env_storage;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (std::strncmp(*entry, (token_env + "=").c_str(), token_env.size() + 1) != 0) env_storage.push_back(*entry);
    }
    env_storage.push_back(token_env + "=" + token);
    std::vector<char*> argv = Pointers(argv_storage);
    std::vector<char*> envp = Pointers(env_storage);

    int out_pipe[2];
    if (::pipe(out_pipe) != 0) return "pipe() failed";
    const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0) return "cannot create " + log_path_.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Child: only async-signal-safe calls until exec.
      ::dup2(out_pipe[1], STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
      ::close(out_pipe[0]);
      ::close(out_pipe[1]);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(log_fd);
    if (pid_ < 0) {
      ::close(out_pipe[0]);
      return "fork() failed";
    }
    stdout_fd_ = out_pipe[0];
    return ReadListeningLine();
  }

  // Sends SIGTERM, waits up to 5 s, then SIGKILL. Returns the exit status
  // as waitpid() reports it, or -1 when no server runs.
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
    stdout_fd_ = -1;
    return status;
  }

  const std::string& base_url() const { return base_url_; }  // http://127.0.0.1:PORT/v4
  std::string root_url() const { return base_url_.substr(0, base_url_.size() - 3); }
  int port() const { return port_; }
  std::string ReadLog() const {
    std::ifstream in(log_path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  HttpAnswer Admin(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) const {
    return SendRequest(method, root_url() + path, token_, body);
  }
  // Returns the server's counters (GET /admin/counters).
  nlohmann::json Counters() const { return Admin("GET", "/admin/counters").body.value("data", nlohmann::json()); }

 private:
  static std::vector<char*> Pointers(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (std::string& text : strings) pointers.push_back(text.data());
    pointers.push_back(nullptr);
    return pointers;
  }

  std::string ReadListeningLine() {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (line.find('\n') == std::string::npos) {
      pollfd poll_fd{stdout_fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || ::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) {
        return "no 'listening on' line within 15 s; server log: " + ReadLog();
      }
      char buffer[256];
      const ssize_t got = ::read(stdout_fd_, buffer, sizeof(buffer));
      if (got <= 0) return "the server exited before listening; server log: " + ReadLog();
      line.append(buffer, static_cast<size_t>(got));
    }
    line = line.substr(0, line.find('\n'));
    const std::string prefix = "listening on ";
    if (line.rfind(prefix, 0) != 0) return "unexpected first line '" + line + "'";
    base_url_ = line.substr(prefix.size());
    const size_t colon = base_url_.rfind(':');
    port_ = std::stoi(base_url_.substr(colon + 1));
    return "";
  }

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string token_;
  std::string base_url_;
  std::filesystem::path log_path_;
};

}  // namespace podium_dedup::testing

#endif  // PODIUM_DEDUP_TESTS_PODIUM_FAKE_SERVER_PROCESS_H_
