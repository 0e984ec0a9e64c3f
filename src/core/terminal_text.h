// Text that duet did not write itself, made safe to print on a terminal:
// a model file's metadata, a file name found on disk, or the model name an
// upstream reported (kept in the ledger and shown by `duet report`). Such
// text could otherwise carry escape sequences that move the cursor,
// rewrite earlier lines or change the terminal's title.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace duet {

// `text` with every control character replaced by '?': the C0 controls
// (bytes 0x00-0x1F, tab and newline included), DEL (0x7F), and the C1
// controls U+0080-U+009F in their UTF-8 form (0xC2 0x80-0x9F, which some
// terminals obey like ESC sequences). Every other byte is kept as it is,
// so printable UTF-8 text comes back unchanged.
std::string TerminalSafe(std::string_view text);

}  // namespace duet
