#include "ledger/ledger_writer.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

namespace duet {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

int64_t UnixMillisNow() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LedgerWriter::LedgerWriter(std::string path, Options options)
    : path_(std::move(path)), options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

LedgerWriter::~LedgerWriter() { Shutdown(); }

void LedgerWriter::Enqueue(LedgerEntry&& entry) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    Drop(1, "recorded after the ledger was closed");
    return;
  }
  if (static_cast<int64_t>(pending_.size()) >= options_.max_pending) {
    Drop(1, "more than " + std::to_string(options_.max_pending) +
                " rows were waiting to be written (" + stats_.last_error + ")");
    return;
  }
  if (pending_.empty()) {
    oldest_pending_ = steady_clock::now();
  }
  pending_.push_back(std::move(entry));
  stats_.pending = static_cast<int64_t>(pending_.size());
  const bool batch_ready = stats_.pending == options_.batch_rows;
  lock.unlock();
  if (batch_ready) {
    wake_.notify_one();
  }
}

void LedgerWriter::EnqueueFeedback(FeedbackEntry feedback) {
  std::lock_guard lock(mutex_);
  if (stopping_ || static_cast<int64_t>(pending_side_.feedback.size()) >= options_.max_pending) {
    Drop(1, "feedback could not be queued");
    return;
  }
  pending_side_.feedback.push_back(std::move(feedback));
}

void LedgerWriter::EnqueueShadow(ShadowEntry shadow) {
  std::lock_guard lock(mutex_);
  if (stopping_ || static_cast<int64_t>(pending_side_.shadow.size()) >= options_.max_pending) {
    Drop(1, "a shadow evaluation could not be queued");
    return;
  }
  pending_side_.shadow.push_back(std::move(shadow));
}

LedgerWriter::Stats LedgerWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void LedgerWriter::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LedgerWriter::Drop(int64_t rows, const std::string& why) {
  if (stats_.lost == 0 || unrecorded_losses_ == 0) {
    spdlog::warn("ledger: dropping rows: {}", why);
  }
  stats_.lost += rows;
  unrecorded_losses_ += rows;
  loss_reason_ = why;
}

void LedgerWriter::Run() {
  // Recording must never compete with serving: a lower priority for this
  // thread only (on Linux, nice applies per thread). Best effort.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
  pthread_setname_np(pthread_self(), "duet-ledger");  // as top and perf show it
  const milliseconds interval(options_.flush_interval_ms);
  const auto batch_rows = static_cast<size_t>(std::max<int64_t>(1, options_.batch_rows));
  std::optional<steady_clock::time_point> give_up_at;
  bool failing = false;  // the last write failed: retry after a full interval
  std::unique_lock lock(mutex_);
  while (true) {
    if (!stopping_) {
      wake_.wait_for(lock, interval, [&] {
        return stopping_ || (!failing && pending_.size() >= batch_rows);
      });
    }
    const bool stopping = stopping_;
    if (stopping && !give_up_at) {
      give_up_at = steady_clock::now() + milliseconds(options_.shutdown_retry_ms);
    }
    // Slices of batch_rows keep each transaction short; once rows have
    // waited a whole interval the writer is behind, and takes everything
    // so the durability window holds.
    const bool behind = !pending_.empty() && steady_clock::now() - oldest_pending_ >= interval;
    const auto taken = static_cast<std::ptrdiff_t>(
        behind ? pending_.size() : std::min(batch_rows, pending_.size()));
    std::vector<LedgerEntry> batch(std::make_move_iterator(pending_.begin()),
                                   std::make_move_iterator(pending_.begin() + taken));
    pending_.erase(pending_.begin(), pending_.begin() + taken);
    const steady_clock::time_point oldest = oldest_pending_;
    if (!pending_.empty()) {
      oldest_pending_ = steady_clock::now();  // the rest waits from here on
    }
    SideRows side = std::move(pending_side_);
    pending_side_ = SideRows();
    lock.unlock();
    const bool written = WriteBatch(&batch, &side, oldest);
    failing = !written;
    lock.lock();
    stats_.pending = static_cast<int64_t>(pending_.size());
    if (!stopping) {
      continue;
    }
    if (pending_.empty() && pending_side_.empty() && unrecorded_losses_ == 0) {
      break;
    }
    if (steady_clock::now() >= *give_up_at) {
      const size_t unwritten =
          pending_.size() + pending_side_.feedback.size() + pending_side_.shadow.size();
      if (unwritten > 0) {
        spdlog::error("ledger: {} rows could not be written before shutdown: {}", unwritten,
                      stats_.last_error);
        stats_.lost += static_cast<int64_t>(unwritten);
        pending_.clear();
        pending_side_ = SideRows();
        stats_.pending = 0;
      }
      break;
    }
    if (!written) {
      lock.unlock();
      std::this_thread::sleep_for(std::min(interval, milliseconds(50)));
      lock.lock();
    }
  }
}

