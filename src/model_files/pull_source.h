// What `duet pull SOURCE` was asked to fetch, and from where.
//
//   ORG/NAME/FILE.gguf               a file of a Hugging Face model repo, at main
//   ORG/NAME/dir/FILE.gguf@REVISION  ... at a branch, tag or commit
//   https://host/path/model.gguf     any http(s) URL
//
// The repository form becomes {endpoint}/ORG/NAME/resolve/REVISION/FILE,
// where the endpoint is $HF_ENDPOINT when set (a mirror, or a local server
// in tests), else kHuggingFaceEndpoint.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/config.h"
#include "core/status.h"

namespace duet::model_files {

// The Hugging Face hub's public endpoint: the one place it is written.
inline constexpr std::string_view kHuggingFaceEndpoint = "https://huggingface.co";

struct PullSource {
  std::string url;       // the first URL to request
  std::string repo_id;   // "org/name" for the repository form; "" for a URL
  std::string file;      // the path in the repository, or the URL's last
                         // path segment (percent-decoded)
  std::string revision;  // "main" unless given; "" for a URL

  bool hugging_face() const { return !repo_id.empty(); }
};

// $HF_ENDPOINT without a trailing slash, else kHuggingFaceEndpoint.
std::string HuggingFaceEndpoint(const EnvLookup& getenv);

// Parses SOURCE. kInvalidArgument, saying what is expected, for a URL that
// is not http(s) or names no file, and for a repository form with fewer
// than three parts, an empty or "."/".." part (in the path or the
// revision), or a file not ending in .gguf.
Result<PullSource> ParsePullSource(std::string_view text, const EnvLookup& getenv);

// scheme://host[:port]/path of `url`, without user info or query (signed
// download URLs carry credentials in the query): safe for messages.
std::string UrlForDisplay(std::string_view url);

// Percent-encodes everything but unreserved characters (and '/' when
// `keep_slashes`), for building URL paths.
std::string PercentEncode(std::string_view text, bool keep_slashes);

}  // namespace duet::model_files
