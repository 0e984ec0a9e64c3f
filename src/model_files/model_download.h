// PullModel: `duet pull`'s work. Fetches one GGUF file from a Hugging Face
// repository or a URL (pull_source.h) with DownloadToPart (resume, redirects,
// SHA-256), checks that it is GGUF, and puts it where duet finds it:
//
//   repository form, no --out   the Hugging Face cache (hf_cache.h):
//                               blobs/<sha256> plus the snapshot symlink
//                               snapshots/<commit>/<file> and
//                               refs/<revision>, so `duet models` lists it
//                               as ORG/NAME/FILE and huggingface_hub sees it
//                               too. The partial file is
//                               blobs/<revision>--<file>.part.
//   --out DIR (or a URL)        DIR/<file name> as a plain file (a URL
//                               without --out: the current folder), the
//                               partial file beside it as <file name>.part.
//
// A file already in place (the snapshot refs/<revision> names, or the
// plain file) is not fetched again; with a checksum given it must match,
// else it is fetched anew. $HF_TOKEN, when set, is sent as a Bearer token
// to URLs under the Hugging Face endpoint only (never to a redirect's other
// host), and appears in no message.
//
// Thread safety: PullModel blocks the calling thread (see DownloadToPart);
// concurrent pulls of the same file are not coordinated.
#pragma once

#include <memory>
#include <string>

#include "core/cancel.h"
#include "core/config.h"
#include "core/status.h"
#include "model_files/http_download.h"
#include "model_files/pull_source.h"
#include "net/http_client.h"

namespace duet::model_files {

struct PullOptions {
  std::string source;   // ORG/NAME/FILE.gguf[@REVISION] or an http(s) URL
  std::string out_dir;  // "" = the Hugging Face cache (repository form) or
                        // the current folder (URL)
  std::string sha256;   // the expected checksum; "" = the server's, if any
  EnvLookup getenv;     // REQUIRED: HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE, ...
  std::string home;     // for the default cache location
  int max_redirects = 5;
  net::HttpTimeouts timeouts = DownloadRequest().timeouts;
};

// Where a pull writes.
struct PullPlan {
  PullSource source;
  std::string part_path;
  std::string out_path;  // the plain file; "" for the cache
  std::string repo_dir;  // <cache>/models--ORG--NAME; "" for a plain file
};

// Works out the plan without touching the network or the disk.
// kInvalidArgument for a bad source or checksum, kNotFound when the cache
// location is unknown (no HOME and no HF_* variable).
Result<PullPlan> PlanPull(const PullOptions& options);

struct PullResult {
  std::string path;              // the file to serve
  std::string id;                // ORG/NAME/FILE for the cache, else ""
  bool already_present = false;  // nothing was downloaded
  DownloadResult download;       // what the download did (unset if present)
};

// Runs the pull. Fails as DownloadToPart does, and with kInvalidArgument
// when the file is not GGUF (it is then deleted) or kInternal when it
// cannot be put in place.
Result<PullResult> PullModel(net::HttpClient& client, const PullOptions& options,
                             const ProgressCallback& progress,
                             std::shared_ptr<const CancelFlag> cancel);

}  // namespace duet::model_files
