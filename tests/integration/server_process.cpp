#include "integration/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

extern char** environ;

namespace duet::integration {
namespace {

#ifndef DUET_SCRIPTED_BIN
#error "DUET_SCRIPTED_BIN must name the duet_scripted binary"
#endif

constexpr std::string_view kListeningPrefix = "duet listening on http://";

int MillisecondsLeft(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// The child's environment: ours, minus anything that would feed duet's
// configuration from outside the test.
// Its ledger goes to `data_dir`, never the developer's own.
std::vector<std::string> ChildEnvironment(const std::string& data_dir) {
  std::vector<std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr;
       ++entry) {
    const std::string_view text(*entry);
    if (text.substr(0, 5) == "DUET_" ||
        text.substr(0, 16) == "XDG_CONFIG_HOME=" ||
        text.substr(0, 14) == "XDG_DATA_HOME=") {
      continue;
    }
    out.emplace_back(text);
  }
  out.emplace_back("XDG_CONFIG_HOME=/nonexistent/duet-integration-tests");
  out.emplace_back("XDG_DATA_HOME=" + data_dir);
  return out;
}

std::vector<char*> PointerArray(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& text : strings) {
    pointers.push_back(text.data());
  }
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

ServerProcess::~ServerProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
  }
  if (!stderr_path_.empty()) {
    ::unlink(stderr_path_.c_str());
  }
  if (!data_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
  }
}

void ServerProcess::Fail(const std::string& reason) {
  error_ = reason;
  const std::string err = Stderr();
  if (!err.empty()) {
    error_ += "\n--- server stderr ---\n" + err;
  }
}

bool ServerProcess::Spawn(const std::vector<std::string>& args) {
  if (pid_ > 0) {
    Fail("Spawn called twice");
    return false;
  }
  std::string stderr_template = "/tmp/duet-integration-stderr-XXXXXX";
  const int stderr_fd = ::mkostemp(stderr_template.data(), O_CLOEXEC);
  if (stderr_fd < 0) {
    Fail(std::string("mkostemp: ") + std::strerror(errno));
    return false;
  }
  stderr_path_ = stderr_template;
  std::string data_template = "/tmp/duet-integration-data-XXXXXX";
  if (::mkdtemp(data_template.data()) == nullptr) {
    ::close(stderr_fd);
    Fail(std::string("mkdtemp: ") + std::strerror(errno));
    return false;
  }
  data_dir_ = data_template;
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(stderr_fd);
    Fail(std::string("pipe2: ") + std::strerror(errno));
    return false;
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls are allowed.
  std::vector<std::string> argv_strings;
  argv_strings.emplace_back(DUET_SCRIPTED_BIN);
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = ChildEnvironment(data_dir_);
  std::vector<char*> argv = PointerArray(argv_strings);
  std::vector<char*> envp = PointerArray(env_strings);
  const pid_t parent = ::getpid();

  const pid_t child = ::fork();
  if (child < 0) {
    ::close(stderr_fd);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    if (null_fd >= 0) {
      ::close(null_fd);
    }
    Fail(std::string("fork: ") + std::strerror(errno));
    return false;
  }
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(127);  // the test process is already gone
    }
    if (null_fd >= 0) {
      ::dup2(null_fd, STDIN_FILENO);
    }
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(stderr_fd, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    static constexpr char kExecFailed[] = "exec of duet_scripted failed\n";
    [[maybe_unused]] const ssize_t ignored =
        ::write(STDERR_FILENO, kExecFailed, sizeof(kExecFailed) - 1);
    ::_exit(127);
  }
  pid_ = child;
  ::close(out_pipe[1]);
  ::close(stderr_fd);
  if (null_fd >= 0) {
    ::close(null_fd);
  }
  stdout_fd_ = out_pipe[0];
  return true;
}

bool ServerProcess::Start(const std::vector<std::string>& extra_args,
                          std::chrono::milliseconds timeout) {
  std::vector<std::string> args = {"serve", "--port", "0", "--log-level",
                                   "warn"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  if (!Spawn(args)) {
    return false;
  }
  return WaitForListening(timeout);
}

bool ServerProcess::WaitForListening(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string line;
  while (line.find('\n') == std::string::npos) {
    pollfd entry{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&entry, 1, MillisecondsLeft(deadline));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      Fail("duet_scripted did not print its listening line within " +
           std::to_string(timeout.count()) + " ms (stdout so far: '" + line +
           "')");
      return false;
    }
    char chunk[256];
    const ssize_t got = ::read(stdout_fd_, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      const std::optional<int> code = WaitForExit(std::chrono::seconds(5));
      Fail("duet_scripted closed stdout before listening (exit code " +
           (code ? std::to_string(*code) : std::string("unknown")) +
           ", stdout: '" + line + "')");
      return false;
    }
    line.append(chunk, static_cast<size_t>(got));
  }
  line.resize(line.find('\n'));
  const size_t prefix = line.find(kListeningPrefix);
  const size_t colon = line.rfind(':');
  if (prefix != 0 || colon == std::string::npos ||
      colon < kListeningPrefix.size()) {
    Fail("unexpected first stdout line: '" + line + "'");
    return false;
  }
  const int port = std::atoi(line.c_str() + colon + 1);
  if (port <= 0 || port > 65535) {
    Fail("no port in the listening line: '" + line + "'");
    return false;
  }
  port_ = static_cast<uint16_t>(port);
  return true;
}

bool ServerProcess::SendSignal(int signal_number) {
  if (!running()) {
    return false;
  }
  return ::kill(pid_, signal_number) == 0;
}

std::optional<int> ServerProcess::WaitForExit(
    std::chrono::milliseconds timeout) {
  if (exit_code_.has_value()) {
    return exit_code_;
  }
  if (pid_ <= 0) {
    return std::nullopt;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status)
                                     : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (done < 0 && errno != EINTR) {
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
    // No portable way to wait on a child with a timeout; a short poll keeps
    // the reaction time far below any timeout a test uses.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string ServerProcess::Stderr() const {
  if (stderr_path_.empty()) {
    return "";
  }
  std::ifstream file(stderr_path_, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace duet::integration
