#include "app/demo_command.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <ostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/http/server.h"
#include "app/demo_client.h"
#include "app/demo_model.h"
#include "app/demo_workload.h"
#include "app/gateway.h"
#include "app/report_command.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "ledger/ledger_store.h"
#include "sim/claude_simulator.h"

namespace duet {
namespace {

// The Claude simulator, in this process, on a port that stays the same
// across a stop and a restart (the outage).
class SimulatedClaude {
 public:
  SimulatedClaude() : simulator_(sim::ClaudeSimulator::Options(), &clock_) {}

  Result<uint16_t> Start(uint16_t port) {
    api::http::HttpServer::Options options;
    options.port = port;
    options.io_threads = 1;
    options.handle_signals = false;
    options.server_header = "duet-sim";
    server_ = std::make_unique<api::http::HttpServer>(options, &simulator_);
    DUET_ASSIGN_OR_RETURN(port_, server_->Start());
    return port_;
  }
  void Stop() { server_.reset(); }  // shuts down and waits
  uint16_t port() const { return port_; }
  sim::ClaudeSimulator& simulator() { return simulator_; }

 private:
  SystemClock clock_;
  sim::ClaudeSimulator simulator_;
  std::unique_ptr<api::http::HttpServer> server_;
  uint16_t port_ = 0;
};

std::string RequestBody(const DemoRequest& request) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Field("model", "auto");
  w.Field("max_tokens", request.max_tokens);
  w.Key("messages");
  w.BeginArray();
  w.BeginObject();
  w.Field("role", "user");
  w.Field("content", request.prompt);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return body;
}

std::string Header(const DemoReply& reply, std::string_view name) {
  return std::string(reply.head.Header(name));
}

// A temporary folder for the demo's ledger and generated model.
Result<std::string> MakeDemoFolder() {
  std::error_code error;
  const std::filesystem::path base = std::filesystem::temp_directory_path(error);
  std::string pattern = ((error ? std::filesystem::path("/tmp") : base) / "duet-demo-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Error(Internal("cannot create a folder for the demo under " + base.string()));
  }
  return pattern;
}

// The model that answered, from the answer's JSON (both APIs name it at
// the top level); "" when the body is not such an answer.
std::string ModelOf(const std::string& body) {
  const nlohmann::json answer = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return answer.is_object() && answer.contains("model") && answer["model"].is_string()
             ? answer["model"].get<std::string>()
             : "";
}

// What the gateway decided for one request, as one display line.
std::string DecisionLine(const DemoReply& reply) {
  if (reply.status != 200) {
    return fmt::format("error {} {}", reply.status, reply.body.substr(0, 80));
  }
  std::string line = fmt::format("{:<5}  {:<18} {:<21} {:>5.1f} s", Header(reply, "x-duet-side"),
                                 ModelOf(reply.body), Header(reply, "x-duet-rule"),
                                 reply.seconds);
  if (!Header(reply, "x-duet-fallback").empty()) {
    line += "  fallback: " + Header(reply, "x-duet-fallback").substr(0, 70);
  }
  const std::string escalation = Header(reply, "x-duet-escalation");
  if (!escalation.empty() && escalation != "passed") {
    line += "  escalated: " + escalation;
  }
  if (Header(reply, "x-duet-sensitive") == "yes") {
    line += "  sensitive: never leaves this machine";
  }
  return line;
}

// Waits until the ledger holds `rows` rows (the writer commits every
// flush interval), at most a few seconds.
void WaitForLedger(const std::string& path, int64_t rows) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    Result<LedgerStore> store = LedgerStore::Open(path, {.read_only = true});
    int64_t found = 0;
    if (store && store->ForEach(0, INT64_MAX, [&found](const LedgerEntry&) { ++found; }).ok() &&
        found >= rows) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void PrintConnectInstructions(const std::string& url, std::ostream& out) {
  out << "\n== duet is serving at " << url << " (Ctrl-C stops it)\n"
      << "  OpenAI SDK:     OPENAI_BASE_URL=" << url << "/v1 OPENAI_API_KEY=any\n"
      << "  Anthropic SDK:  ANTHROPIC_BASE_URL=" << url << " ANTHROPIC_API_KEY=any\n"
      << "  Claude Code:    ANTHROPIC_BASE_URL=" << url
      << " ANTHROPIC_API_KEY=any CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 claude\n"
      << "  curl:           curl " << url
      << "/v1/messages -H 'content-type: application/json' -d '{\"model\":\"auto\","
         "\"max_tokens\":200,\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}' -i\n"
      << "  model \"auto\" lets duet decide; the x-duet-* response headers say why.\n"
      << std::flush;
}

}  // namespace

