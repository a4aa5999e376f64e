// Test support for the reliability suites: runs the built binaries as real
// child processes with a watchdog, optional resource limits and an optional
// SIGKILL at a chosen moment, and reads back what they left on disk.
//
// The watchdog is a hang detector, not a timing assertion: a child still
// running after `timeout` is killed and reported as hung.
#ifndef PODIUM_DEDUP_TESTS_RELIABILITY_PROCESS_RUNNER_H_
#define PODIUM_DEDUP_TESTS_RELIABILITY_PROCESS_RUNNER_H_

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace podium_dedup::reliability {

#ifndef PODIUM_DEDUP_BINARY_DIR
#error "PODIUM_DEDUP_BINARY_DIR must name the build folder"
#endif

inline std::string DedupBinary() { return std::string(PODIUM_DEDUP_BINARY_DIR) + "/podium-dedup"; }

// True when PODIUM_DEDUP_SOAK=1 asks for the long manual runs.
inline bool SoakMode() {
  const char* soak = std::getenv("PODIUM_DEDUP_SOAK");
  return soak != nullptr && std::string(soak) == "1";
}

struct RunOptions {
  std::filesystem::path working_dir;           // also where stdout and stderr are kept
  std::map<std::string, std::string> env;      // added to (or replacing) the parent's environment
  std::vector<std::string> unset_env;          // removed from the environment
  std::chrono::seconds timeout{120};           // hang detector
  std::optional<std::chrono::milliseconds> kill_after;  // SIGKILL the child at this moment
  std::optional<rlim_t> file_size_limit;       // RLIMIT_FSIZE in bytes, SIGXFSZ ignored
  std::string stdin_path;                      // empty: /dev/null
  // Run the child as this user and group (root only): file modes bind the
  // child, as they do not bind root.
  std::optional<uid_t> run_as;
  // Wrap the command in `unshare --net`, so the child has no network but a
  // loopback that is down: for tests of addresses it must never reach.
  bool no_network = false;
};

struct RunResult {
  bool exited = false;     // ended with exit(); exit_code is set
  int exit_code = -1;
  int signal = 0;          // the signal that ended it, when not exited
  bool hung = false;       // the watchdog killed it
  bool killed_by_test = false;  // kill_after fired before it ended
  std::string out;
  std::string err;

  // A crash is an end by a signal that the test did not send.
  bool crashed() const { return !exited && !hung && !killed_by_test; }
  std::string Describe() const {
    std::string text = exited ? "exit " + std::to_string(exit_code) : "signal " + std::to_string(signal);
    if (hung) text += " (hung: killed by the watchdog)";
    return text + "; stderr: " + err.substr(0, 2000);
  }
};

inline std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

namespace internal {

inline std::vector<std::string> BuildEnvironment(const RunOptions& options) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('='));
    bool drop = options.env.count(name) > 0;
    for (const std::string& unset : options.unset_env) drop = drop || unset == name;
    if (!drop) env.push_back(text);
  }
  for (const auto& [name, value] : options.env) env.push_back(name + "=" + value);
  return env;
}

inline std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// The child's side of the fork: only async-signal-safe calls until exec.
[[noreturn]] inline void ExecChild(const char* dir, int in_fd, int out_fd, int err_fd, const RunOptions& options,
                                   char** argv, char** envp) {
  ::setpgid(0, 0);
  if (::chdir(dir) != 0) ::_exit(126);
  ::dup2(in_fd, STDIN_FILENO);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  if (options.file_size_limit) {
    ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG instead of killing
    rlimit limit{*options.file_size_limit, *options.file_size_limit};
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  if (options.run_as && (::setgroups(0, nullptr) != 0 || ::setgid(*options.run_as) != 0 ||
                         ::setuid(*options.run_as) != 0)) {
    ::_exit(125);
  }
  ::execve(argv[0], argv, envp);
  ::_exit(127);
}

}  // namespace internal

