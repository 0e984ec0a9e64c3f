#include "model_files/model_download.h"

#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include "model_files/gguf_info.h"
#include "model_files/hf_cache.h"
#include "model_files/sha256.h"

namespace duet::model_files {
namespace fs = std::filesystem;

namespace {

bool IsCommit(std::string_view revision) {
  return revision.size() == 40 &&
         revision.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// A revision or repository path as one file name: "refs/pr/1" -> "refs--pr--1".
std::string Flatten(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '/') {
      out += "--";
    } else {
      out += c;
    }
  }
  return out;
}

std::string ReadFirstLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) {
    line.pop_back();
  }
  return line;
}

// The snapshot folder for a revision: its commit when known (the server's
// X-Repo-Commit, or the revision itself when it is one), else the revision's
// name, so the file is still found when a server sends no commit.
std::string SnapshotFolder(const std::string& revision, const std::string& commit) {
  if (!commit.empty()) {
    return commit;
  }
  return Flatten(revision);
}

// The snapshot file a previous pull of this revision left, or "".
std::string ExistingSnapshot(const PullPlan& plan) {
  const fs::path repo(plan.repo_dir);
  const std::string& revision = plan.source.revision;
  std::string folder = IsCommit(revision) ? revision : ReadFirstLine(repo / "refs" / revision);
  if (folder.empty()) {
    folder = Flatten(revision);
  }
  const fs::path snapshot = repo / "snapshots" / folder / plan.source.file;
  std::error_code error;
  return fs::is_regular_file(snapshot, error) ? snapshot.string() : "";
}

// True when `path` holds a file that can stand as the pull's result.
bool Satisfies(const std::string& path, const std::string& sha256) {
  std::error_code error;
  if (path.empty() || !fs::is_regular_file(path, error) || !CheckGgufMagic(path).ok()) {
    return false;
  }
  if (sha256.empty()) {
    return true;
  }
  Sha256 hash;
  const uintmax_t size = fs::file_size(path, error);
  return !error && HashFilePrefix(path, size, &hash).ok() &&
         hash.HexDigest() == Sha256FromHeader(sha256);
}

Status Place(const PullPlan& plan, const DownloadResult& download, std::string* path) {
  std::error_code error;
  if (plan.repo_dir.empty()) {
    fs::rename(plan.part_path, plan.out_path, error);
    if (error) {
      return Internal("cannot rename " + plan.part_path + " to " + plan.out_path + ": " +
                      error.message());
    }
    *path = plan.out_path;
    return Status::Ok();
  }
  const fs::path repo(plan.repo_dir);
  const fs::path blob = repo / "blobs" / download.sha256;
  if (fs::exists(blob, error)) {
    fs::remove(plan.part_path, error);  // the same bytes are already there
  } else {
    fs::rename(plan.part_path, blob, error);
    if (error) {
      return Internal("cannot move the download to " + blob.string() + ": " +
                      error.message());
    }
  }
  const std::string commit =
      !download.repo_commit.empty()
          ? download.repo_commit
          : (IsCommit(plan.source.revision) ? plan.source.revision : "");
  const fs::path snapshot =
      repo / "snapshots" / SnapshotFolder(plan.source.revision, commit) / plan.source.file;
  fs::create_directories(snapshot.parent_path(), error);
  fs::remove(snapshot, error);
  // Relative, as huggingface_hub writes them, so the cache can be moved.
  fs::create_symlink(blob.lexically_relative(snapshot.parent_path()), snapshot, error);
  if (error) {
    return Internal("cannot link " + snapshot.string() + ": " + error.message());
  }
  if (!commit.empty() && commit != plan.source.revision) {
    const fs::path ref = repo / "refs" / plan.source.revision;
    fs::create_directories(ref.parent_path(), error);
    std::ofstream(ref, std::ios::trunc) << commit;
  }
  *path = snapshot.string();
  return Status::Ok();
}

}  // namespace

Result<PullPlan> PlanPull(const PullOptions& options) {
  if (!options.sha256.empty() && !IsSha256Hex(options.sha256)) {
    return Error(InvalidArgument("--sha256 takes 64 hex digits"));
  }
  PullPlan plan;
  DUET_ASSIGN_OR_RETURN(plan.source, ParsePullSource(options.source, options.getenv));
  if (!plan.source.hugging_face() || !options.out_dir.empty()) {
    const fs::path dir = options.out_dir.empty() ? fs::path(".") : fs::path(options.out_dir);
    // Only the file name: a repository path's folders are not recreated.
    plan.out_path = (dir / fs::path(plan.source.file).filename()).string();
    plan.part_path = plan.out_path + ".part";
    return plan;
  }
  const std::string cache = HuggingFaceCacheDir(options.getenv, options.home);
  if (cache.empty()) {
    return Error(NotFound(
        "cannot tell where the Hugging Face cache is (no HOME, HF_HOME or "
        "HF_HUB_CACHE): give --out DIR"));
  }
  plan.repo_dir = (fs::path(cache) / RepoFolderName(plan.source.repo_id)).string();
  plan.part_path = (fs::path(plan.repo_dir) / "blobs" /
                    (Flatten(plan.source.revision) + "--" + Flatten(plan.source.file) + ".part"))
                       .string();
  return plan;
}

Result<PullResult> PullModel(net::HttpClient& client, const PullOptions& options,
                             const ProgressCallback& progress,
                             std::shared_ptr<const CancelFlag> cancel) {
  DUET_ASSIGN_OR_RETURN(PullPlan plan, PlanPull(options));
  PullResult result;
  if (!plan.repo_dir.empty()) {
    result.id = plan.source.repo_id + "/" + plan.source.file;
  }
  const std::string existing = plan.repo_dir.empty() ? plan.out_path : ExistingSnapshot(plan);
  if (Satisfies(existing, options.sha256)) {
    result.path = existing;
    result.already_present = true;
    return result;
  }

  std::error_code error;
  fs::create_directories(fs::path(plan.part_path).parent_path(), error);
  if (error) {
    return Error(Internal("cannot create " + fs::path(plan.part_path).parent_path().string() +
                          ": " + error.message()));
  }
  DownloadRequest request;
  request.url = plan.source.url;
  request.part_path = plan.part_path;
  request.expected_sha256 = options.sha256;
  request.max_redirects = options.max_redirects;
  request.timeouts = options.timeouts;
  // The token goes to URLs under the Hugging Face endpoint only, whichever
  // form named them; DownloadToPart keeps it from other hosts a redirect
  // leads to.
  const char* token = options.getenv("HF_TOKEN");
  if (token != nullptr && *token &&
      plan.source.url.rfind(HuggingFaceEndpoint(options.getenv) + "/", 0) == 0) {
    request.headers.emplace_back("Authorization", std::string("Bearer ") + token);
  }
  DUET_ASSIGN_OR_RETURN(result.download,
                        DownloadToPart(client, request, progress, std::move(cancel)));

  if (Status gguf = CheckGgufMagic(plan.part_path); !gguf.ok()) {
    fs::remove(plan.part_path, error);
    return Error(InvalidArgument("the download is " + gguf.message() + "; deleted it"));
  }
  DUET_RETURN_IF_ERROR(Place(plan, result.download, &result.path));
  return result;
}

}  // namespace duet::model_files
