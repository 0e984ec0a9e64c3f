// HugePageBuffer: zero-filled memory for a large table that is read at
// random positions, such as the task classifier's 6 MiB of weights, which
// every routed request reads in a few thousand scattered rows.
//
// Why: with 4 KiB pages, each of those reads can also miss the TLB, and on
// a machine whose caches the local model's weights keep flushing, a page
// walk is itself a cache miss. The buffer is anonymous memory aligned to
// 2 MiB and advised MADV_HUGEPAGE, so where transparent huge pages are on
// ("always" or "madvise"; the development VM has "madvise") the kernel
// backs it with a few huge pages. Where they are off, or none is free, it
// is ordinary memory: only speed depends on it, never contents.
//
// Thread safety: as for a plain array (reads from any thread once written).
#pragma once

#include <cstddef>

namespace duet {

class HugePageBuffer {
 public:
  static constexpr size_t kHugePageBytes = size_t{2} << 20;

  HugePageBuffer() = default;
  // `bytes` of zeros (none for 0). Throws std::bad_alloc when the memory
  // cannot be mapped, as a standard container would.
  explicit HugePageBuffer(size_t bytes);
  ~HugePageBuffer();
  // A moved-from buffer is empty.
  HugePageBuffer(HugePageBuffer&& other) noexcept;
  HugePageBuffer& operator=(HugePageBuffer&& other) noexcept;
  HugePageBuffer(const HugePageBuffer&) = delete;
  HugePageBuffer& operator=(const HugePageBuffer&) = delete;

  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  void Release();

  void* data_ = nullptr;  // 2 MiB aligned
  size_t size_ = 0;
  size_t mapped_bytes_ = 0;  // size_ rounded up to whole huge pages
};

}  // namespace duet
