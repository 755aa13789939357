#include "httpserver/internal/session.h"

#include <algorithm>
#include <array>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "absl/strings/match.h"
#include "common/strings.h"
#include "httpserver/internal/responder.h"
#include "httpserver/internal/stream_impl.h"
#include "httpserver/internal/tls_context.h"
#include "httpserver/internal/url.h"

namespace cubelet::httpserver::internal {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

// At most a TLS record per read. The read buffer exists only while bytes are being handed over
// (TlsStream::AsyncRead), so a connection waiting for its client holds none.
constexpr size_t kReadSize = 16 * 1024;
// Small responses and stream chunks are copied into one buffer (one TLS record, one syscall)
// up to this size; a larger body is written from its own string.
constexpr size_t kCoalesceBytes = 64 * 1024;

bool IsDisconnect(const error_code& ec) {
  return ec == net::error::eof || ec == net::ssl::error::stream_truncated ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe;
}

std::string FormatEndpoint(const net::ip::tcp::endpoint& ep) {
  const net::ip::address a = ep.address();
  if (a.is_v6()) return StrCat("[", a.to_string(), "]:", ep.port());
  return StrCat(a.to_string(), ":", ep.port());
}

// absl's ASCII comparison; Debian's Abseil has its own string_view type.
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()), absl::string_view(b.data(), b.size()));
}

std::string_view ToStd(boost::beast::string_view s) { return std::string_view(s.data(), s.size()); }

// Gives a string's memory back; `s = std::string()` would keep it (libstdc++ keeps the heap
// buffer when the moved-from string is short), and an idle watch would hold its largest write.
void FreeString(std::string& s) { std::string().swap(s); }

}  // namespace

Session::Session(std::shared_ptr<ServerCore> core, Socket socket)
    : core_(std::move(core)),
      strand_(socket.get_executor()),
      stream_(std::move(socket), core_->tls()),
      timer_(strand_) {
  error_code ec;
  const auto ep = stream_.socket().remote_endpoint(ec);
  remote_address_ = ec ? "unknown" : FormatEndpoint(ep);
}

Session::~Session() { core_->RemoveSession(this); }

void Session::Start() {
  net::dispatch(strand_, [self = shared_from_this()] {
    if (self->phase_ == Phase::kClosed) return;
    self->SetDeadline(self->core_->handshake_timeout());
    self->stream_.AsyncHandshake([self](const error_code& ec) { self->OnHandshake(ec); });
  });
}

void Session::Abort() {
  net::post(strand_, [self = shared_from_this()] { self->Close("server stopping"); });
}

void Session::OnHandshake(const error_code& ec) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    Close(StrCat("TLS handshake: ", ec.message()));
    return;
  }
  client_certificate_ = VerifiedClientCertificate(stream_.native_handle());
  AwaitRequest();
}

// ---- reading a request ----

void Session::AwaitRequest() {
  phase_ = Phase::kIdle;
  parser_.reset();
  method_.clear();
  peer_eof_ = false;
  if (buffer_.size() > 0) {
    BeginRequest();  // pipelined
    return;
  }
  buffer_.shrink_to_fit();  // an idle connection keeps no read buffer
  SetDeadline(core_->idle_timeout());
  Read();
}

void Session::BeginRequest() {
  phase_ = Phase::kHeader;
  SetDeadline(core_->header_timeout());
  parser_ = std::make_unique<Parser>();
  const ServerOptions& o = core_->options();
  parser_->header_limit(static_cast<std::uint32_t>(std::min<size_t>(o.max_header_bytes, UINT32_MAX)));
  parser_->body_limit(o.max_body_bytes);
  Parse();
}

void Session::Read() {
  if (read_pending_ || phase_ == Phase::kClosed) return;
  read_pending_ = true;
  stream_.AsyncRead(kReadSize, [self = shared_from_this()](const error_code& ec, std::string_view data) {
    self->OnRead(ec, data);
  });
}

