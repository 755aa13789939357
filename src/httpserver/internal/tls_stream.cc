#include "httpserver/internal/tls_stream.h"

#include <openssl/err.h>
#include <sys/socket.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <climits>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

namespace cubelet::httpserver::internal {
namespace {

namespace net = boost::asio;
using boost::system::error_code;

// Plaintext encrypted per step of a write: its ciphertext is sent before the next step, so this
// bounds `pending_` (four full records).
constexpr size_t kWriteStepBytes = 64 * 1024;
// Per-record overhead of TLS 1.2/1.3 AEAD ciphers, with room to spare (a hint: the buffer grows
// if a CBC suite needs more).
constexpr size_t kRecordOverhead = 64;
constexpr size_t kMaxRecord = 16 * 1024;

// Gives a string's memory back (assigning std::string() would keep the heap buffer).
void FreeString(std::string& s) { std::string().swap(s); }

}  // namespace

// The BIO under every connection's SSL: reads go straight to the socket; writes land in
// `pending_`. Both are non-blocking, so OpenSSL returns WANT_READ rather than wait.
struct TlsStream::Bio {
  static BIO_METHOD* Method() {
    static BIO_METHOD* const method = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "cubelet-tls-socket");
      BIO_meth_set_read(m, &Read);
      BIO_meth_set_write(m, &Write);
      BIO_meth_set_ctrl(m, &Ctrl);
      BIO_meth_set_create(m, &Create);
      return m;
    }();
    return method;
  }
  static TlsStream* Stream(BIO* bio) { return static_cast<TlsStream*>(BIO_get_data(bio)); }
  static int Read(BIO* bio, char* data, int size) { return Stream(bio)->BioRead(bio, data, size); }
  static int Write(BIO* bio, const char* data, int size) { return Stream(bio)->BioWrite(bio, data, size); }
  static long Ctrl(BIO*, int cmd, long, void*) {
    // A flush has nothing to do (the stream sends `pending_` after each call); everything else
    // (kTLS, pending counts) is unsupported.
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
  }
  static int Create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }
};

TlsStream::TlsStream(Socket socket, SSL_CTX* ctx) : socket_(std::move(socket)) {
  ssl_ = SSL_new(ctx);
  if (ssl_ == nullptr) {
    ERR_clear_error();
    return;
  }
  BIO* bio = BIO_new(Bio::Method());
  if (bio == nullptr) {
    ERR_clear_error();
    SSL_free(ssl_);
    ssl_ = nullptr;
    return;
  }
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);
  SSL_set_accept_state(ssl_);
  SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS);
}

TlsStream::TlsStream(TlsStream&& other) noexcept
    : socket_(std::move(other.socket_)), ssl_(std::exchange(other.ssl_, nullptr)) {
  assert(!other.send_in_flight_ && !other.read_done_ && !other.write_done_ && !other.handshake_done_ &&
         !other.shutdown_done_);
  if (ssl_ != nullptr) BIO_set_data(SSL_get_rbio(ssl_), this);
  write_error_ = other.write_error_;
}

TlsStream::~TlsStream() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

void TlsStream::AsyncHandshake(Handler done) {
  handshake_done_ = std::move(done);
  Post(kHandshake);
}

void TlsStream::AsyncRead(size_t max_bytes, ReadHandler done) {
  read_max_ = std::clamp<size_t>(max_bytes, 1, INT_MAX);
  read_done_ = std::move(done);
  Post(kRead);
}

void TlsStream::AsyncWrite(WriteBuffers buffers, IoHandler done) {
  write_buffers_ = buffers;
  write_index_ = 0;
  write_offset_ = 0;
  written_ = 0;
  write_done_ = std::move(done);
  Post(kWrite);
}

void TlsStream::AsyncShutdown(Handler done) {
  shutdown_done_ = std::move(done);
  Post(kShutdown);
}

// Never run an operation inside the call that starts it: its handler could then run inside the
// caller.
void TlsStream::Post(Op op) {
  net::post(socket_.get_executor(), [this, op] { Run(op); });
}

void TlsStream::Run(Op op) {
  if (ssl_ == nullptr) {
    Complete(op, net::error::no_memory, 0);
    return;
  }
  if (!socket_.is_open()) {
    Complete(op, net::error::operation_aborted, 0);
    return;
  }
  ERR_clear_error();
  io_error_ = {};
  saw_eof_ = false;
  Outcome outcome;
  outcome.result = Call(op);
  outcome.ssl_error = outcome.result > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, outcome.result);
  outcome.ec = ErrorOf(outcome.ssl_error);
  ERR_clear_error();
  // Whatever OpenSSL wrote (records, an alert, a KeyUpdate answering the peer's) goes out before
  // the operation goes on; the operation's handler keeps this object alive meanwhile.
  if (!pending_.empty()) {
    AwaitSent(op, outcome);
    return;
  }
  Continue(op, outcome, {});
}

