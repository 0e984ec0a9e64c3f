// DownloadToPart: one file over HTTP into a partial file, resumable and
// verified, on duet's HttpClient (which neither follows redirects nor
// resumes by itself).
//
// - An existing partial file is resumed: the request carries
//   `Range: bytes=N-` (N = its size). 206 appends, after checking that
//   Content-Range starts at N; 200 means the server ignored the range, so
//   the file starts over; 416 means there is nothing past N: complete when
//   Content-Range's total is N, otherwise the partial file is discarded and
//   the download starts over once.
// - Redirects (301, 302, 303, 307, 308) are followed, up to max_redirects.
//   `headers` (the Authorization header) go only to the first URL's origin
//   (scheme, host and port): a hub answers with a redirect to a CDN, which
//   must not see the user's token.
// - The SHA-256 of the whole file, including a resumed prefix (read back
//   from disk), is computed as bytes arrive and compared with
//   expected_sha256, else with a SHA-256 the server sent (X-Linked-Etag,
//   else ETag, from any response of the chain). A mismatch deletes the
//   partial file: its bytes cannot be trusted for a later resume.
//
// Messages name URLs by scheme://host/path only: never a query (signed CDN
// URLs carry credentials there) or a header value.
//
// Thread safety: DownloadToPart blocks the calling thread until the
// download ends and must not run on the HttpClient's I/O thread. `progress`
// is called on the client's thread, one call at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/cancel.h"
#include "core/status.h"
#include "net/http_client.h"

namespace duet::model_files {

struct DownloadRequest {
  std::string url;           // http:// or https://
  net::HeaderList headers;   // for the first URL's origin only
  std::string part_path;     // written here; resumed when it exists
  std::string expected_sha256;  // 64 hex digits; "" = the server's, if any
  int max_redirects = 5;
  net::HttpTimeouts timeouts{std::chrono::milliseconds(15'000),
                             std::chrono::milliseconds(60'000),
                             std::chrono::milliseconds(60'000)};
};

struct DownloadProgress {
  uint64_t bytes = 0;         // in the partial file now, resumed ones included
  int64_t total = -1;         // the whole file's size; -1 while unknown
  uint64_t resumed_from = 0;  // bytes that were there before this run
};
using ProgressCallback = std::function<void(const DownloadProgress&)>;

struct DownloadResult {
  uint64_t size = 0;
  std::string sha256;            // of the whole file, lower-case hex
  // What the digest was checked against: "the given checksum",
  // "x-linked-etag", "etag", or "" when nothing was known (not verified).
  std::string verified_against;
  uint64_t resumed_from = 0;     // bytes kept from an earlier run; 0 = fresh
  std::string repo_commit;       // X-Repo-Commit when it is a 40-hex commit
  int redirects = 0;
};

// Downloads `request.url` into `request.part_path`. On success the partial
// file holds the complete, verified file; the caller renames it. Failures:
//   kCancelled          `cancel` was set (Ctrl-C); the partial file is kept
//   kNotFound           HTTP 404 or 410
//   kUnauthenticated    HTTP 401;  kPermissionDenied: HTTP 403
//   kUnavailable        another HTTP status, a connection failure, or a body
//                       cut short (the partial file is kept for a resume)
//   kDeadlineExceeded   a timeout fired (the partial file is kept)
//   kInvalidArgument    checksum mismatch (the partial file is deleted), too
//                       many redirects, a redirect without Location, a
//                       Content-Range that does not continue the file
//   kInternal           the partial file cannot be read or written
Result<DownloadResult> DownloadToPart(net::HttpClient& client,
                                      const DownloadRequest& request,
                                      const ProgressCallback& progress,
                                      std::shared_ptr<const CancelFlag> cancel);

// `location` (a Location header) made absolute against `base`: absolute
// URLs as they are, "//host/..." with base's scheme, "/path" on base's
// origin, anything else relative to base's folder. kInvalidArgument when
// `base` or the result is not a valid http(s) URL.
Result<std::string> ResolveRedirect(const std::string& base, const std::string& location);

}  // namespace duet::model_files
