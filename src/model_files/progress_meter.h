// ProgressMeter: how `duet pull` shows a download going.
//
// On a terminal, one line redrawn in place at most every `redraw` (10 times
// a second by default):
//
//   45% [=============>                 ] 1.2 GiB / 2.6 GiB  35.1 MiB/s  ETA 0:41
//
// Anywhere else (a pipe, a log file, CI) a plain line every
// `plain_interval` instead, so logs do not fill with carriage returns:
//
//   1.2 GiB of 2.6 GiB (45%), 35.1 MiB/s, about 0:41 left
//
// The rate counts only this run's bytes (a resumed prefix arrived earlier)
// and is measured on the injected Clock, so tests control time.
//
// Thread safety: Update and Finish may be called from any thread; calls
// are serialized.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "model_files/http_download.h"

namespace duet::model_files {

class ProgressMeter {
 public:
  struct Options {
    bool terminal = false;
    std::chrono::milliseconds redraw{100};
    std::chrono::milliseconds plain_interval{5'000};
  };

  // `out` and `clock` must outlive the meter.
  ProgressMeter(std::ostream& out, const Clock& clock, Options options);

  // Shows `progress` when the last line is old enough (the first call
  // always draws).
  void Update(const DownloadProgress& progress);
  // Draws the last progress seen (if any) and ends the line, so that what
  // follows starts on a line of its own.
  void Finish();

 private:
  void Draw(const DownloadProgress& progress, std::chrono::steady_clock::time_point now);

  std::ostream& out_;
  const Clock& clock_;
  const Options options_;
  std::mutex mutex_;
  const std::chrono::steady_clock::time_point started_;
  std::optional<std::chrono::steady_clock::time_point> last_drawn_;
  std::optional<DownloadProgress> last_seen_;
  bool line_open_ = false;  // a terminal line is waiting for its newline
};

// "512 B", "1.5 KiB", "2.0 GiB".
std::string FormatBytes(uint64_t bytes);

// "0:41", "12:05", "1:02:03"; "?" for a negative or absurd value.
std::string FormatDuration(double seconds);

// The terminal line (`bar`) or the plain line for `progress` at
// `bytes_per_second` (0 while unknown: no rate or ETA is shown).
std::string ProgressLine(const DownloadProgress& progress, double bytes_per_second,
                         bool bar);

}  // namespace duet::model_files
