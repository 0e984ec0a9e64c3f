// `duet pull SOURCE [--out DIR] [--sha256 HEX]`: downloads a GGUF model
// (src/model_files/model_download.h; docs/models.md).
//
//   duet pull ORG/NAME/FILE.gguf[@REVISION]   from Hugging Face ($HF_ENDPOINT,
//                                             $HF_TOKEN) into its cache
//   duet pull https://host/path/model.gguf    from any URL, into the
//                                             current folder
//   ... --out DIR                             into DIR as a plain file
//   ... --sha256 HEX                          the checksum it must have
//
// Progress goes to stderr: a bar redrawn in place on a terminal, a plain
// line every few seconds otherwise. Ctrl-C stops the download and keeps the
// partial file; running the same command again resumes it. The result
// (path, size, checksum and what it was verified against, the model's
// metadata) goes to stdout.
//
// Thread safety: call from main only (it installs a SIGINT handler for
// the download's duration).
#pragma once

#include <iosfwd>
#include <string>

#include "core/config.h"

namespace CLI {
class App;
}  // namespace CLI

namespace duet {

struct PullCommandOptions {
  std::string source;
  std::string out_dir;
  std::string sha256;
};

// Adds SOURCE, --out and --sha256 to `command`, writing into `options`
// (which must outlive parsing).
void AddPullOptions(CLI::App* command, PullCommandOptions* options);

// Runs the pull with the environment read through `getenv` (HF_ENDPOINT,
// HF_TOKEN, HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME, HOME, proxies).
// Returns 0 when the file is in place (downloaded or already there), 1 when
// the download failed, 2 for a bad SOURCE or checksum, 130 when
// interrupted.
int RunPullCommand(const PullCommandOptions& options, const EnvLookup& getenv,
                   std::ostream& out, std::ostream& err);

}  // namespace duet