// Runs `args` (args[0] is the binary path) as a child process and waits for
// it, killing it after options.timeout (hung) or options.kill_after.
inline RunResult RunProcess(std::vector<std::string> args, const RunOptions& options) {
  static int counter = 0;
  if (options.no_network) args.insert(args.begin(), {"/usr/bin/unshare", "--net", "--"});
  const std::filesystem::path dir = options.working_dir;
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(++counter);
  const std::filesystem::path out_path = dir / (".stdout-" + tag);
  const std::filesystem::path err_path = dir / (".stderr-" + tag);
  std::vector<std::string> env = internal::BuildEnvironment(options);
  std::vector<char*> argv = internal::Pointers(args);
  std::vector<char*> envp = internal::Pointers(env);
  const int in_fd = ::open(options.stdin_path.empty() ? "/dev/null" : options.stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  RunResult result;
  if (in_fd < 0 || out_fd < 0 || err_fd < 0) {
    result.err = "the test could not open its stdin, stdout or stderr file in " + dir.string();
    return result;
  }
  const std::string dir_text = dir.string();
  const pid_t pid = ::fork();
  if (pid == 0) internal::ExecChild(dir_text.c_str(), in_fd, out_fd, err_fd, options, argv.data(), envp.data());
  ::close(in_fd);
  ::close(out_fd);
  ::close(err_fd);
  if (pid < 0) {
    result.err = "fork() failed";
    return result;
  }

  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (options.kill_after && elapsed >= *options.kill_after && !result.killed_by_test) {
      ::kill(pid, SIGKILL);
      result.killed_by_test = true;
    } else if (elapsed >= options.timeout && !result.hung) {
      ::kill(pid, SIGKILL);
      result.hung = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  result.exited = WIFEXITED(status);
  if (result.exited) {
    result.exit_code = WEXITSTATUS(status);
    result.killed_by_test = false;  // it finished before the kill landed
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  result.out = ReadText(out_path);
  result.err = ReadText(err_path);
  std::error_code ignored;
  std::filesystem::remove(out_path, ignored);
  std::filesystem::remove(err_path, ignored);
  return result;
}

// Runs build/podium-dedup with `args`.
inline RunResult RunDedup(const std::vector<std::string>& args, const RunOptions& options) {
  std::vector<std::string> full = {DedupBinary()};
  full.insert(full.end(), args.begin(), args.end());
  return RunProcess(full, options);
}

// True when `unshare --net` works here (it needs root or user namespaces).
inline bool CanIsolateNetwork(const std::filesystem::path& working_dir) {
  RunOptions options;
  options.working_dir = working_dir;
  options.no_network = true;
  options.timeout = std::chrono::seconds(30);
  const RunResult result = RunProcess({"/bin/true"}, options);
  return result.exited && result.exit_code == 0;
}

// The uid of "nobody", which tests run a child as when they are root.
constexpr uid_t kNobody = 65534;

// Runs one SQL query on a database opened read-only and returns the first
// column of every row joined by '\n', or "error: ..." when it fails.
inline std::string QueryDb(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string message = "error: " + std::string(db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return message;
  }
  sqlite3_busy_timeout(db, 10000);
  std::string text;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    text = "error: " + std::string(sqlite3_errmsg(db));
  } else {
    int step = 0;
    while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
      if (!text.empty()) text += '\n';
      const unsigned char* value = sqlite3_column_text(statement, 0);
      text += value ? reinterpret_cast<const char*>(value) : "NULL";
    }
    if (step != SQLITE_DONE) text = "error: " + std::string(sqlite3_errmsg(db));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return text;
}

inline std::string IntegrityCheck(const std::filesystem::path& db_path) {
  return QueryDb(db_path, "PRAGMA integrity_check");
}

// The permission bits of `path` (0600 for owner-only).
inline unsigned PermissionBits(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return 07777;
  return info.st_mode & 0777;
}

}  // namespace podium_dedup::reliability

#endif  // PODIUM_DEDUP_TESTS_RELIABILITY_PROCESS_RUNNER_H_
