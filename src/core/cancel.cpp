#include "core/cancel.h"

#include <algorithm>

namespace duet {

void CancelFlag::Cancel() {
  std::vector<std::pair<uint64_t, std::function<void()>>> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (cancelled_.exchange(true, std::memory_order_acq_rel)) {
      return;
    }
    callbacks.swap(callbacks_);
  }
  for (auto& [id, callback] : callbacks) {
    callback();
  }
}

CancelFlag::Subscription CancelFlag::OnCancel(
    std::function<void()> on_cancel) const {
  {
    std::lock_guard lock(mutex_);
    if (!cancelled_.load(std::memory_order_acquire)) {
      const uint64_t id = next_id_++;
      callbacks_.emplace_back(id, std::move(on_cancel));
      return Subscription(this, id);
    }
  }
  on_cancel();
  return Subscription();
}

void CancelFlag::Unsubscribe(uint64_t id) const {
  std::function<void()> dropped;  // destroyed outside the lock
  std::lock_guard lock(mutex_);
  const auto it =
      std::find_if(callbacks_.begin(), callbacks_.end(),
                   [id](const auto& entry) { return entry.first == id; });
  if (it != callbacks_.end()) {
    dropped = std::move(it->second);
    callbacks_.erase(it);
  }
}

}  // namespace duet
