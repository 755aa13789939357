// Owns: one client connection: the TLS handshake, reading requests one at a time (Beast's
// parser over bytes the session reads itself), handing each to the worker pool, writing the
// answer (a whole response, or a chunked stream fed by StreamImpl), keep-alive, timeouts, and
// closing. Everything here runs on the connection's strand.
// Does not own: the TLS configuration (tls_context.h), a stream's queue (stream_impl.h), what a
// request means (the handler).
//
// One connection is a small state machine (Phase). There is at most one read and one write in
// flight (the TLS stream allows one of each at once), and one request at a time: the next
// request is parsed only after the current one's answer is written, which answers pipelined
// requests in order. While a stream is open a small read stays outstanding so that a client
// going away is noticed at once, even when the stream has nothing to write; the bytes it reads
// (a pipelined request) wait in the buffer for the stream's end.
//
// Upgrades (issue 12: exec/attach/port-forward over WebSocket and SPDY/3.1): OnHeader is where
// a request with `Upgrade:` is recognised. The plan is a Responder::Hijack-style call that moves
// `stream_` (a TlsStream moves while no operation is in flight) and the unparsed bytes of
// `buffer_` to an upgraded connection object and ends this state machine without closing the
// socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/time/time.h"
#include "httpserver/http_server.h"
#include "httpserver/internal/server_core.h"
#include "httpserver/internal/tls_stream.h"
#include "httpserver/internal/wire_format.h"

namespace cubelet::httpserver::internal {

class StreamImpl;

using Timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                boost::asio::wait_traits<std::chrono::steady_clock>, Strand>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerCore> core, Socket socket);
  ~Session();

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Strand& strand() const { return strand_; }
  const std::shared_ptr<ServerCore>& core() const { return core_; }

  // Begins the TLS handshake (posts to the strand).
  void Start();

  // The rest run on the strand; Responder and StreamImpl post them.
  // The handler answered request number `request`.
  void OnResponse(uint64_t request, Response response);
  void OnStreamStart(uint64_t request, std::shared_ptr<StreamImpl> stream, int status, Headers headers);
  // The current stream has chunks queued or was finished.
  void OnStreamReady();
  // The current stream's client is too slow.
  void OnStreamOverflow();
  // Closes the connection at once (server stopping).
  void Abort();

 private:
  enum class Phase {
    kHandshake,
    kIdle,        // between requests: waiting for the first byte of the next one
    kHeader,      // reading a request's header
    kBody,        // reading its body
    kHandling,    // a handler has the request; waiting for Send or StartStream
    kResponding,  // writing a whole response
    kStreaming,   // a stream is open
    kClosing,     // the last response is written; lingering before the close
    kClosed,
  };
  // What follows a response's write.
  enum class AfterWrite { kNextRequest, kCloseNotify, kDrainAndClose };

  void OnHandshake(const boost::system::error_code& ec);
  void AwaitRequest();
  void BeginRequest();
  void Read();
  void OnRead(const boost::system::error_code& ec, std::string_view data);
  void OnReadError(const boost::system::error_code& ec);
  void Parse();
  // The header is complete; false when parsing must wait (100 Continue being written).
  bool OnHeader();
  void RejectRequest(const boost::system::error_code& ec);
  void Dispatch();
  void WriteResponse(Response response, AfterWrite after);
  void OnResponseWritten(const boost::system::error_code& ec);
  void PumpStream();
  void WriteStream();
  void OnStreamWritten(const boost::system::error_code& ec);
  void GracefulClose(AfterWrite how);
  void Close(std::string_view reason);

  // One deadline at a time covers the current phase; a stale timer wake-up is ignored.
  void SetDeadline(absl::Duration d);
  void ClearDeadline();
  void OnDeadline();

  const std::shared_ptr<ServerCore> core_;
  const Strand strand_;
  TlsStream stream_;
  Timer timer_;
  uint64_t deadline_generation_ = 0;
  std::string remote_address_;
  std::optional<ClientCertificate> client_certificate_;

  Phase phase_ = Phase::kHandshake;
  bool read_pending_ = false;
  bool write_pending_ = false;
  bool peer_eof_ = false;  // the client half-closed while its request was being handled
  // Bytes read and not yet parsed (the parser consumes them; a pipelined request waits here).
  boost::beast::flat_buffer buffer_;
  // Only while a request is being read: an idle connection does not carry one.
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  std::unique_ptr<Parser> parser_;

  // The current request.
  uint64_t request_id_ = 0;
  std::string method_;
  int http_minor_ = 1;
  bool keep_alive_ = true;

  // The write in flight: `wire_`, then `body_` when a body was too large to copy into it.
  std::string wire_;
  std::string body_;
  AfterWrite after_write_ = AfterWrite::kNextRequest;

  // The open stream.
  std::shared_ptr<StreamImpl> stream_state_;
  Framing stream_framing_ = Framing::kChunked;
  size_t stream_bytes_in_flight_ = 0;
  bool stream_finishing_ = false;  // the write in flight ends the stream
};

}  // namespace cubelet::httpserver::internal