void Session::OnRead(const error_code& ec, std::string_view data) {
  read_pending_ = false;
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    OnReadError(ec);
    return;
  }
  if (phase_ == Phase::kClosing) {  // draining what the client still sends
    Read();
    return;
  }
  buffer_.commit(net::buffer_copy(buffer_.prepare(data.size()), net::buffer(data.data(), data.size())));
  switch (phase_) {
    case Phase::kIdle:
      BeginRequest();
      break;
    case Phase::kHeader:
    case Phase::kBody:
      if (!write_pending_) Parse();  // else "100 Continue" is being written; its completion parses
      break;
    case Phase::kStreaming:
      // Keep watching for the client leaving. Bytes it sends meanwhile are a pipelined request;
      // past a few KiB stop reading and leave the rest in the socket until the stream ends (the
      // stream's own writes will still notice a dead client).
      if (buffer_.size() < kReadSize) Read();
      break;
    default:
      break;  // handling or responding: the bytes wait for the next request
  }
}

void Session::OnReadError(const error_code& ec) {
  switch (phase_) {
    case Phase::kHandling:
    case Phase::kResponding:
      if (IsDisconnect(ec)) {
        peer_eof_ = true;  // answer, then close
        return;
      }
      break;
    case Phase::kStreaming:
      Close(StrCat("client left its stream: ", ec.message()));
      return;
    default:
      break;
  }
  Close(ec == net::error::eof ? "client closed the connection" : StrCat("read: ", ec.message()));
}

void Session::Parse() {
  for (;;) {
    if (buffer_.size() == 0) {
      Read();
      return;
    }
    error_code ec;
    const bool header_was_done = parser_->is_header_done();
    const size_t n = parser_->put(buffer_.data(), ec);
    buffer_.consume(n);
    if (ec == http::error::need_more) {
      Read();
      return;
    }
    if (ec) {
      RejectRequest(ec);
      return;
    }
    if (!header_was_done && parser_->is_header_done() && !OnHeader()) return;
    if (parser_->is_done()) {
      Dispatch();
      return;
    }
    if (n == 0 && header_was_done) {  // no progress without more input
      Read();
      return;
    }
  }
}

bool Session::OnHeader() {
  phase_ = Phase::kBody;
  SetDeadline(core_->idle_timeout());
  const auto& req = parser_->get();
  method_ = std::string(ToStd(req.method_string()));
  http_minor_ = req.version() == 10 ? 0 : 1;
  keep_alive_ = req.keep_alive();
  // Issue 12 hooks in here: a request with `Upgrade:` (SPDY/3.1, websocket) goes to the handler
  // as usual, and its Responder can take over `stream_` and `buffer_` (see the file comment).
  parser_->eager(true);
  const auto expect = req.find(http::field::expect);
  if (http_minor_ == 1 && expect != req.end() && EqualsIgnoreCase(ToStd(expect->value()), "100-continue") &&
      !parser_->is_done()) {
    // The body is within limits (an oversized Content-Length already failed in the parser), so
    // tell the client to send it.
    wire_ = std::string(kContinue);
    write_pending_ = true;
    stream_.AsyncWrite({net::buffer(wire_)}, [self = shared_from_this()](const error_code& ec, size_t) {
      self->write_pending_ = false;
      FreeString(self->wire_);
      if (self->phase_ == Phase::kClosed) return;
      if (ec) {
        self->Close(StrCat("write 100 Continue: ", ec.message()));
        return;
      }
      self->Parse();
    });
    return false;
  }
  return true;
}

void Session::RejectRequest(const error_code& ec) {
  int status = 400;
  std::string message;
  if (ec == http::error::body_limit) {
    status = 413;
    message = StrCat("request body too large: the limit is ", core_->options().max_body_bytes, " bytes");
  } else if (ec == http::error::header_limit) {
    status = 431;
    message = StrCat("request header too large: the limit is ", core_->options().max_header_bytes, " bytes");
  } else {
    message = StrCat("malformed HTTP request: ", ec.message());
  }
  core_->logger().VInfo(2, "Rejected HTTP request",
                        {{"remote", remote_address_}, {"status", status}, {"reason", message}});
  // The rest of the request cannot be skipped reliably: answer, then close.
  keep_alive_ = false;
  if (!parser_->is_header_done()) http_minor_ = 1;
  WriteResponse(core_->ErrorResponse(status, message), AfterWrite::kDrainAndClose);
}

