// Images named in a terminal message (`duet run`): as with `ollama run`, a
// word of the message that is the path of an image file attaches that
// image, and leaves the message.
//
// Words are separated by whitespace and may be quoted ('...' or "...", for
// paths with spaces); a leading ~/ is the home folder ($HOME). A word counts when it ends in .png, .jpg, .jpeg,
// .gif, .bmp or .webp (in any case), after any punctuation that ends a
// sentence ("cat.png?"), and names a regular file; other words, a path to
// a missing file among them, stay in the text as written.
//
// Thread safety: reads files; callable from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/chat.h"

namespace duet {

struct MessageWithImages {
  std::string text;                  // the message without the image paths
  std::vector<ContentBlock> images;  // base64 image blocks, in the order named
  std::vector<std::string> paths;    // the files they came from
};

inline constexpr size_t kMaxImageBytes = 20 * 1024 * 1024;

// kInvalidArgument when a named image cannot be read or is larger than
// kMaxImageBytes.
Result<MessageWithImages> TakeImagePaths(std::string_view message);

}  // namespace duet