int TlsStream::Call(Op op) {
  switch (op) {
    case kHandshake:
      return SSL_do_handshake(ssl_);
    case kRead: {
      // Peeking waits for a record (and answers what is not application data) without needing a
      // buffer; then exactly what the record holds is read.
      char probe;
      const int r = SSL_peek(ssl_, &probe, 1);
      if (r <= 0) return r;
      read_data_.resize(std::min(read_max_, static_cast<size_t>(std::max(1, SSL_pending(ssl_)))));
      return SSL_read(ssl_, read_data_.data(), static_cast<int>(read_data_.size()));
    }
    case kWrite: {
      size_t budget = std::min(kWriteStepBytes, UnwrittenBytes());
      // One allocation for the step's records, sized by what is written: a watch event to
      // thousands of streams must not reserve a full step each.
      pending_.reserve(pending_.size() + budget + (budget / kMaxRecord + 2) * kRecordOverhead);
      while (budget > 0 && write_index_ < write_buffers_.size()) {
        const net::const_buffer& b = write_buffers_[write_index_];
        if (write_offset_ == b.size()) {
          ++write_index_;
          write_offset_ = 0;
          continue;
        }
        const size_t n = std::min(budget, b.size() - write_offset_);
        const int r = SSL_write(ssl_, static_cast<const char*>(b.data()) + write_offset_, static_cast<int>(n));
        if (r <= 0) return r;
        write_offset_ += static_cast<size_t>(r);
        written_ += static_cast<size_t>(r);
        budget -= static_cast<size_t>(r);
      }
      return 1;
    }
    case kShutdown: {
      // As Asio: the first call sends close_notify, the second waits for the peer's.
      int r = SSL_shutdown(ssl_);
      if (r == 0) r = SSL_shutdown(ssl_);
      return r;
    }
    case kOpCount:
      break;
  }
  return -1;
}

size_t TlsStream::UnwrittenBytes() const {
  size_t n = 0;
  for (size_t i = write_index_; i < write_buffers_.size(); ++i) n += write_buffers_[i].size();
  return n - (write_index_ < write_buffers_.size() ? write_offset_ : 0);
}

error_code TlsStream::ErrorOf(int ssl_error) {
  switch (ssl_error) {
    case SSL_ERROR_NONE:
    case SSL_ERROR_WANT_READ:
      return {};
    case SSL_ERROR_ZERO_RETURN:
      return net::error::eof;
    case SSL_ERROR_SYSCALL:
      if (io_error_) return io_error_;
      if (saw_eof_) return net::ssl::error::stream_truncated;
      return net::ssl::error::unspecified_system_error;
    case SSL_ERROR_SSL: {
      const unsigned long e = ERR_peek_error();
      if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        return net::ssl::error::stream_truncated;
      }
      if (io_error_) return io_error_;
      return error_code(static_cast<int>(ERR_get_error()), net::error::get_ssl_category());
    }
    default:  // WANT_WRITE cannot happen (the BIO takes every write); the rest need callbacks
      return net::ssl::error::unexpected_result;
  }
}

void TlsStream::Continue(Op op, Outcome outcome, const error_code& write_ec) {
  if (outcome.ec) {
    Complete(op, outcome.ec, 0);
    return;
  }
  if (write_ec) {
    Complete(op, write_ec, 0);
    return;
  }
  if (outcome.ssl_error == SSL_ERROR_WANT_READ) {
    socket_.async_wait(net::socket_base::wait_read, [this, op](const error_code& ec) {
      if (ec) {
        Complete(op, ec, 0);
        return;
      }
      Run(op);
    });
    return;
  }
  if (op == kWrite) {
    if (UnwrittenBytes() > 0) {
      Run(kWrite);  // the previous slice was sent: encrypt the next
      return;
    }
    Complete(kWrite, {}, written_);
    return;
  }
  Complete(op, {}, op == kRead ? static_cast<size_t>(outcome.result) : 0);
}

void TlsStream::Complete(Op op, const error_code& ec, size_t bytes) {
  switch (op) {
    case kHandshake:
      std::exchange(handshake_done_, nullptr)(ec);
      break;
    case kRead: {
      std::string data;
      data.swap(read_data_);
      data.resize(ec ? 0 : bytes);
      std::exchange(read_done_, nullptr)(ec, data);
      break;
    }
    case kWrite:
      write_buffers_ = {};
      std::exchange(write_done_, nullptr)(ec, bytes);
      break;
    case kShutdown:
      std::exchange(shutdown_done_, nullptr)(ec);
      break;
    case kOpCount:
      break;
  }
}

// ---- sending what OpenSSL wrote ----

void TlsStream::AwaitSent(Op op, Outcome outcome) {
  outcomes_[op] = std::move(outcome);
  awaiting_send_ |= 1u << op;
  if (!send_in_flight_) SendPending();
}

void TlsStream::SendPending() {
  if (pending_.empty() || write_error_) {
    send_in_flight_ = false;
    FreeString(pending_);
    const unsigned waiting = std::exchange(awaiting_send_, 0);
    for (int op = 0; op < kOpCount; ++op) {
      if (waiting & (1u << op)) Continue(static_cast<Op>(op), std::move(outcomes_[op]), write_error_);
    }
    return;
  }
  send_in_flight_ = true;
  sending_.swap(pending_);
  net::async_write(socket_, net::buffer(sending_), [this](const error_code& ec, size_t) {
    FreeString(sending_);
    if (ec) write_error_ = ec;
    SendPending();
  });
}

// ---- the BIO ----

int TlsStream::BioRead(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  for (;;) {
    const ssize_t n = ::recv(socket_.native_handle(), data, static_cast<size_t>(size), MSG_DONTWAIT);
    if (n > 0) return static_cast<int>(n);
    if (n == 0) {
      saw_eof_ = true;
      return 0;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      BIO_set_retry_read(bio);
    } else {
      io_error_ = error_code(errno, boost::system::system_category());
    }
    return -1;
  }
}

int TlsStream::BioWrite(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  if (write_error_) {
    io_error_ = write_error_;
    return -1;
  }
  pending_.append(data, static_cast<size_t>(size));
  return size;
}

}  // namespace cubelet::httpserver::internal
