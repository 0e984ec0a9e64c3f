#include "route/sensitive/clean_text_memo.h"

#include <algorithm>
#include <utility>

namespace duet::sensitive {

CleanTextMemo::CleanTextMemo(Options options)
    : generation_capacity_(std::max<size_t>(options.capacity / 2, 1)) {}

bool CleanTextMemo::Contains(const Sha256Digest& digest) {
  std::lock_guard lock(mutex_);
  if (current_.contains(digest)) {
    return true;
  }
  if (previous_.erase(digest) == 0) {
    return false;
  }
  InsertLocked(digest);
  return true;
}

void CleanTextMemo::Remember(const Sha256Digest& digest) {
  std::lock_guard lock(mutex_);
  InsertLocked(digest);
}

size_t CleanTextMemo::size() const {
  std::lock_guard lock(mutex_);
  return current_.size() + previous_.size();
}

void CleanTextMemo::InsertLocked(const Sha256Digest& digest) {
  if (current_.size() >= generation_capacity_ && !current_.contains(digest)) {
    previous_ = std::move(current_);
    current_ = DigestSet();
  }
  current_.insert(digest);
}

}  // namespace duet::sensitive
