#include "model_files/pull_source.h"

#include <cctype>
#include <vector>

#include "core/ascii.h"
#include "net/url.h"

namespace duet::model_files {
namespace {

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  c = AsciiLower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

Result<PullSource> ParseUrlSource(std::string_view text) {
  DUET_ASSIGN_OR_RETURN(net::Url url, net::Url::Parse(text));
  std::string_view path = url.target;
  path = path.substr(0, path.find_first_of("?#"));
  const size_t slash = path.rfind('/');
  const std::string file =
      PercentDecode(slash == std::string_view::npos ? path : path.substr(slash + 1));
  if (file.empty() || file == "." || file == ".." ||
      file.find_first_of("/\\") != std::string::npos || file.find('\0') != std::string::npos) {
    return Error(InvalidArgument("the URL " + UrlForDisplay(text) +
                                 " names no file to save (it should end in /FILE.gguf)"));
  }
  PullSource source;
  source.url = std::string(text);
  source.file = file;
  return source;
}

}  // namespace

std::string PercentEncode(std::string_view text, bool keep_slashes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slashes && c == '/')) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

std::string HuggingFaceEndpoint(const EnvLookup& getenv) {
  std::string endpoint(kHuggingFaceEndpoint);
  if (const char* value = getenv("HF_ENDPOINT"); value != nullptr && *value) {
    endpoint = value;
  }
  while (!endpoint.empty() && endpoint.back() == '/') {
    endpoint.pop_back();
  }
  return endpoint;
}

Result<PullSource> ParsePullSource(std::string_view text, const EnvLookup& getenv) {
  const std::string lower = AsciiLowered(text.substr(0, 8));
  if (lower.rfind("http://", 0) == 0 || lower.rfind("https://", 0) == 0) {
    return ParseUrlSource(text);
  }
  if (text.find("://") != std::string_view::npos) {
    return Error(InvalidArgument("only http:// and https:// URLs can be pulled"));
  }
  PullSource source;
  source.revision = "main";
  std::string_view path = text;
  // The revision follows the file name's ".gguf@"; a revision may itself
  // hold slashes (refs/pr/1).
  if (const size_t at = AsciiLowered(text).find(".gguf@"); at != std::string::npos) {
    path = text.substr(0, at + 5);
    source.revision = std::string(text.substr(at + 6));
    if (source.revision.empty()) {
      return Error(InvalidArgument("nothing follows '@' in " + std::string(text)));
    }
    // The revision names files in the cache (refs/<revision>): no part of
    // it may lead out of its folder.
    for (std::string_view part : Split(source.revision, '/')) {
      if (part.empty() || part == "." || part == ".." ||
          part.find('\\') != std::string_view::npos) {
        return Error(InvalidArgument("'" + source.revision + "' is not a revision"));
      }
    }
  }
  const std::vector<std::string_view> parts = Split(path, '/');
  if (parts.size() < 3) {
    return Error(InvalidArgument(
        "expected ORG/NAME/FILE.gguf[@REVISION] or an http(s) URL, got '" +
        std::string(text) + "'"));
  }
  for (std::string_view part : parts) {
    if (part.empty() || part == "." || part == "..") {
      return Error(InvalidArgument("'" + std::string(text) +
                                   "' has an empty, '.' or '..' part"));
    }
  }
  if (path.size() < 5 || AsciiLowered(path.substr(path.size() - 5)) != ".gguf") {
    return Error(InvalidArgument("'" + std::string(path) +
                                 "' does not name a .gguf file (ORG/NAME/FILE.gguf)"));
  }
  source.repo_id = std::string(parts[0]) + "/" + std::string(parts[1]);
  source.file = std::string(path.substr(parts[0].size() + parts[1].size() + 2));
  source.url = HuggingFaceEndpoint(getenv) + "/" + PercentEncode(source.repo_id, true) +
               "/resolve/" + PercentEncode(source.revision, false) + "/" +
               PercentEncode(source.file, true);
  return source;
}

std::string UrlForDisplay(std::string_view text) {
  Result<net::Url> url = net::Url::Parse(text);
  if (!url) {
    return "(an invalid URL)";
  }
  std::string_view path = url->target;
  path = path.substr(0, path.find_first_of("?#"));
  return url->Display() + std::string(path);
}

}  // namespace duet::model_files
