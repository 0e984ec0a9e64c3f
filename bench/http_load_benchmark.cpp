// Gateway overhead over HTTP: requests per second and latency percentiles of
// duet serving each endpoint, next to GET /health (the HTTP layer alone) in
// the same run.
//
//   cmake --preset release && cmake --build --preset release
//   build/release/bench/duet_bench_http [--connections 32] [--seconds 5]
//                                       [--io-threads 1] [--server PATH]
//
// It starts duet_scripted (duet with the deterministic scripted backend,
// which answers at once) on a free port, drives it from closed-loop client
// threads, each with one kept-alive connection, and prints one row per
// scenario plus "ratio" lines: chat throughput over /health throughput, and
// the p50/p99 latency a chat request adds over /health. The answers come
// from the scripted backend, so the figures are the gateway's own cost:
// HTTP, adapter parse, routing, event rendering and framing.
//
// Client and server share the machine; on a 2-core box the load generator
// takes a core of its own, so absolute figures understate what duet does
// with the whole machine. The ratios are what to compare between runs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/typical_requests.h"

namespace duet::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  std::string server_path = DUET_BENCH_SERVER;
  int connections = 32;
  double seconds = 5;
  int io_threads = 1;
};

struct Scenario {
  std::string name;
  std::string request;  // the bytes on the wire
};

struct ScenarioResult {
  int64_t requests = 0;
  int64_t failures = 0;
  double seconds = 0;
  std::vector<double> latencies_us;  // sorted

  double PerSecond() const { return seconds > 0 ? requests / seconds : 0; }
  double Percentile(double p) const {
    if (latencies_us.empty()) {
      return 0;
    }
    const size_t at = std::min(
        latencies_us.size() - 1,
        static_cast<size_t>(p / 100.0 * static_cast<double>(latencies_us.size())));
    return latencies_us[at];
  }
};

std::string Post(const std::string& target, const std::string& body,
                 bool anthropic) {
  std::string request = "POST " + target +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\n";
  if (anthropic) {
    request += "anthropic-version: 2023-06-01\r\n";
  }
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  return request + body;
}

// A child duet_scripted on a free port.
class Server {
 public:
  bool Start(const Settings& settings) {
    int out[2];
    if (::pipe(out) != 0) {
      return false;
    }
    const std::string threads =
        "server.io_threads=" + std::to_string(settings.io_threads);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      ::execl(settings.server_path.c_str(), settings.server_path.c_str(),
              "serve", "--port", "0", "--log-level", "warn", "--set",
              threads.c_str(), static_cast<char*>(nullptr));
      std::perror("exec");
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c = 0;
    while (::read(out[0], &c, 1) == 1 && c != '\n') {
      line.push_back(c);
    }
    ::close(out[0]);
    const size_t colon = line.rfind(':');
    if (line.find("listening") == std::string::npos ||
        colon == std::string::npos) {
      std::fprintf(stderr, "server did not start: '%s'\n", line.c_str());
      return false;
    }
    port_ = static_cast<uint16_t>(std::atoi(line.c_str() + colon + 1));
    return port_ != 0;
  }

  ~Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// Reads one whole response (Content-Length or chunked) into `buffer`.
// Returns the status code, or 0 when the connection failed.
int ReadResponse(int fd, std::string& buffer) {
  buffer.clear();
  size_t header_end = std::string::npos;
  std::optional<size_t> total;
  bool chunked = false;
  char chunk[64 * 1024];
  for (;;) {
    if (header_end == std::string::npos) {
      header_end = buffer.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const std::string head = buffer.substr(0, header_end);
        chunked = head.find("Transfer-Encoding: chunked") != std::string::npos;
        const size_t length = head.find("Content-Length: ");
        if (length != std::string::npos) {
          total = header_end + 4 +
                  std::strtoull(head.c_str() + length + 16, nullptr, 10);
        }
      }
    }
    if (header_end != std::string::npos) {
      const bool done =
          (total && buffer.size() >= *total) ||
          (chunked && buffer.size() >= 5 &&
           buffer.compare(buffer.size() - 5, 5, "0\r\n\r\n") == 0);
      if (done) {
        return std::atoi(buffer.c_str() + 9);  // "HTTP/1.1 200"
      }
    }
    const ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
    if (got <= 0) {
      return 0;
    }
    buffer.append(chunk, static_cast<size_t>(got));
  }
}