void Session::Dispatch() {
  phase_ = Phase::kHandling;
  ClearDeadline();
  auto& msg = parser_->get();
  Request request;
  request.method = method_;
  request.target = std::string(ToStd(msg.target()));
  std::optional<DecodedTarget> decoded = DecodeTarget(request.target);
  if (!decoded) {
    parser_.reset();
    WriteResponse(core_->ErrorResponse(400, "malformed request target"),
                  keep_alive_ ? AfterWrite::kNextRequest : AfterWrite::kCloseNotify);
    return;
  }
  request.path = std::move(decoded->path);
  request.query = std::move(decoded->query);
  for (const auto& field : msg) {
    request.headers.Add(std::string(ToStd(field.name_string())), std::string(ToStd(field.value())));
  }
  request.body = std::move(msg.body());
  request.client_certificate = client_certificate_;
  request.remote_address = remote_address_;
  parser_.reset();

  auto responder = std::make_shared<ResponderImpl>(shared_from_this(), ++request_id_);
  std::function<void()> task = [core = core_, request = std::move(request),
                                responder = std::move(responder)]() mutable {
    core->handler()(std::move(request), std::move(responder));
  };
  if (!core_->workers().Submit(task)) Close("server stopping");
}

// ---- writing whole responses ----

void Session::OnResponse(uint64_t request, Response response) {
  if (phase_ != Phase::kHandling || request != request_id_) return;  // closed, or stale
  WriteResponse(std::move(response),
                keep_alive_ && !peer_eof_ ? AfterWrite::kNextRequest : AfterWrite::kCloseNotify);
}

void Session::WriteResponse(Response response, AfterWrite after) {
  phase_ = Phase::kResponding;
  after_write_ = after;
  if (after != AfterWrite::kNextRequest) keep_alive_ = false;
  const int status = response.status;
  ResponseHead head{.http_minor = http_minor_,
                    .status = status,
                    .headers = &response.headers,
                    .framing = status < 200 || status == 204 || status == 304 ? Framing::kNone
                                                                              : Framing::kContentLength,
                    .content_length = response.body.size(),
                    .keep_alive = keep_alive_};
  wire_ = FormatResponseHead(head);
  if (ResponseHasBody(method_, status)) {
    if (response.body.size() <= kCoalesceBytes) {
      wire_.append(response.body);
    } else {
      body_ = std::move(response.body);
    }
  }
  SetDeadline(core_->idle_timeout());
  write_pending_ = true;
  auto done = [self = shared_from_this()](const error_code& ec, size_t) { self->OnResponseWritten(ec); };
  stream_.AsyncWrite({net::buffer(wire_), net::buffer(body_)}, std::move(done));
}

void Session::OnResponseWritten(const error_code& ec) {
  write_pending_ = false;
  FreeString(wire_);
  FreeString(body_);
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    Close(StrCat("write response: ", ec.message()));
    return;
  }
  if (after_write_ != AfterWrite::kNextRequest) {
    GracefulClose(after_write_);
    return;
  }
  AwaitRequest();
}

// ---- streams ----

void Session::OnStreamStart(uint64_t request, std::shared_ptr<StreamImpl> stream, int status, Headers headers) {
  if (phase_ != Phase::kHandling || request != request_id_) {
    if (std::function<void()> on_close = stream->MarkClosed()) on_close();
    return;
  }
  phase_ = Phase::kStreaming;
  stream_state_ = std::move(stream);
  if (peer_eof_) {  // the client already left
    Close("client left before its stream started");
    return;
  }
  // HTTP/1.0 has no chunked encoding: the body runs until the connection closes.
  stream_framing_ = http_minor_ == 1 ? Framing::kChunked : Framing::kUntilClose;
  if (http_minor_ == 0) keep_alive_ = false;
  wire_ = FormatResponseHead({.http_minor = http_minor_,
                              .status = status,
                              .headers = &headers,
                              .framing = stream_framing_,
                              .content_length = 0,
                              .keep_alive = keep_alive_});
  // A stream stays open as long as its writer wants; only a stuck write times out.
  ClearDeadline();
  if (buffer_.size() == 0) buffer_.shrink_to_fit();
  Read();
  PumpStream();
}

void Session::OnStreamReady() {
  if (phase_ != Phase::kStreaming || write_pending_) return;  // the write's completion pumps
  PumpStream();
}

void Session::OnStreamOverflow() {
  if (phase_ != Phase::kStreaming) return;
  core_->logger().VInfo(2, "Dropping a client too slow to read its stream",
                        {{"remote", remote_address_},
                         {"bufferBytes", static_cast<unsigned long>(core_->options().stream_buffer_bytes)}});
  Close("client too slow");
}

