// Sensitive-data scan throughput: SensitiveScanner::Scan over realistic
// mixed request text (prose in four languages, C++ and Python, JSON, logs,
// Chinese and Japanese), clean and with a few findings, and over a coding
// agent's conversation (prose with inline code, files with line numbers),
// at 1 KB, 4 KB, 64 KB and 1 MB. The router scans every text part of every
// request, so this is per-request cost. BM_ScanRemembered measures the same
// texts scanned again, which the scanner remembers as clean.
//
//   cmake --preset release -B build/release-sens
//   cmake --build build/release-sens --target duet_bench_sensitive_scan
//   build/release-sens/bench/duet_bench_sensitive_scan
//
// Google Benchmark reports bytes_per_second as MB/s ("M/s" = MiB/s). Before
// the table it prints how many findings the clean texts have (it should be
// none: each one there is a false positive).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "route/sensitive/sensitive_scanner.h"

namespace duet {
namespace {

constexpr std::string_view kSnippets[] = {
    // English prose.
    "Thanks for the quick turnaround on the migration plan. I read through "
    "the draft twice and I think the rollout order makes sense, but we should "
    "move the cache warm-up before the traffic switch. Last time we skipped "
    "it, p99 latency went from 180 ms to 2.4 s for about ten minutes. Can you "
    "also add a short section on how we roll back if the new index is slow?\n",
    // German and French prose.
    "Vielen Dank für die schnelle Rückmeldung. Wir haben das Angebot geprüft "
    "und würden gerne mit der zweiten Variante weitermachen. Können Sie uns "
    "bis Freitag einen aktualisierten Zeitplan schicken?\n"
    "Merci pour votre message. Nous avons bien reçu les documents et nous "
    "reviendrons vers vous la semaine prochaine avec nos commentaires.\n",
    // C++.
    "template <typename T>\nResult<T> ParseField(const Json& json, "
    "std::string_view name) {\n  auto it = json.find(name);\n  if (it == "
    "json.end()) {\n    return Error(InvalidArgument(std::string(name) + \": "
    "Field required\"));\n  }\n  for (size_t i = 0; i < 16; ++i) {\n    "
    "buffer[i] = static_cast<uint8_t>(i * 31 + 7);\n  }\n  return "
    "it->get<T>();\n}\n",
    // Python.
    "def retry(fn, attempts=3, backoff=0.25):\n    for attempt in "
    "range(attempts):\n        try:\n            return fn()\n        except "
    "TimeoutError as error:\n            log.warning(\"attempt %d failed: "
    "%s\", "
    "attempt + 1, error)\n            time.sleep(backoff * 2 ** attempt)\n    "
    "raise RuntimeError(\"gave up after %d attempts\" % attempts)\n",
    // JSON.
    "{\"model\": \"claude-sonnet-4-5\", \"max_tokens\": 1024, \"temperature\": "
    "0.7, \"messages\": [{\"role\": \"user\", \"content\": \"Summarise the "
    "attached report in 5 bullet points.\"}], \"metadata\": {\"request_id\": "
    "\"req_01HQ3K8Z2V\", \"version\": \"2.14.3\", \"retries\": 0}}\n",
    // Logs.
    "2024-03-15T10:30:00.123Z INFO  worker-7 batch=1842 rows=65536 took=12.5ms "
    "status=ok\n2024-03-15T10:30:01.004Z WARN  http  GET /v1/items?page=3 "
    "-> 503 in 2041ms (upstream 10.0.4.17:8080, attempt 2/3)\n"
    "2024-03-15T10:30:02.881Z ERROR db    pool exhausted: 64/64 connections "
    "busy, waited 5000 ms\n",
    // Chinese and Japanese.
    "我们已经完成了第一阶段的测试，性能提升了大约百分之三十。下一步需要优化内存"
    "使用，"
    "并在下周三之前提交报告。\n来週の会議では、新しいデザイン案について議論しま"
    "す。"
    "資料は前日までに共有してください。\n",
    // Markdown with numbers and versions.
    "## Release 3.2.0\n\n- Faster startup (1.8 s -> 0.6 s)\n- Fixed #4821: "
    "crash when the config has 0 models\n- Upgraded llama.cpp to b4521 and "
    "OpenSSL to 3.0.13\n\n| size | p50 | p99 |\n|---:|---:|---:|\n| 1 KB | "
    "0.4 ms | 1.1 ms |\n| 64 KB | 3.2 ms | 7.9 ms |\n",
};

// Sensitive items spread through the "with findings" texts.
constexpr std::string_view kSecrets[] = {
    " Contact jana.novak@gmail.com about it. ",
    " Card on file: 4532 0151 1283 0366. ",
    " aws_access_key_id = AKIAHBRPOIGF3CBFNOBM\n",
    " Call +44 20 7946 0958 tomorrow. ",
};

std::string MixedText(size_t size) {
  std::string text;
  for (size_t i = 0; text.size() < size; ++i) {
    text += kSnippets[(i * 5) % std::size(kSnippets)];
  }
  text.resize(size);
  return text;
}

std::string WithFindings(size_t size) {
  std::string text = MixedText(size);
  const double positions[] = {0.2, 0.4, 0.6, 0.9};
  for (size_t i = 0; i < std::size(kSecrets); ++i) {
    size_t at = static_cast<size_t>(positions[i] * static_cast<double>(size));
    while (at > 0 && text[at - 1] != '\n' && text[at - 1] != ' ') {
      --at;
    }
    text.replace(at, kSecrets[i].size(), kSecrets[i]);
  }
  return text;
}

// A coding session as an agent sends it: turns of prose with inline code
// (the conversation bench/gateway_instructions.sh BODY=long sends), and
// files read back with a line number before every line, as Claude Code's
// Read tool returns them.
std::string ConversationText(size_t size) {
  std::string text;
  for (int turn = 0; text.size() < size; ++turn) {
    if (turn % 3 == 2) {
      for (int line = 1; line <= 40; ++line) {
        const std::string_view code = kSnippets[2].substr(
            static_cast<size_t>(line % 5) * 24, 40);
        text += std::string(6 - std::to_string(line).size(), ' ') +
                std::to_string(line) + "\t" + std::string(code) + "\n";
      }
      continue;
    }
    for (size_t start = text.size(); text.size() - start < 2500;) {
      text += "Line " + std::to_string(text.size() - start) + " of turn " +
              std::to_string(turn) +
              ": \"quoted\" code `total += item.price * item.count;` and "
              "prose.\n";
    }
  }
  text.resize(size);
  return text;
}

// Remembers no clean text, so every iteration scans.
const SensitiveScanner& Scanner() {
  static const SensitiveScanner scanner = [] {
    SensitiveScannerOptions options;
    options.remembered_clean_texts = 0;
    return *SensitiveScanner::Create(options);
  }();
  return scanner;
}

enum class TextKind { kClean, kWithFindings, kConversation };

void BM_Scan(benchmark::State& state, TextKind kind) {
  const size_t size = static_cast<size_t>(state.range(0));
  const std::string text = kind == TextKind::kClean        ? MixedText(size)
                           : kind == TextKind::kWithFindings ? WithFindings(size)
                                                            : ConversationText(size);
  std::vector<SensitiveFinding> out;
  for (auto _ : state) {
    out.clear();
    Scanner().Scan(text, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["findings"] = static_cast<double>(out.size());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(size));
}

// The cost of a user's configuration: five words and two RE2 patterns.
void BM_ScanWithUserRules(benchmark::State& state) {
  SensitiveScannerOptions options;
  options.words = {"Project Falcon", "Globex", "Initech", "灰狐", "Hooli"};
  options.patterns = {R"(ACME-\d{6})", R"(\bCASE-[A-Z]{2}\d{4}\b)"};
  options.remembered_clean_texts = 0;
  const SensitiveScanner scanner = *SensitiveScanner::Create(options);
  const size_t size = static_cast<size_t>(state.range(0));
  const std::string text = MixedText(size);
  std::vector<SensitiveFinding> out;
  for (auto _ : state) {
    out.clear();
    scanner.Scan(text, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(size));
}

// A conversation's earlier turns, sent again with the next one: the
// scanner remembers them as clean, so a repeat costs their SHA-256 and one
// lookup (the text is split in 8 KB turns, as a conversation's are).
void BM_ScanRemembered(benchmark::State& state) {
  const SensitiveScanner scanner = *SensitiveScanner::Create({});
  const size_t size = static_cast<size_t>(state.range(0));
  const std::string text = ConversationText(size);
  std::vector<std::string_view> turns;
  for (size_t at = 0; at < size; at += 8192) {
    turns.push_back(std::string_view(text).substr(at, 8192));
  }
  std::vector<SensitiveFinding> out;
  for (std::string_view turn : turns) {
    scanner.Scan(turn, &out);
  }
  for (auto _ : state) {
    out.clear();
    for (std::string_view turn : turns) {
      scanner.Scan(turn, &out);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(size));
}

void Sizes(benchmark::internal::Benchmark* b) {
  for (int64_t size : {1 << 10, 4 << 10, 64 << 10, 1 << 20}) {
    b->Arg(size);
  }
}

BENCHMARK_CAPTURE(BM_Scan, clean, TextKind::kClean)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Scan, with_findings, TextKind::kWithFindings)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Scan, conversation, TextKind::kConversation)->Apply(Sizes);
BENCHMARK(BM_ScanWithUserRules)->Arg(64 << 10);
BENCHMARK(BM_ScanRemembered)->Arg(64 << 10)->Arg(1 << 20);

void PrintCleanFindings() {
  const std::pair<const char*, std::string> texts[] = {
      {"clean", MixedText(1 << 20)}, {"conversation", ConversationText(1 << 20)}};
  for (const auto& [name, text] : texts) {
    std::vector<SensitiveFinding> out;
    Scanner().Scan(text, &out);
    std::printf("findings in 1 MB of %s text: %zu\n", name, out.size());
    for (const SensitiveFinding& f : out) {
      std::printf("  %s %.*s\n", f.rule.c_str(), static_cast<int>(f.length),
                  text.data() + f.offset);
    }
  }
}

}  // namespace
}  // namespace duet

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  duet::PrintCleanFindings();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