ScenarioResult Run(const Scenario& scenario, uint16_t port,
                   const Settings& settings) {
  std::atomic<bool> measuring{false};
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(settings.connections);
  std::vector<int64_t> failures(settings.connections, 0);
  std::vector<std::thread> clients;
  for (int i = 0; i < settings.connections; ++i) {
    clients.emplace_back([&, i] {
      int fd = Connect(port);
      std::string buffer;
      while (!stop.load(std::memory_order_relaxed)) {
        if (fd < 0) {
          ++failures[i];
          fd = Connect(port);
          continue;
        }
        const auto start = Clock::now();
        const ssize_t sent = ::send(fd, scenario.request.data(),
                                    scenario.request.size(), MSG_NOSIGNAL);
        const int status = sent == static_cast<ssize_t>(scenario.request.size())
                               ? ReadResponse(fd, buffer)
                               : 0;
        const auto end = Clock::now();
        if (!measuring.load(std::memory_order_relaxed)) {
          continue;
        }
        if (status != 200) {
          ++failures[i];
          ::close(fd);
          fd = Connect(port);
          continue;
        }
        latencies[i].push_back(
            std::chrono::duration<double, std::micro>(end - start).count());
      }
      if (fd >= 0) {
        ::close(fd);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // warm-up
  const auto start = Clock::now();
  measuring = true;
  std::this_thread::sleep_for(
      std::chrono::duration<double>(settings.seconds));
  measuring = false;
  const auto end = Clock::now();
  stop = true;
  for (std::thread& client : clients) {
    client.join();
  }
  ScenarioResult result;
  result.seconds = std::chrono::duration<double>(end - start).count();
  for (int i = 0; i < settings.connections; ++i) {
    result.latencies_us.insert(result.latencies_us.end(),
                               latencies[i].begin(), latencies[i].end());
    result.failures += failures[i];
  }
  result.requests = static_cast<int64_t>(result.latencies_us.size());
  std::sort(result.latencies_us.begin(), result.latencies_us.end());
  return result;
}

bool ParseArgs(int argc, char** argv, Settings* settings) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--connections") {
      settings->connections = std::max(1, std::atoi(value));
    } else if (flag == "--seconds") {
      settings->seconds = std::max(0.5, std::atof(value));
    } else if (flag == "--io-threads") {
      settings->io_threads = std::max(1, std::atoi(value));
    } else if (flag == "--server") {
      settings->server_path = value;
    } else {
      return false;
    }
  }
  return argc % 2 == 1;
}

}  // namespace
}  // namespace duet::bench

int main(int argc, char** argv) {
  using namespace duet::bench;
  Settings settings;
  if (!ParseArgs(argc, argv, &settings)) {
    std::fprintf(stderr,
                 "usage: %s [--connections N] [--seconds S] [--io-threads N] "
                 "[--server PATH]\n",
                 argv[0]);
    return 2;
  }
  Server server;
  if (!server.Start(settings)) {
    return 1;
  }
  const std::vector<Scenario> scenarios = {
      {"health", "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"},
      {"anthropic", Post("/v1/messages",
                         TypicalAnthropicBody("scripted-1", false), true)},
      {"anthropic_stream",
       Post("/v1/messages", TypicalAnthropicBody("scripted-1", true), true)},
      {"openai", Post("/v1/chat/completions",
                      TypicalOpenAIBody("scripted-1", false), false)},
      {"openai_stream", Post("/v1/chat/completions",
                             TypicalOpenAIBody("scripted-1", true), false)},
  };
  std::printf("duet_scripted, %d io thread(s), %d connections, %.1f s each\n",
              settings.io_threads, settings.connections, settings.seconds);
  std::printf("%-18s %10s %10s %10s %10s %10s %8s\n", "scenario", "requests",
              "req/s", "p50 us", "p99 us", "p99.9 us", "failed");
  std::map<std::string, ScenarioResult> results;
  for (const Scenario& scenario : scenarios) {
    ScenarioResult result = Run(scenario, server.port(), settings);
    std::printf("%-18s %10lld %10.0f %10.0f %10.0f %10.0f %8lld\n",
                scenario.name.c_str(), static_cast<long long>(result.requests),
                result.PerSecond(), result.Percentile(50),
                result.Percentile(99), result.Percentile(99.9),
                static_cast<long long>(result.failures));
    std::fflush(stdout);
    results[scenario.name] = std::move(result);
  }
  const ScenarioResult& floor = results["health"];
  for (const Scenario& scenario : scenarios) {
    if (scenario.name == "health") {
      continue;
    }
    const ScenarioResult& result = results[scenario.name];
    std::printf(
        "ratio %s / health req/s = %.2f; added latency p50 %+.0f us, p99 "
        "%+.0f us\n",
        scenario.name.c_str(), result.PerSecond() / floor.PerSecond(),
        result.Percentile(50) - floor.Percentile(50),
        result.Percentile(99) - floor.Percentile(99));
  }
  int64_t failures = 0;
  for (const auto& [name, result] : results) {
    failures += result.failures;
  }
  return failures == 0 ? 0 : 1;
}
