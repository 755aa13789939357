// Owns: one server-side TLS connection on an accepted TCP socket, on OpenSSL's C API: the
// handshake, reads, writes and close_notify, with Asio waiting on the socket. OpenSSL reads the
// socket itself (a BIO of ours calls recv); what it writes is gathered in a buffer of ours and
// sent with Asio.
// Does not own: the TLS configuration (tls_context.h), HTTP (session.h).
//
// Why not Asio's ssl::stream: it keeps two 17 KiB record buffers and a 2 x 17 KiB BIO pair per
// connection whatever the traffic, about 68 KiB of each idle watch. Here an idle connection holds
// no buffer at all: OpenSSL's record buffers are released between records
// (SSL_MODE_RELEASE_BUFFERS), nothing waits in ours, and a pending read is only a wait for the
// socket to become readable. What stays is OpenSSL's per-connection state (keys, the session,
// the peer's certificate).
//
// OpenSSL never waits to write: the BIO takes everything it is given, so no OpenSSL call is ever
// left half done by a full socket (OpenSSL demands that such a call be repeated before any
// other write, which a read answering the peer, with an alert or a KeyUpdate, would break).
// Whatever an operation made OpenSSL write is sent before that operation goes on. Writes are
// encrypted a slice at a time and each slice is sent before the next is encrypted, which bounds
// the buffer.
//
// Contract, as for Asio's streams: every call and every handler runs on the socket's executor (a
// strand); at most one handshake, one read, one write and one shutdown are in flight, the
// handshake and the shutdown alone; a handler never runs inside the call that started its
// operation; the object must outlive its pending operations (their handlers keep the owner
// alive), and closing socket() makes them complete with an error.
//
// Errors: boost::asio::error::eof when the peer sent close_notify; ssl::error::stream_truncated
// when it closed TCP without one; system errors of the socket (connection_reset, broken_pipe,
// operation_aborted after a close); OpenSSL's errors in Asio's SSL category (their message() is
// OpenSSL's reason) for protocol failures.
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include "absl/functional/any_invocable.h"
#include "httpserver/internal/server_core.h"

namespace cubelet::httpserver::internal {

using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Strand>;

class TlsStream {
 public:
  using Handler = absl::AnyInvocable<void(const boost::system::error_code&)>;
  using IoHandler = absl::AnyInvocable<void(const boost::system::error_code&, size_t)>;
  // `data` is valid during the call only.
  using ReadHandler = absl::AnyInvocable<void(const boost::system::error_code&, std::string_view data)>;
  // Sent in order; a response head and a large body, or one buffer and an empty one.
  using WriteBuffers = std::array<boost::asio::const_buffer, 2>;

  // A server connection on `socket` configured by `ctx`. When OpenSSL cannot allocate it, the
  // handshake fails.
  TlsStream(Socket socket, SSL_CTX* ctx);
  ~TlsStream();
  // Only while no operation is in flight (an upgraded connection taking the stream over).
  TlsStream(TlsStream&& other) noexcept;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;
  TlsStream& operator=(TlsStream&&) = delete;

  Socket& socket() { return socket_; }
  // Null only when OpenSSL could not allocate the connection.
  SSL* native_handle() const { return ssl_; }

  void AsyncHandshake(Handler done);
  // Reads at least one byte and at most `max_bytes` (one record's worth at most). The buffer is
  // allocated once the bytes are there and freed after `done`, so a connection waiting for its
  // peer holds none.
  void AsyncRead(size_t max_bytes, ReadHandler done);
  // Writes everything; completes once the bytes were handed to the socket.
  void AsyncWrite(WriteBuffers buffers, IoHandler done);
  // Sends close_notify and waits for the peer's.
  void AsyncShutdown(Handler done);

 private:
  enum Op { kHandshake, kRead, kWrite, kShutdown, kOpCount };
  // What one OpenSSL call returned.
  struct Outcome {
    int result = 0;
    int ssl_error = SSL_ERROR_NONE;
    boost::system::error_code ec;
  };
  struct Bio;  // the BIO's callbacks

  void Post(Op op);
  // One OpenSSL call for `op`, then: send what it wrote, and go on as it asks.
  void Run(Op op);
  int Call(Op op);
  boost::system::error_code ErrorOf(int ssl_error);
  // After the call's output was sent (or failed to be): wait for input, call again, or finish.
  void Continue(Op op, Outcome outcome, const boost::system::error_code& write_ec);
  void Complete(Op op, const boost::system::error_code& ec, size_t bytes);
  size_t UnwrittenBytes() const;
  // Sends `pending_`, then continues the operations waiting for it.
  void AwaitSent(Op op, Outcome outcome);
  void SendPending();

  // The BIO's side, during an OpenSSL call.
  int BioRead(BIO* bio, char* data, int size);
  int BioWrite(BIO* bio, const char* data, int size);

  Socket socket_;
  SSL* ssl_ = nullptr;

  Handler handshake_done_;
  ReadHandler read_done_;
  IoHandler write_done_;
  Handler shutdown_done_;
  size_t read_max_ = 0;
  std::string read_data_;  // only between OpenSSL having the bytes and `read_done_`
  WriteBuffers write_buffers_;
  size_t write_index_ = 0;   // the buffer being encrypted
  size_t write_offset_ = 0;  // bytes of it encrypted
  size_t written_ = 0;       // bytes of the operation encrypted

  // Ciphertext OpenSSL wrote: `pending_` is filled by the BIO while `sending_` is on the wire;
  // both are released (not just cleared) once sent, so an idle connection keeps neither.
  std::string pending_;
  std::string sending_;
  bool send_in_flight_ = false;
  boost::system::error_code write_error_;  // a send failed: every later write fails too
  unsigned awaiting_send_ = 0;             // bit per Op
  std::array<Outcome, kOpCount> outcomes_;  // of the operations awaiting the send

  // Set by the BIO during one OpenSSL call, read by ErrorOf right after it.
  boost::system::error_code io_error_;  // the socket failed
  bool saw_eof_ = false;                // the peer closed TCP
};

}  // namespace cubelet::httpserver::internal
