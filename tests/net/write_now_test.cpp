#include "net/write_now.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <string>
#include <vector>

namespace duet::net {
namespace {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

std::string Bytes(const std::vector<asio::const_buffer>& buffers) {
  std::string out;
  for (const asio::const_buffer& buffer : buffers) {
    out.append(static_cast<const char*>(buffer.data()), buffer.size());
  }
  return out;
}

class ConsumeBuffersTest : public ::testing::Test {
 protected:
  std::vector<asio::const_buffer> Buffers() {
    return {asio::buffer(head_), asio::buffer(empty_), asio::buffer(body_)};
  }
  const std::string head_ = "HEAD:";
  const std::string empty_;
  const std::string body_ = "the body";
};

TEST_F(ConsumeBuffersTest, DropsExactlyTheWrittenPrefix) {
  const std::string all = head_ + body_;
  for (size_t written = 0; written <= all.size(); ++written) {
    std::vector<asio::const_buffer> buffers = Buffers();
    ConsumeBuffers(&buffers, written);
    EXPECT_EQ(Bytes(buffers), all.substr(written))
        << "after " << written << " bytes";
    if (written > 0 && written < all.size()) {
      EXPECT_GT(buffers.front().size(), 0u)
          << "no empty buffer is left in front";
    }
  }
}

TEST_F(ConsumeBuffersTest, EverythingWrittenLeavesNoBuffers) {
  std::vector<asio::const_buffer> buffers = Buffers();
  ConsumeBuffers(&buffers, head_.size() + body_.size());
  EXPECT_TRUE(buffers.empty());
}

class WriteNowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    asio::local::connect_pair(writer_, reader_);
    writer_.non_blocking(true);
  }

  asio::io_context io_;
  Socket writer_{io_};
  Socket reader_{io_};
};

TEST_F(WriteNowTest, WritesWhatTheSocketTakesAndNeverBlocks) {
  const std::string small = "GET / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(WriteNow(writer_, asio::buffer(small)), small.size());

  // Far more than a socket buffers: the write stops where the buffer is full.
  const std::string large(64 * 1024 * 1024, 'x');
  const size_t taken = WriteNow(writer_, asio::buffer(large));
  EXPECT_GT(taken, 0u);
  EXPECT_LT(taken, large.size());
  EXPECT_EQ(WriteNow(writer_, asio::buffer(large)), 0u)
      << "a full socket takes nothing";

  std::string received(small.size(), '\0');
  asio::read(reader_, asio::buffer(received));
  EXPECT_EQ(received, small);
}

TEST_F(WriteNowTest, AnErrorIsLeftToTheAsynchronousWrite) {
  reader_.close();
  const std::string bytes = "to nobody";
  EXPECT_EQ(WriteNow(writer_, asio::buffer(bytes)), 0u);
  // The error is still there for the write that follows to report.
  boost::system::error_code error;
  writer_.write_some(asio::buffer(bytes), error);
  EXPECT_EQ(error, asio::error::broken_pipe);
}

}  // namespace
}  // namespace duet::net
