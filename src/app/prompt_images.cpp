#include "app/prompt_images.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "core/ascii.h"
#include "core/base64.h"

namespace duet {
namespace {

// The media type of an image file's name, or "" when it is no image's.
std::string ImageMediaType(std::string_view path) {
  const size_t dot = path.rfind('.');
  if (dot == std::string_view::npos) {
    return "";
  }
  const std::string extension = AsciiLowered(path.substr(dot + 1));
  if (extension == "jpg" || extension == "jpeg") {
    return "image/jpeg";
  }
  if (extension == "png" || extension == "gif" || extension == "bmp" || extension == "webp") {
    return "image/" + extension;
  }
  return "";
}

// A word of `text` from `begin`: [begin, end) as written, and its path
// (without its quotes).
struct Word {
  size_t begin = 0;
  size_t end = 0;
  std::string_view path;
};

std::vector<Word> Words(std::string_view text) {
  std::vector<Word> words;
  size_t at = 0;
  while (at < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[at]))) {
      ++at;
      continue;
    }
    Word word;
    word.begin = at;
    const char quote = text[at];
    if (quote == '"' || quote == '\'') {
      const size_t close = text.find(quote, at + 1);
      if (close != std::string_view::npos) {
        word.end = close + 1;
        word.path = text.substr(at + 1, close - at - 1);
        words.push_back(word);
        at = word.end;
        continue;
      }
    }
    while (at < text.size() && !std::isspace(static_cast<unsigned char>(text[at]))) {
      ++at;
    }
    word.end = at;
    word.path = text.substr(word.begin, at - word.begin);
    words.push_back(word);
  }
  return words;
}

// "~/x.png" in $HOME, as a shell would read it; other paths as they are.
std::filesystem::path HomeExpanded(std::string_view path) {
  const char* home = std::getenv("HOME");
  if (path.rfind("~/", 0) == 0 && home != nullptr && home[0] != '\0') {
    return std::filesystem::path(home) / path.substr(2);
  }
  return std::filesystem::path(path);
}

}  // namespace

Result<MessageWithImages> TakeImagePaths(std::string_view message) {
  MessageWithImages out;
  size_t kept_from = 0;
  for (Word word : Words(message)) {
    // Punctuation that ends a sentence is not part of the path:
    // "What is in cat.png?".
    while (!word.path.empty() && ImageMediaType(word.path).empty() &&
           std::string_view("?!.,;:").find(word.path.back()) != std::string_view::npos &&
           word.end == word.begin + word.path.size()) {
      word.path.remove_suffix(1);
      --word.end;
    }
    const std::string media_type = ImageMediaType(word.path);
    std::error_code error;
    const std::filesystem::path path = HomeExpanded(word.path);
    if (media_type.empty() || !std::filesystem::is_regular_file(path, error)) {
      continue;
    }
    const uintmax_t size = std::filesystem::file_size(path, error);
    if (error || size > kMaxImageBytes) {
      return Error(InvalidArgument(
          "image " + std::string(word.path) +
          (error ? " cannot be read" : " is larger than the 20 MB an image may be")));
    }
    std::ifstream file(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!file.good() && !file.eof()) {
      return Error(InvalidArgument("image " + std::string(word.path) + " cannot be read"));
    }
    ContentBlock image;
    image.type = BlockType::kImage;
    image.image.kind = ImageSource::Kind::kBase64;
    image.image.media_type = media_type;
    image.image.data = Base64Encode(bytes);
    out.images.push_back(std::move(image));
    out.paths.emplace_back(word.path);
    out.text.append(message.substr(kept_from, word.begin - kept_from));
    kept_from = word.end;
  }
  out.text.append(message.substr(kept_from));
  // What is left around a removed path: trimmed at the ends.
  const size_t first = out.text.find_first_not_of(" \t\r\n");
  const size_t last = out.text.find_last_not_of(" \t\r\n");
  out.text = first == std::string::npos ? "" : out.text.substr(first, last - first + 1);
  return out;
}

}  // namespace duet
