// podium-fake-server: a local stand-in for the Podium v4 contacts API and
// the merge extensions, with fault injection, for tests and demos.
//
// It binds 127.0.0.1 only. Its first line on stdout is
// "listening on http://127.0.0.1:PORT/v4". One line per request goes to
// stderr; the token is never printed. SIGTERM and SIGINT stop it, after
// writing the state to --dump FILE when given.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <httplib.h>

#include "fake_server.h"

namespace podium_dedup::fake_server {
namespace {

struct Flags {
  std::string data_path;
  std::string locations_path;
  std::string dump_path;
  int port = 0;
  std::string token_env = "PODIUM_ACCESS_TOKEN";
  uint64_t seed = 1;
  bool quiet = false;
  bool disable_merge = false;
  bool allow_cross_location_merge = false;
  std::vector<std::string> merge_in_progress_uids;
  FaultSettings faults;
};

void AddFlags(CLI::App& app, Flags& flags) {
  app.add_option("--data", flags.data_path, "Contact export to load (JSON Lines, one contact per line)");
  app.add_option("--locations", flags.locations_path,
                 "JSON array of {uid, name} for GET /v4/locations; names default to 'Location <uid>'");
  app.add_option("--dump", flags.dump_path, "Write the state as JSON Lines to FILE on exit");
  app.add_option("--port", flags.port, "TCP port on 127.0.0.1; 0 picks a free port")->capture_default_str();
  app.add_option("--token-env", flags.token_env, "Environment variable that contains the expected bearer token")
      ->capture_default_str();
  app.add_option("--seed", flags.seed, "Seed of the fault generator, so that runs repeat")->capture_default_str();
  app.add_flag("--quiet", flags.quiet, "Do not log one line per request on stderr");
  app.add_flag("--disable-merge", flags.disable_merge,
               "Answer the merge extension with 404 route_not_found, as Podium itself does");
  app.add_flag("--allow-cross-location-merge", flags.allow_cross_location_merge,
               "Merge contacts of different locations instead of answering 422");

  FaultSettings& faults = flags.faults;
  app.add_option("--rate-limit", faults.rate_limit, "API requests allowed per window; 0 disables the limit")
      ->capture_default_str();
  app.add_option("--rate-window-seconds", faults.rate_window_seconds, "Length of the sliding rate-limit window, in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--error-rate", faults.error_rate, "Share of API requests answered 500, 502 or 503 (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--reset-rate", faults.reset_rate, "Share of API answers cut off after the headers (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--lost-reply-rate", faults.lost_reply_rate,
                 "Share of API requests applied and then answered 503, as a lost reply (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--lost-merge-replies", faults.lost_merge_replies,
                 "Answer 503 to the next N merges after applying them, as lost replies")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--latency-ms", faults.latency_ms, "Delay added to every API request, in milliseconds")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--merge-in-progress", flags.merge_in_progress_uids,
                 "Answer 409 merge_in_progress to merges that involve this contact uid (repeatable)");
  app.add_option("--merge-in-progress-rate", faults.merge_in_progress_rate,
                 "Share of valid merges answered 409 merge_in_progress (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--invalid-cursor-on-page", faults.invalid_cursor_on_page,
                 "Answer invalid_cursor to the Nth list request that carries a cursor; 0: never");
  app.add_option("--cursor-max-age", faults.cursor_max_age,
                 "Expire a cursor once this many newer cursors were issued; 0: never");
  app.add_option("--edit-after-requests", faults.edit_after_requests,
                 "After N API requests, bump updatedAt of --edit-uid as an edit by someone else; 0: never");
  app.add_option("--edit-uid", faults.edit_uid, "Contact edited by --edit-after-requests");
}

// Blocks SIGTERM and SIGINT in every thread, so that one thread can wait for
// them with sigwait() and stop the server outside a signal handler.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

void LogRequests(httplib::Server& server) {
  thread_local std::chrono::steady_clock::time_point started;
  server.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    started = std::chrono::steady_clock::now();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // The path is logged without its query string and never with headers, so
  // neither the token nor a cursor reaches the log.
  server.set_logger([](const httplib::Request& request, const httplib::Response& response) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    std::fprintf(stderr, "%s %s %d %lldms\n", request.method.c_str(), request.path.c_str(), response.status,
                 static_cast<long long>(elapsed.count()));
  });
}

int Run(const Flags& flags) {
  const char* token = std::getenv(flags.token_env.c_str());
  if (token == nullptr || *token == '\0') {
    std::fprintf(stderr, "error: environment variable %s is not set; export the token the clients will send\n",
                 flags.token_env.c_str());
    return 2;
  }

  FakePodium store;
  store.set_allow_cross_location_merge(flags.allow_cross_location_merge);
  if (!flags.data_path.empty()) {
    if (Status status = store.LoadJsonLines(flags.data_path); !status.ok()) {
      std::fprintf(stderr, "error: %s [%s]\n", status.message().c_str(), status.code().c_str());
      return 3;
    }
  }
  if (!flags.locations_path.empty()) {
    if (Status status = store.LoadLocations(flags.locations_path); !status.ok()) {
      std::fprintf(stderr, "error: %s [%s]\n", status.message().c_str(), status.code().c_str());
      return 3;
    }
  }

  FaultSettings faults = flags.faults;
  faults.merge_in_progress_uids.insert(flags.merge_in_progress_uids.begin(), flags.merge_in_progress_uids.end());
  ServerOptions options;
  options.token = token;
  options.merge_enabled = !flags.disable_merge;
  options.seed = flags.seed;
  FakeServer fake(std::move(store), std::move(faults), std::move(options));

  const sigset_t signals = BlockStopSignals();
  httplib::Server server;
  // stop() waits for connections that idle in keep-alive, so a short
  // timeout keeps SIGTERM prompt while a client keeps a connection open.
  server.set_keep_alive_timeout(1);
  fake.Register(server);
  if (!flags.quiet) LogRequests(server);

  int port = flags.port;
  if (port == 0) {
    port = server.bind_to_any_port("127.0.0.1");
  } else if (!server.bind_to_port("127.0.0.1", port)) {
    port = -1;
  }
  if (port <= 0) {
    std::fprintf(stderr, "error: cannot bind 127.0.0.1:%d; choose another --port or 0\n", flags.port);
    return 1;
  }
  std::cout << "listening on http://127.0.0.1:" << port << "/v4" << std::endl;
  std::fprintf(stderr, "podium-fake-server: serving contacts on 127.0.0.1:%d\n", port);

  std::atomic<bool> signalled{false};
  std::thread stopper([&server, &signalled, signals] {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    signalled = true;
    server.stop();
  });
  const bool served = server.listen_after_bind();
  if (!signalled) {
    // The server stopped on its own, so wake the thread that waits for a signal.
    pthread_kill(stopper.native_handle(), SIGTERM);
  }
  stopper.join();

  std::fprintf(stderr, "podium-fake-server: stopped\n");
  if (!flags.dump_path.empty()) {
    if (Status status = fake.Dump(flags.dump_path); !status.ok()) {
      std::fprintf(stderr, "error: %s [%s]\n", status.message().c_str(), status.code().c_str());
      return 3;
    }
  }
  return served ? 0 : 1;
}

}  // namespace
}  // namespace podium_dedup::fake_server

int main(int argc, char** argv) {
  CLI::App app{"podium-fake-server: a local fake of the Podium contacts API, bound to 127.0.0.1"};
  podium_dedup::fake_server::Flags flags;
  podium_dedup::fake_server::AddFlags(app, flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return podium_dedup::fake_server::Run(flags);
}