bool LedgerWriter::WriteBatch(std::vector<LedgerEntry>* batch, SideRows* side,
                              steady_clock::time_point oldest) {
  Status status;
  if (!store_) {
    Result<LedgerStore> opened = LedgerStore::Open(path_, options_.store);
    if (opened) {
      store_.emplace(std::move(*opened));
    } else {
      status = opened.error();
    }
  }
  if (store_) {
    status = store_->Insert(*batch);
  }
  const bool rows_written = status.ok() && store_.has_value();
  if (rows_written) {
    // Each table in its own transaction: what was written is cleared, so
    // a retry never writes it twice.
    status = store_->InsertFeedback(side->feedback);
    if (status.ok()) {
      side->feedback.clear();
      status = store_->InsertShadow(side->shadow);
    }
    if (status.ok()) {
      side->shadow.clear();
    }
  }
  std::unique_lock lock(mutex_);
  if (!status.ok()) {
    if (!stats_.failing) {
      spdlog::warn("ledger: cannot write {}: {}; rows wait and are retried", path_,
                   status.message());
    }
    stats_.failing = true;
    stats_.last_error = status.message();
    if (status.code() != ErrorCode::kUnavailable) {
      store_.reset();  // reopen next time (the file may have gone)
    }
    if (!batch->empty() && !rows_written) {
      pending_.insert(pending_.begin(), std::make_move_iterator(batch->begin()),
                      std::make_move_iterator(batch->end()));
      oldest_pending_ = oldest;
    }
    if (rows_written) {
      stats_.written += static_cast<int64_t>(batch->size());
    }
    pending_side_.feedback.insert(pending_side_.feedback.begin(),
                                  std::make_move_iterator(side->feedback.begin()),
                                  std::make_move_iterator(side->feedback.end()));
    pending_side_.shadow.insert(pending_side_.shadow.begin(),
                                std::make_move_iterator(side->shadow.begin()),
                                std::make_move_iterator(side->shadow.end()));
    const auto excess = static_cast<int64_t>(pending_.size()) - options_.max_pending;
    if (excess > 0) {
      pending_.erase(pending_.end() - excess, pending_.end());
      Drop(excess, "more than " + std::to_string(options_.max_pending) +
                       " rows were waiting to be written (" + stats_.last_error + ")");
    }
    return false;
  }
  if (stats_.failing) {
    spdlog::info("ledger: writing again ({} rows were waiting)", batch->size());
  }
  stats_.failing = false;
  stats_.written += static_cast<int64_t>(batch->size());
  if (!batch->empty()) {
    stats_.last_lag_ms = std::chrono::duration_cast<milliseconds>(
                             steady_clock::now() - oldest)
                             .count();
  }
  if (unrecorded_losses_ > 0) {
    // Written without the lock: Enqueue never waits for the disk.
    const LedgerLoss loss{UnixMillisNow(), unrecorded_losses_, loss_reason_};
    unrecorded_losses_ = 0;
    lock.unlock();
    const bool recorded = store_->RecordLoss(loss).ok();
    lock.lock();
    if (!recorded) {
      unrecorded_losses_ += loss.rows;  // try again with the next batch
    }
  }
  return true;
}

}  // namespace duet
