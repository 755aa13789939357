#include "httpserver/internal/responder.h"

#include <utility>

#include "httpserver/internal/session.h"
#include "httpserver/internal/stream_impl.h"

namespace cubelet::httpserver::internal {

ResponderImpl::ResponderImpl(std::shared_ptr<Session> session, uint64_t request_id)
    : session_(std::move(session)), request_id_(request_id) {}

ResponderImpl::~ResponderImpl() {
  if (answered_.load()) return;
  Send(session_->core()->ErrorResponse(500, "the request handler did not answer"));
}

bool ResponderImpl::Claim() {
  if (!answered_.exchange(true)) return true;
  session_->core()->logger().Error("HTTP handler answered a request twice; the second answer is dropped");
  return false;
}

void ResponderImpl::Send(Response response) {
  if (!Claim()) return;
  session_->core()->Post(session_->strand(),
                         [s = session_, id = request_id_, r = std::move(response)]() mutable {
                           s->OnResponse(id, std::move(r));
                         });
}

std::shared_ptr<Stream> ResponderImpl::StartStream(int status, Headers headers) {
  if (!Claim()) return StreamImpl::NewClosed();
  auto stream = std::make_shared<StreamImpl>(session_, session_->core()->options().stream_buffer_bytes);
  const bool posted = session_->core()->Post(
      session_->strand(), [s = session_, id = request_id_, stream, status, h = std::move(headers)]() mutable {
        s->OnStreamStart(id, std::move(stream), status, std::move(h));
      });
  if (!posted) {
    // The server stopped: the stream is closed before anyone could set OnClose.
    stream->MarkClosed();
  }
  return stream;
}

}  // namespace cubelet::httpserver::internal
