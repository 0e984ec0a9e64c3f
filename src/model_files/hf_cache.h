// The Hugging Face hub's local cache, laid out the way the hub's own client
// (huggingface_hub) writes it, so that models downloaded by either tool are
// seen by both:
//
//   <cache>/models--ORG--NAME/
//     blobs/<hash>                  each file's contents, named by its hash
//     refs/<branch>                 the commit the branch named when
//                                   last downloaded
//     snapshots/<commit>/<path>     the repository's files at that commit,
//                                   as relative symlinks into ../../blobs/
//
// `duet models` lists the *.gguf files under snapshots/; `duet pull` adds
// files in the same layout (model_download.h).
//
// Thread safety: pure functions over the file system; callable from any
// thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"

namespace duet::model_files {

// Where the cache is: $HF_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else <home>/.cache/huggingface/hub.
// "" when none applies (no variable set and `home` empty). The folder may
// not exist.
std::string HuggingFaceCacheDir(const EnvLookup& getenv, const std::string& home);

// "org/name" -> "models--org--name".
std::string RepoFolderName(std::string_view repo_id);

// "models--org--name" -> "org/name"; nullopt for any other folder name
// (datasets--..., spaces--..., .locks).
std::optional<std::string> RepoIdFromFolder(std::string_view folder);

// One GGUF file in the cache.
struct CachedGgufFile {
  std::string id;             // "org/name/path/in/repo.gguf"
  std::string revision;       // the snapshot folder: a commit
  std::string snapshot_path;  // <cache>/models--org--name/snapshots/<rev>/<path>
};

// Every *.gguf file (any letter case) in every model repository's
// snapshots, one entry per id: when several snapshots hold the same file,
// the one refs/main names wins, then the most recently modified snapshot.
// Sorted by id. A symlink whose blob is missing is still listed (loading or
// sizing it then fails, and the caller reports why). Folders that cannot be
// read are skipped; a missing `cache_dir` gives an empty list.
std::vector<CachedGgufFile> ListCachedGgufFiles(const std::string& cache_dir);

}  // namespace duet::model_files
