#include "app/pull_command.h"

#include <unistd.h>

#include <memory>
#include <ostream>
#include <utility>

#include <CLI/CLI.hpp>

#include "app/interrupt_relay.h"
#include "core/clock.h"
#include "model_files/gguf_info.h"
#include "model_files/model_download.h"
#include "model_files/progress_meter.h"
#include "net/asio_http_client.h"
#include "net/proxy.h"

namespace duet {
namespace {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kCancelled:
      return 130;  // as a shell reports a Ctrl-C
    default:
      return 1;
  }
}

// Prints what was pulled; returns the exit code: 1 when the file is GGUF
// but not a model duet can load (malformed, or shorter than its tensors:
// a server that ended the download early yet called it complete). The
// file is kept: a newer GGUF than this duet reads may be fine elsewhere.
int PrintResult(const model_files::PullResult& result, std::ostream& out,
                std::ostream& err) {
  const model_files::DownloadResult& download = result.download;
  if (result.already_present) {
    out << "Already present: " << result.path << "\n";
  } else {
    out << "Downloaded " << model_files::FormatBytes(download.size);
    if (download.resumed_from > 0) {
      out << " (resumed at " << model_files::FormatBytes(download.resumed_from) << ")";
    }
    out << ": " << result.path << "\n";
    out << "sha256 " << download.sha256;
    if (download.verified_against.empty()) {
      out << " (not verified: the server sent no SHA-256 and no --sha256 was given)\n";
    } else {
      out << " (verified against " << download.verified_against << ")\n";
    }
  }
  Result<model_files::GgufInfo> info = model_files::ReadGgufInfo(result.path);
  if (info) {
    out << model_files::DescribeGguf(*info) << "\n";
  } else if (info.error().code() == ErrorCode::kInvalidArgument) {
    err << "duet pull: " << result.path << " is not a model duet can load: "
        << info.error().message() << "\n";
    return 1;
  } else {
    out << "Metadata: " << info.error().message() << "\n";
  }
  out << "Chat with it: duet run " << (result.id.empty() ? result.path : result.id) << "\n";
  return 0;
}

}  // namespace

void AddPullOptions(CLI::App* command, PullCommandOptions* options) {
  command
      ->add_option("source", options->source,
                   "ORG/NAME/FILE.gguf[@REVISION] (a Hugging Face repo's file) or an "
                   "http(s) URL")
      ->required();
  command->add_option("--out", options->out_dir,
                      "save into this folder as a plain file (default: the Hugging Face "
                      "cache for ORG/NAME/FILE, the current folder for a URL)");
  command->add_option("--sha256", options->sha256,
                      "the file's SHA-256 (64 hex digits); a mismatch deletes the download");
}

int RunPullCommand(const PullCommandOptions& options, const EnvLookup& getenv,
                   std::ostream& out, std::ostream& err) {
  model_files::PullOptions pull;
  pull.source = options.source;
  pull.out_dir = options.out_dir;
  pull.sha256 = options.sha256;
  pull.getenv = getenv;
  if (const char* home = getenv("HOME"); home != nullptr) {
    pull.home = home;
  }
  Result<model_files::PullPlan> plan = model_files::PlanPull(pull);
  if (!plan) {
    err << "duet pull: " << plan.error().message() << "\n";
    return plan.error().code() == ErrorCode::kInvalidArgument ? 2 : 1;
  }

  net::AsioHttpClient::Options client_options;
  Result<net::ProxySettings> proxy = net::ProxySettings::FromEnvironment(getenv);
  if (!proxy) {
    err << "duet pull: " << proxy.error().message() << "\n";
    return 2;
  }
  client_options.proxy = std::move(*proxy);
  Result<std::unique_ptr<net::AsioHttpClient>> client =
      net::AsioHttpClient::Create(std::move(client_options));
  if (!client) {
    err << "duet pull: " << client.error().message() << "\n";
    return 1;
  }

  err << "Pulling " << model_files::UrlForDisplay(plan->source.url) << "\n";
  SystemClock clock;
  model_files::ProgressMeter::Options meter_options;
  meter_options.terminal = ::isatty(STDERR_FILENO) == 1;
  model_files::ProgressMeter meter(err, clock, meter_options);
  auto cancel = std::make_shared<CancelFlag>();
  Result<model_files::PullResult> result = [&] {
    InterruptRelay interrupt;  // Ctrl-C stops the download and keeps the part
    interrupt.Arm(cancel);
    return model_files::PullModel(
        **client, pull,
        [&](const model_files::DownloadProgress& progress) { meter.Update(progress); },
        cancel);
  }();
  meter.Finish();
  if (!result) {
    err << "duet pull: " << result.error().message() << "\n";
    return ExitCodeFor(result.error());
  }
  return PrintResult(*result, out, err);
}

}  // namespace duet