int RunDemo(Config config, const DemoOptions& options, std::ostream& out) {
  Result<std::string> folder = MakeDemoFolder();
  if (!folder) {
    spdlog::error("{}", folder.error().message());
    return 1;
  }
  config.ledger.enabled = true;
  config.ledger.path = *folder + "/ledger.db";
  config.ledger.flush_interval_ms = 50;
  out << "duet demo: a local model and Claude behind one gateway, decided per request.\n\n";

  // The local side.
  Result<DemoModel> model = ChooseDemoModel(config, *folder);
  if (!model) {
    spdlog::error("{}", model.error().message());
    return 1;
  }
  config.models = {model->config};
  out << "  local model: " << model->description << "\n";

  // Claude: the real API when a key is set, else the simulator.
  const char* key = std::getenv(config.anthropic.api_key_env.c_str());
  const bool real_claude = (key != nullptr && *key != '\0') || !config.anthropic.api_key.empty();
  std::unique_ptr<SimulatedClaude> simulated;
  if (real_claude) {
    out << "  Claude: the real Anthropic API (" << config.anthropic.api_key_env
        << " is set); the workload costs a few cents at list prices\n";
  } else {
    simulated = std::make_unique<SimulatedClaude>();
    Result<uint16_t> port = simulated->Start(0);
    if (!port) {
      spdlog::error("cannot start the Claude simulator: {}", port.error().message());
      return 1;
    }
    config.anthropic.base_url = fmt::format("http://127.0.0.1:{}", *port);
    config.anthropic.api_key = "sk-ant-duet-demo-simulator";
    out << "  Claude: SIMULATED (no " << config.anthropic.api_key_env
        << " set): cloud answers come from duet's built-in Claude simulator, priced as "
           "Claude would bill them\n";
  }
  out << "  ledger: " << config.ledger.path << "\n";

  // The gateway: the configured port, or any free one when it is taken.
  Result<std::unique_ptr<Gateway>> gateway = Gateway::Create(config, {}, Gateway::Options());
  if (!gateway) {
    spdlog::error("{}", gateway.error().message());
    return 1;
  }
  Result<uint16_t> port = (*gateway)->Start();
  if (!port) {
    config.server.port = 0;
    gateway = Gateway::Create(config, {}, Gateway::Options());
    port = gateway ? (*gateway)->Start() : Result<uint16_t>(Error(gateway.error()));
  }
  if (!port) {
    spdlog::error("{}", port.error().message());
    return 1;
  }
  const std::string url = fmt::format("http://127.0.0.1:{}", *port);
  out << "  gateway: " << url << "\n";

  Result<std::unique_ptr<DemoClient>> client = DemoClient::Create(url);
  if (!client) {
    spdlog::error("{}", client.error().message());
    return 1;
  }
  const std::vector<DemoRequest> workload = DemoWorkload(simulated != nullptr);
  if (!simulated) {
    out << "  (the rate-limit burst and the outage are staged with the simulator only)\n";
  }
  std::map<std::string, int> rules;
  DemoRequest::Phase phase = DemoRequest::Phase::kTasks;
  // How long the burst's last 429 keeps Claude off limits.
  constexpr std::chrono::seconds kRateLimitedFor{8};
  std::chrono::steady_clock::time_point burst_answered;
  out << "\n== " << workload.size() << " requests through " << url << "\n";
  for (size_t i = 0; i < workload.size(); ++i) {
    const DemoRequest& request = workload[i];
    if (i == 0 || request.phase != phase) {
      phase = request.phase;
      out << "-- " << DemoPhaseName(phase) << "\n";
      if (simulated && phase == DemoRequest::Phase::kBurst) {
        // Claude answers every attempt of the burst's first request with
        // 429: duet retries after the short retry-afters, then answers
        // locally; the last 429 asks for kRateLimitedFor, during which the
        // next requests are not sent to Claude at all.
        sim::SimTurn limited;
        limited.fault = sim::Fault::kRateLimit;
        limited.retry_after_ms = 300;
        std::vector<sim::SimTurn> turns(static_cast<size_t>(config.anthropic.max_retries), limited);
        limited.retry_after_ms.reset();
        limited.retry_after_seconds = static_cast<double>(kRateLimitedFor.count());
        turns.push_back(limited);
        simulated->simulator().EnqueueTurns(std::move(turns));
      }
      if (simulated && phase == DemoRequest::Phase::kOutage) {
        // The rate limit runs out first, so what follows is the outage.
        std::this_thread::sleep_until(burst_answered + kRateLimitedFor +
                                      std::chrono::milliseconds(200));
        simulated->Stop();  // Claude is unreachable: connection refused
      }
    }
    out << fmt::format("  [{:>2}/{}] {:<28} ", i + 1, workload.size(),
                       request.label + (request.openai ? " (openai)" : ""))
        << std::flush;
    Result<DemoReply> reply = (*client)->Post(
        request.openai ? "/v1/chat/completions" : "/v1/messages", RequestBody(request));
    if (!reply) {
      out << "failed: " << reply.error().message() << "\n";
      continue;
    }
    if (request.phase == DemoRequest::Phase::kBurst &&
        burst_answered == std::chrono::steady_clock::time_point()) {
      burst_answered = std::chrono::steady_clock::now();
    }
    ++rules[Header(*reply, "x-duet-rule").empty() ? "(none)" : Header(*reply, "x-duet-rule")];
    out << DecisionLine(*reply) << "\n";
  }
  if (simulated && phase == DemoRequest::Phase::kOutage) {
    Result<uint16_t> back = simulated->Start(simulated->port());  // Claude is back
    if (!back) {
      out << "  (the simulator could not restart: " << back.error().message() << ")\n";
    }
  }

  out << "\n== Rules that fired\n";
  for (const auto& [rule, count] : rules) {
    out << fmt::format("  {:>3}  {}\n", count, rule);
  }
  out << "  (docs/routing.md explains each rule)\n";

  WaitForLedger(config.ledger.path, static_cast<int64_t>(workload.size()));
  ReportCommandOptions report;
  report.ledger_path = config.ledger.path;
  out << "\n";
  RunReportCommand(
      config, report, SystemClock(),
      [](const char* name) -> const char* { return std::getenv(name); }, out, out);

  PrintConnectInstructions(url, out);
  if (options.exit_after_report) {
    (*gateway)->Shutdown();
  }
  (*gateway)->Wait();
  gateway->reset();
  if (!options.keep_ledger) {
    std::error_code ignored;
    std::filesystem::remove_all(*folder, ignored);
  } else {
    out << "the demo's ledger stays in " << *folder << "\n";
  }
  return 0;
}

}  // namespace duet
