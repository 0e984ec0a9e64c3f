#include "core/huge_page_buffer.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <utility>

namespace duet {

HugePageBuffer::HugePageBuffer(size_t bytes) {
  if (bytes == 0) {
    return;
  }
  const size_t rounded =
      (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  // One huge page more than needed, so an aligned start lies inside; the
  // slack on either side is unmapped again.
  const size_t mapped = rounded + kHugePageBytes;
  void* const mapping = mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) {
    throw std::bad_alloc();
  }
  const auto start = reinterpret_cast<uintptr_t>(mapping);
  const uintptr_t aligned =
      (start + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  if (aligned > start) {
    munmap(mapping, aligned - start);
  }
  const uintptr_t end = start + mapped;
  if (end > aligned + rounded) {
    munmap(reinterpret_cast<void*>(aligned + rounded),
           end - (aligned + rounded));
  }
  data_ = reinterpret_cast<void*>(aligned);
  size_ = bytes;
  mapped_bytes_ = rounded;
  // Advice, not a requirement: without huge pages the memory still works.
  static_cast<void>(madvise(data_, mapped_bytes_, MADV_HUGEPAGE));
}

HugePageBuffer::~HugePageBuffer() { Release(); }

HugePageBuffer::HugePageBuffer(HugePageBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_bytes_(std::exchange(other.mapped_bytes_, 0)) {}

HugePageBuffer& HugePageBuffer::operator=(HugePageBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_bytes_ = std::exchange(other.mapped_bytes_, 0);
  }
  return *this;
}

void HugePageBuffer::Release() {
  if (data_ != nullptr) {
    munmap(data_, mapped_bytes_);
  }
  data_ = nullptr;
  size_ = 0;
  mapped_bytes_ = 0;
}

}  // namespace duet
