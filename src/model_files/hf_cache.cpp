#include "model_files/hf_cache.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>

#include "core/ascii.h"

namespace duet::model_files {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kModelsPrefix = "models--";
constexpr std::string_view kSeparator = "--";
// Repositories nest files a few folders deep at most; the cap keeps a
// symlink loop or a pathological tree from turning a listing into a crawl.
constexpr int kMaxDepth = 8;

std::string NonEmpty(const EnvLookup& getenv, const char* name) {
  const char* value = getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

bool EndsWithGguf(const std::string& name) {
  if (name.size() < 5) {
    return false;
  }
  return AsciiLowered(std::string_view(name).substr(name.size() - 5)) == ".gguf";
}

// The commit refs/main names, "" when there is none.
std::string MainCommit(const fs::path& repo) {
  std::ifstream in(repo / "refs" / "main");
  std::string commit;
  std::getline(in, commit);
  while (!commit.empty() && std::isspace(static_cast<unsigned char>(commit.back()))) {
    commit.pop_back();
  }
  return commit;
}

// The snapshot folders of one repository, best first.
std::vector<fs::path> SnapshotsInPreferenceOrder(const fs::path& repo) {
  struct Snapshot {
    fs::path path;
    bool main = false;
    fs::file_time_type modified;
  };
  const std::string main = MainCommit(repo);
  std::vector<Snapshot> snapshots;
  std::error_code error;
  for (fs::directory_iterator it(repo / "snapshots", error), end;
       !error && it != end; it.increment(error)) {
    std::error_code ignored;
    if (!it->is_directory(ignored)) {
      continue;
    }
    Snapshot snapshot;
    snapshot.path = it->path();
    snapshot.main = !main.empty() && it->path().filename() == main;
    snapshot.modified = fs::last_write_time(it->path(), ignored);
    snapshots.push_back(std::move(snapshot));
  }
  std::sort(snapshots.begin(), snapshots.end(), [](const Snapshot& a, const Snapshot& b) {
    if (a.main != b.main) {
      return a.main;
    }
    if (a.modified != b.modified) {
      return a.modified > b.modified;
    }
    return a.path < b.path;
  });
  std::vector<fs::path> paths;
  for (Snapshot& snapshot : snapshots) {
    paths.push_back(std::move(snapshot.path));
  }
  return paths;
}

}  // namespace

std::string HuggingFaceCacheDir(const EnvLookup& getenv, const std::string& home) {
  if (std::string hub = NonEmpty(getenv, "HF_HUB_CACHE"); !hub.empty()) {
    return hub;
  }
  if (std::string hf_home = NonEmpty(getenv, "HF_HOME"); !hf_home.empty()) {
    return (fs::path(hf_home) / "hub").string();
  }
  if (std::string xdg = NonEmpty(getenv, "XDG_CACHE_HOME"); !xdg.empty()) {
    return (fs::path(xdg) / "huggingface" / "hub").string();
  }
  if (!home.empty()) {
    return (fs::path(home) / ".cache" / "huggingface" / "hub").string();
  }
  return "";
}

std::string RepoFolderName(std::string_view repo_id) {
  std::string folder(kModelsPrefix);
  for (char c : repo_id) {
    if (c == '/') {
      folder += kSeparator;
    } else {
      folder += c;
    }
  }
  return folder;
}

std::optional<std::string> RepoIdFromFolder(std::string_view folder) {
  if (folder.substr(0, kModelsPrefix.size()) != kModelsPrefix ||
      folder.size() == kModelsPrefix.size()) {
    return std::nullopt;
  }
  std::string id(folder.substr(kModelsPrefix.size()));
  // The hub forbids "--" in names, so the first one separates the owner.
  if (const size_t separator = id.find(kSeparator); separator != std::string::npos) {
    id.replace(separator, kSeparator.size(), "/");
  }
  return id;
}

std::vector<CachedGgufFile> ListCachedGgufFiles(const std::string& cache_dir) {
  std::map<std::string, CachedGgufFile> by_id;
  if (cache_dir.empty()) {
    return {};
  }
  std::error_code error;
  for (fs::directory_iterator repos(cache_dir, error), end;
       !error && repos != end; repos.increment(error)) {
    const std::optional<std::string> repo_id =
        RepoIdFromFolder(repos->path().filename().string());
    std::error_code ignored;
    if (!repo_id || !repos->is_directory(ignored)) {
      continue;
    }
    for (const fs::path& snapshot : SnapshotsInPreferenceOrder(repos->path())) {
      std::error_code walk_error;
      fs::recursive_directory_iterator files(
          snapshot, fs::directory_options::skip_permission_denied, walk_error);
      for (; !walk_error && files != fs::recursive_directory_iterator();
           files.increment(walk_error)) {
        if (files.depth() >= kMaxDepth) {
          files.disable_recursion_pending();
        }
        const std::string name = files->path().filename().string();
        // A symlink counts even when its blob is gone (is_regular_file
        // would follow it and say no): the listing reports it as broken.
        const bool file = files->is_symlink(ignored) ||
                          files->is_regular_file(ignored);
        if (!file || files->is_directory(ignored) || !EndsWithGguf(name)) {
          continue;
        }
        const std::string relative =
            files->path().lexically_relative(snapshot).generic_string();
        CachedGgufFile cached;
        cached.id = *repo_id + "/" + relative;
        cached.revision = snapshot.filename().string();
        cached.snapshot_path = files->path().string();
        by_id.emplace(cached.id, std::move(cached));  // the first snapshot wins
      }
    }
  }
  std::vector<CachedGgufFile> files;
  for (auto& [id, file] : by_id) {
    files.push_back(std::move(file));
  }
  return files;
}

}  // namespace duet::model_files