void Session::PumpStream() {
  StreamImpl::Batch batch = stream_state_->TakeBatch(kCoalesceBytes);
  for (const auto& chunk : batch.chunks) {
    if (stream_framing_ == Framing::kChunked) {
      AppendChunk(wire_, *chunk);
    } else {
      wire_.append(*chunk);
    }
    stream_bytes_in_flight_ += chunk->size();
  }
  if (batch.finish) {
    if (stream_framing_ == Framing::kChunked) wire_.append(kLastChunk);
    stream_finishing_ = true;
  }
  if (!wire_.empty()) {
    WriteStream();
  } else if (stream_finishing_) {  // HTTP/1.0 stream finished with nothing left to write
    OnStreamWritten({});
  }
}

void Session::WriteStream() {
  SetDeadline(core_->idle_timeout());
  write_pending_ = true;
  stream_.AsyncWrite({net::buffer(wire_)},
                     [self = shared_from_this()](const error_code& ec, size_t) { self->OnStreamWritten(ec); });
}

void Session::OnStreamWritten(const error_code& ec) {
  write_pending_ = false;
  FreeString(wire_);
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    Close(StrCat("write stream: ", ec.message()));
    return;
  }
  stream_state_->Sent(std::exchange(stream_bytes_in_flight_, 0));
  ClearDeadline();
  if (stream_finishing_) {
    stream_finishing_ = false;
    stream_state_->MarkFinished();
    stream_state_.reset();
    if (!keep_alive_) {
      GracefulClose(AfterWrite::kCloseNotify);
      return;
    }
    AwaitRequest();
    return;
  }
  PumpStream();
}

// ---- closing and timeouts ----

void Session::GracefulClose(AfterWrite how) {
  phase_ = Phase::kClosing;
  SetDeadline(core_->linger_timeout());
  if (how == AfterWrite::kCloseNotify && !read_pending_) {
    // The request was read whole: say goodbye with TLS close_notify, so a client reading until
    // the close (HTTP/1.0) sees a clean end, and wait a moment for its reply.
    stream_.AsyncShutdown([self = shared_from_this()](const error_code&) { self->Close("closed after response"); });
    return;
  }
  // Unread request bytes may still come (a rejected body). Closing with them unread would make
  // the kernel reset the connection, and the client could lose the response; so send FIN and
  // read and discard until the client closes or the linger time runs out.
  error_code ignored;
  stream_.socket().shutdown(net::socket_base::shutdown_send, ignored);
  buffer_.clear();
  Read();
}

void Session::Close(std::string_view reason) {
  if (phase_ == Phase::kClosed) return;
  core_->logger().VInfo(4, "HTTP connection closed", {{"remote", remote_address_}, {"reason", reason},
                                                       {"phase", static_cast<int>(phase_)}});
  phase_ = Phase::kClosed;
  ClearDeadline();
  error_code ignored;
  stream_.socket().shutdown(net::socket_base::shutdown_both, ignored);
  stream_.socket().close(ignored);
  parser_.reset();
  buffer_ = boost::beast::flat_buffer();
  if (stream_state_ != nullptr) {
    std::function<void()> on_close = stream_state_->MarkClosed();
    stream_state_.reset();
    if (on_close) on_close();
  }
  core_->RemoveSession(this);
}

void Session::SetDeadline(absl::Duration d) {
  if (d <= absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    ClearDeadline();
    return;
  }
  const uint64_t generation = ++deadline_generation_;
  timer_.expires_after(absl::ToChronoNanoseconds(d));
  timer_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
    if (ec || generation != self->deadline_generation_) return;
    self->OnDeadline();
  });
}

void Session::ClearDeadline() {
  ++deadline_generation_;
  timer_.cancel();
}

void Session::OnDeadline() {
  switch (phase_) {
    case Phase::kHandshake:
      Close("TLS handshake timed out");
      break;
    case Phase::kIdle:
      Close("idle timeout");
      break;
    case Phase::kHeader:
    case Phase::kBody:
      Close("request not received in time");
      break;
    case Phase::kResponding:
    case Phase::kStreaming:
      Close("client not reading: write timed out");
      break;
    case Phase::kClosing:
      Close("linger time over");
      break;
    default:
      break;
  }
}

}  // namespace cubelet::httpserver::internal
