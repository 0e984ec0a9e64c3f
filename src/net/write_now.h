// WriteNow: writes what a non-blocking socket takes without waiting.
//
// Most messages duet writes (a request upstream, a short answer to a
// client) fit in the socket's send buffer. Writing them at once skips what
// an asynchronous write costs on top of the system call: a timeout armed and
// cancelled, a composed operation, and a completion queued through the event
// loop. Only a remainder, if any, then needs an asynchronous write.
//
// REQUIRES: the socket is in non-blocking mode (socket.non_blocking(true));
// otherwise the write could block the event loop.
// Thread safety: the socket's own rules (its loop's thread only).
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <vector>

namespace duet::net {

// The bytes of `buffers` the socket took now: 0 when it would block, and 0
// on an error too, which the asynchronous write that follows then reports
// the usual way.
template <typename Socket, typename Buffers>
size_t WriteNow(Socket& socket, const Buffers& buffers) {
  boost::system::error_code error;
  const size_t written = socket.write_some(buffers, error);
  return error ? 0 : written;
}

// Drops the first `bytes` bytes of `buffers` (what a write took).
inline void ConsumeBuffers(std::vector<boost::asio::const_buffer>* buffers,
                           size_t bytes) {
  size_t done = 0;
  while (done < buffers->size() && bytes >= (*buffers)[done].size()) {
    bytes -= (*buffers)[done].size();
    ++done;
  }
  buffers->erase(buffers->begin(),
                 buffers->begin() + static_cast<std::ptrdiff_t>(done));
  if (!buffers->empty()) {
    (*buffers)[0] += bytes;
  }
}

}  // namespace duet::net
