// ServerProcess: runs the duet_scripted binary as a child process for
// integration tests.
//
// Start() forks and execs `duet_scripted serve --port 0 --log-level warn
// <extra args>` and waits (poll() with a deadline) for its single stdout line
// `duet listening on http://127.0.0.1:<port>`. The child gets a clean
// environment for configuration: DUET_* variables are dropped and
// XDG_CONFIG_HOME points at a directory that does not exist, so neither the
// developer's shell nor ~/.config/duet/duet.toml can change what a test sees.
// XDG_DATA_HOME points at a fresh temporary folder (removed by the
// destructor), so the child's ledger is its own: LedgerPath().
// The child's stderr goes to a temporary file, readable at any time through
// Stderr() for diagnostics.
//
// The destructor kills (SIGKILL) and reaps a child that is still running, so
// a failing test never leaves a server behind; the child also gets SIGKILL
// if the test process dies first (PR_SET_PDEATHSIG).
//
// Thread safety: none; use one ServerProcess from one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace duet::integration {

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Spawns the binary with `serve --port 0 --log-level warn` followed by
  // `extra_args` and waits up to `timeout` for the listening line. Returns
  // false when the child could not be started, exited, or did not announce
  // itself in time; error() then says why and includes its stderr.
  bool Start(const std::vector<std::string>& extra_args,
             std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Spawns the binary with exactly `args` (after argv[0]) and returns at
  // once, without waiting for anything. Returns false (see error()) when fork
  // or the temporary files fail. REQUIRES: nothing spawned yet.
  bool Spawn(const std::vector<std::string>& args);

  // The port from the listening line; 0 before Start() succeeded.
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !exit_code_.has_value(); }

  // Sends `signal_number` to the child. False when it is not running.
  bool SendSignal(int signal_number);

  // Waits up to `timeout` for the child to exit and reaps it. Returns its
  // exit code (128 + N when killed by signal N), or nullopt on timeout.
  // Calling it again after the exit returns the same code.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);

  // Where the child's ledger is (unless its config names another path).
  std::string LedgerPath() const { return data_dir_ + "/duet/ledger.db"; }

  // Everything the child wrote to stderr so far.
  std::string Stderr() const;

  // Why Start() or Spawn() failed.
  const std::string& error() const { return error_; }

 private:
  bool WaitForListening(std::chrono::milliseconds timeout);
  void Fail(const std::string& reason);

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stderr_path_;
  std::string data_dir_;  // XDG_DATA_HOME of the child
  std::optional<int> exit_code_;
  uint16_t port_ = 0;
  std::string error_;
};

}  // namespace duet::integration
