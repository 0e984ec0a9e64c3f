#include "model_files/http_download.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "model_files/pull_source.h"
#include "model_files/sha256.h"
#include "net/url.h"

namespace duet::model_files {
namespace fs = std::filesystem;

namespace {

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

std::optional<int64_t> ParseCount(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

// "bytes 100-199/1000" -> start 100, total 1000; "bytes */1000" (a 416's
// form) -> start -1, total 1000; a total of "*" is -1.
struct ContentRange {
  int64_t start = -1;
  int64_t total = -1;
};

std::optional<ContentRange> ParseContentRange(std::string_view value) {
  if (value.substr(0, 6) != "bytes ") {
    return std::nullopt;
  }
  value.remove_prefix(6);
  const size_t slash = value.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  ContentRange range;
  const std::string_view span = value.substr(0, slash);
  const std::string_view total = value.substr(slash + 1);
  if (total != "*") {
    const std::optional<int64_t> parsed = ParseCount(total);
    if (!parsed) {
      return std::nullopt;
    }
    range.total = *parsed;
  }
  if (span != "*") {
    const std::optional<int64_t> start = ParseCount(span.substr(0, span.find('-')));
    if (!start || span.find('-') == std::string_view::npos) {
      return std::nullopt;
    }
    range.start = *start;
  }
  return range;
}

bool SameOrigin(const std::string& a, const std::string& b) {
  const Result<net::Url> first = net::Url::Parse(a);
  const Result<net::Url> second = net::Url::Parse(b);
  return first && second && first->scheme == second->scheme &&
         first->host == second->host && first->port == second->port;
}

// What a download keeps across the requests it makes.
struct Transfer {
  std::string part_path;
  uint64_t offset = 0;  // bytes in the partial file
  Sha256 hash;          // of exactly those bytes
  int64_t total = -1;
  uint64_t resumed_from = 0;
  const ProgressCallback* progress = nullptr;
};

// One request's outcome.
struct Attempt {
  Status status;
  bool head_received = false;
  net::HttpResponseHead head;
  bool body_accepted = false;  // a 200/206 whose body went to the file
};

// Receives one response: a 200 or 206 body goes to the partial file and
// the hash; any other answer is only looked at (its head says enough).
class AttemptHandler final : public net::HttpResponseHandler {
 public:
  explicit AttemptHandler(Transfer* transfer) : transfer_(transfer) {}

  bool OnHead(const net::HttpResponseHead& head) override {
    attempt_.head_received = true;
    attempt_.head = head;
    if (head.status == 200) {
      // A fresh download, or a server that ignored the range: start over.
      transfer_->offset = 0;
      transfer_->resumed_from = 0;
      transfer_->hash.Reset();
      const std::optional<int64_t> length = ParseCount(head.Header("content-length"));
      transfer_->total = length.value_or(-1);
      return Open("wb");
    }
    if (head.status == 206) {
      const std::string_view value = head.Header("content-range");
      const std::optional<ContentRange> range = ParseContentRange(value);
      if (!range || range->start != static_cast<int64_t>(transfer_->offset)) {
        failure_ = InvalidArgument(fmt::format(
            "asked to resume at byte {}, the server answered Content-Range '{}'",
            transfer_->offset, std::string(value.substr(0, 100))));
        return false;
      }
      transfer_->total = range->total;
      return Open("ab");
    }
    return false;
  }

  bool OnBody(std::string_view bytes) override {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
      failure_ = WriteError();
      return false;
    }
    transfer_->hash.Update(bytes);
    transfer_->offset += bytes.size();
    if (*transfer_->progress) {
      (*transfer_->progress)(
          {transfer_->offset, transfer_->total, transfer_->resumed_from});
    }
    return true;
  }

  void OnComplete(Status status, bool /*head_received*/) override {
    if (file_ != nullptr) {
      // Flushed to disk before the caller renames it, so a crash never
      // leaves a final file whose end is still in the page cache.
      const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
      if (std::fclose(file_) != 0 || !flushed) {
        if (failure_.ok()) {
          failure_ = WriteError();
        }
      }
      file_ = nullptr;
    }
    attempt_.status = failure_.ok() ? std::move(status) : failure_;
    done_.set_value();
  }

  Attempt Wait() {
    done_.get_future().wait();
    return std::move(attempt_);
  }

 private:
  bool Open(const char* mode) {
    file_ = std::fopen(transfer_->part_path.c_str(), mode);
    if (file_ == nullptr) {
      failure_ = WriteError();
      return false;
    }
    attempt_.body_accepted = true;
    if (*transfer_->progress) {
      (*transfer_->progress)(
          {transfer_->offset, transfer_->total, transfer_->resumed_from});
    }
    return true;
  }

  Status WriteError() const {
    return Internal("cannot write " + transfer_->part_path + ": " + std::strerror(errno));
  }

  Transfer* transfer_;
  std::FILE* file_ = nullptr;
  Status failure_;
  Attempt attempt_;
  std::promise<void> done_;
};

Status HttpError(int status, const std::string& url) {
  const std::string where = UrlForDisplay(url);
  switch (status) {
    case 404:
    case 410:
      return NotFound(fmt::format("HTTP {}: {} was not found", status, where));
    case 401:
      return Status(ErrorCode::kUnauthenticated,
                    fmt::format("HTTP 401: {} wants credentials (for a gated or "
                                "private Hugging Face repo, set HF_TOKEN)",
                                where));
    case 403:
      return Status(ErrorCode::kPermissionDenied,
                    fmt::format("HTTP 403: {} refused access (a gated repo whose "
                                "terms were not accepted, or a token without access)",
                                where));
    default:
      return Unavailable(fmt::format("HTTP {} from {}", status, where));
  }
}

// A failure after bytes were written: the partial file stays for a resume.
Status Interrupted(const Status& cause, const Transfer& transfer, bool cancelled) {
  const std::string kept =
      fmt::format("{} bytes are kept in {}: run the same command again to resume",
                  transfer.offset, transfer.part_path);
  if (cancelled) {
    return Status(ErrorCode::kCancelled, "interrupted; " + kept);
  }
  return Status(cause.code(), cause.message() + "; " + kept);
}

}  // namespace

Result<std::string> ResolveRedirect(const std::string& base, const std::string& location) {
  DUET_ASSIGN_OR_RETURN(net::Url url, net::Url::Parse(base));
  std::string resolved;
  if (location.find("://") != std::string::npos) {
    resolved = location;
  } else if (location.rfind("//", 0) == 0) {
    resolved = url.scheme + ":" + location;
  } else if (location.rfind('/', 0) == 0) {
    resolved = url.scheme + "://" + url.HostHeader() + location;
  } else {
    std::string folder = url.target.substr(0, url.target.find_first_of("?#"));
    folder = folder.substr(0, folder.rfind('/') + 1);
    resolved = url.scheme + "://" + url.HostHeader() + folder + location;
  }
  if (Result<net::Url> parsed = net::Url::Parse(resolved); !parsed) {
    return Error(InvalidArgument("a redirect to an unusable URL: " + parsed.error().message()));
  }
  return resolved;
}

Result<DownloadResult> DownloadToPart(net::HttpClient& client,
                                      const DownloadRequest& request,
                                      const ProgressCallback& progress,
                                      std::shared_ptr<const CancelFlag> cancel) {
  if (!request.expected_sha256.empty() && !IsSha256Hex(request.expected_sha256)) {
    return Error(InvalidArgument("a SHA-256 checksum is 64 hex digits, not '" +
                                 request.expected_sha256.substr(0, 80) + "'"));
  }
  Transfer transfer;
  transfer.part_path = request.part_path;
  transfer.progress = &progress;
  std::error_code error;
  if (const uintmax_t existing = fs::file_size(request.part_path, error); !error) {
    transfer.offset = existing;
    // The resumed prefix is part of the checksum; a prefix that cannot be
    // read back is no use, so the download starts over.
    if (!HashFilePrefix(request.part_path, existing, &transfer.hash).ok()) {
      fs::remove(request.part_path, error);
      transfer.offset = 0;
      transfer.hash.Reset();
    }
  }
  transfer.resumed_from = transfer.offset;

  DownloadResult result;
  std::string url = request.url;
  std::string linked_etag;  // X-Linked-Etag: the hub's SHA-256 of an LFS file
  std::string etag;         // an ETag that is a SHA-256
  bool started_over = false;
  while (true) {
    net::HttpRequest http;
    http.method = "GET";
    http.url = url;
    if (SameOrigin(url, request.url)) {
      http.headers = request.headers;
    }
    // Bytes as stored: a compressed transfer would not hash to the file.
    http.headers.emplace_back("Accept-Encoding", "identity");
    if (transfer.offset > 0) {
      http.headers.emplace_back("Range", fmt::format("bytes={}-", transfer.offset));
    }
    auto handler = std::make_shared<AttemptHandler>(&transfer);
    client.Send(std::make_shared<const net::HttpRequest>(std::move(http)), request.timeouts,
                handler, cancel);
    Attempt attempt = handler->Wait();
    const bool cancelled = cancel != nullptr && cancel->cancelled();

    if (!attempt.head_received) {
      return Error(cancelled ? Status(ErrorCode::kCancelled, "interrupted")
                             : attempt.status);
    }
    const net::HttpResponseHead& head = attempt.head;
    if (linked_etag.empty()) {
      linked_etag = Sha256FromHeader(head.Header("x-linked-etag"));
    }
    if (etag.empty()) {
      etag = Sha256FromHeader(head.Header("etag"));
    }
    if (const std::string_view commit = head.Header("x-repo-commit");
        result.repo_commit.empty() && commit.size() == 40 &&
        commit.find_first_not_of("0123456789abcdef") == std::string_view::npos) {
      result.repo_commit = std::string(commit);
    }

    if (attempt.body_accepted) {
      if (!attempt.status.ok()) {
        return Error(Interrupted(attempt.status, transfer, cancelled));
      }
      if (transfer.total >= 0 && transfer.offset != static_cast<uint64_t>(transfer.total)) {
        return Error(Interrupted(
            Unavailable(fmt::format("the download ended at byte {} of {}",
                                    transfer.offset, transfer.total)),
            transfer, false));
      }
      break;
    }
    if (cancelled) {
      return Error(Status(ErrorCode::kCancelled, "interrupted"));
    }
    if (!attempt.status.ok() && attempt.status.code() != ErrorCode::kCancelled) {
      return Error(attempt.status);  // the handler's own refusal (a bad range)
    }
    if (IsRedirect(head.status)) {
      const std::string location(head.Header("location"));
      if (location.empty()) {
        return Error(InvalidArgument(fmt::format(
            "HTTP {} from {} without a Location", head.status, UrlForDisplay(url))));
      }
      if (++result.redirects > request.max_redirects) {
        return Error(InvalidArgument(fmt::format(
            "more than {} redirects, the last to {}", request.max_redirects,
            UrlForDisplay(location))));
      }
      DUET_ASSIGN_OR_RETURN(url, ResolveRedirect(url, location));
      continue;
    }
    if (head.status == 416 && transfer.offset > 0) {
      const std::optional<ContentRange> range =
          ParseContentRange(head.Header("content-range"));
      if (range && range->total == static_cast<int64_t>(transfer.offset)) {
        transfer.total = range->total;  // the partial file is the whole file
        break;
      }
      if (!started_over) {
        // Longer than the file, or the file changed: nothing to keep.
        started_over = true;
        fs::remove(request.part_path, error);
        transfer.offset = 0;
        transfer.resumed_from = 0;
        transfer.hash.Reset();
        continue;
      }
    }
    return Error(HttpError(head.status, url));
  }

  result.size = transfer.offset;
  result.resumed_from = transfer.resumed_from;
  result.sha256 = transfer.hash.HexDigest();
  std::string expected;
  if (!request.expected_sha256.empty()) {
    expected = Sha256FromHeader(request.expected_sha256);  // lower-cased
    result.verified_against = "the given checksum";
  } else if (!linked_etag.empty()) {
    expected = linked_etag;
    result.verified_against = "x-linked-etag";
  } else if (!etag.empty()) {
    expected = etag;
    result.verified_against = "etag";
  }
  if (!result.verified_against.empty() && expected != result.sha256) {
    fs::remove(request.part_path, error);
    return Error(InvalidArgument(fmt::format(
        "checksum mismatch: expected sha256 {} ({}), the download has {}; "
        "deleted the partial file",
        expected,
        result.verified_against, result.sha256)));
  }
  return result;
}

}  // namespace duet::model_files
