#include "model_files/progress_meter.h"

#include <algorithm>
#include <cmath>
#include <ostream>

#include <fmt/format.h>

namespace duet::model_files {
namespace {

constexpr int kBarWidth = 30;

}  // namespace

ProgressMeter::ProgressMeter(std::ostream& out, const Clock& clock, Options options)
    : out_(out), clock_(clock), options_(options), started_(clock.SteadyNow()) {}

void ProgressMeter::Update(const DownloadProgress& progress) {
  std::lock_guard lock(mutex_);
  last_seen_ = progress;
  const auto now = clock_.SteadyNow();
  const auto interval = options_.terminal ? options_.redraw : options_.plain_interval;
  if (last_drawn_ && now - *last_drawn_ < interval) {
    return;
  }
  Draw(progress, now);
}

void ProgressMeter::Finish() {
  std::lock_guard lock(mutex_);
  if (last_seen_) {
    Draw(*last_seen_, clock_.SteadyNow());
  }
  if (line_open_) {
    out_ << "\n";
    line_open_ = false;
  }
  out_.flush();
}

void ProgressMeter::Draw(const DownloadProgress& progress,
                         std::chrono::steady_clock::time_point now) {
  last_drawn_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const uint64_t this_run =
      progress.bytes > progress.resumed_from ? progress.bytes - progress.resumed_from : 0;
  // Under a quarter second there are too few samples for a useful rate.
  const double rate = seconds >= 0.25 ? static_cast<double>(this_run) / seconds : 0;
  if (options_.terminal) {
    // \r returns to the line's start, ESC[K clears what a longer earlier
    // line left behind.
    out_ << "\r" << ProgressLine(progress, rate, true) << "\x1b[K";
    line_open_ = true;
  } else {
    out_ << ProgressLine(progress, rate, false) << "\n";
  }
  out_.flush();
}

std::string FormatBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) {
    return fmt::format("{} B", bytes);
  }
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string FormatDuration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) {
    return "?";
  }
  const auto total = static_cast<int64_t>(std::llround(seconds));
  const int64_t hours = total / 3600;
  const int64_t minutes = total / 60 % 60;
  const int64_t secs = total % 60;
  if (hours > 0) {
    return fmt::format("{}:{:02}:{:02}", hours, minutes, secs);
  }
  return fmt::format("{}:{:02}", minutes, secs);
}

std::string ProgressLine(const DownloadProgress& progress, double bytes_per_second,
                         bool bar) {
  const bool known = progress.total > 0;
  const auto total = static_cast<uint64_t>(known ? progress.total : 0);
  const double fraction =
      known ? std::min(1.0, static_cast<double>(progress.bytes) / static_cast<double>(total))
            : 0;
  const int percent = static_cast<int>(fraction * 100);
  std::string rate;
  std::string eta;
  if (bytes_per_second > 0) {
    rate = FormatBytes(static_cast<uint64_t>(bytes_per_second)) + "/s";
    if (known && progress.bytes <= total) {
      eta = FormatDuration(static_cast<double>(total - progress.bytes) / bytes_per_second);
    }
  }
  if (bar) {
    std::string line;
    if (known) {
      const int filled = static_cast<int>(fraction * kBarWidth);
      std::string drawn(static_cast<size_t>(filled), '=');
      if (filled < kBarWidth) {
        drawn += '>';
        drawn.append(static_cast<size_t>(kBarWidth - filled - 1), ' ');
      }
      line = fmt::format("{:3}% [{}] {} / {}", percent, drawn, FormatBytes(progress.bytes),
                         FormatBytes(total));
    } else {
      line = FormatBytes(progress.bytes);
    }
    if (!rate.empty()) {
      line += "  " + rate;
    }
    if (!eta.empty()) {
      line += "  ETA " + eta;
    }
    return line;
  }
  std::string line = known ? fmt::format("{} of {} ({}%)", FormatBytes(progress.bytes),
                                         FormatBytes(total), percent)
                           : FormatBytes(progress.bytes);
  if (!rate.empty()) {
    line += ", " + rate;
  }
  if (!eta.empty()) {
    line += ", about " + eta + " left";
  }
  return line;
}

}  // namespace duet::model_files
