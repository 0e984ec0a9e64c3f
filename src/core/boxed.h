// Boxed<T>: a value of T kept on the heap, for a large member that most
// instances of a small, often-moved struct leave at its default.
//
// It behaves as a T value: copying copies the T, comparing compares the Ts.
// Until something is written to it, it holds nothing and reads as a
// default-constructed T, so an unset Boxed costs one null pointer to move,
// copy and destroy. Moving hands the pointer over and leaves the source
// reading as a default T again.
//
// Use it where a struct travels in bulk and a member is set on few of its
// instances (ChatEvent's content block and route note: one event in several
// carries them). Everywhere else a plain member is simpler and faster.
//
// Thread safety: a value; reading a shared const Boxed from several threads
// is safe, writing needs the same care as writing a T.
#pragma once

#include <memory>
#include <utility>

namespace duet {

template <typename T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(T value)
      : value_(std::make_unique<T>(std::move(value))) {
  }  // NOLINT: a value type
  Boxed(const Boxed& other)
      : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& other) {
    if (this != &other) {
      value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    }
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  Boxed& operator=(T value) {
    mutable_get() = std::move(value);
    return *this;
  }

  // The value; a shared default T when nothing was ever written.
  const T& get() const { return value_ ? *value_ : Default(); }
  // The value to write to, created (default) on first use.
  T& mutable_get() {
    if (!value_) value_ = std::make_unique<T>();
    return *value_;
  }
  // Whether a value was written (a written value may equal the default).
  bool has_value() const { return value_ != nullptr; }

  friend bool operator==(const Boxed& a, const Boxed& b) {
    return a.get() == b.get();
  }

 private:
  static const T& Default() {
    static const T kDefault{};
    return kDefault;
  }

  std::unique_ptr<T> value_;
};

}  // namespace duet
