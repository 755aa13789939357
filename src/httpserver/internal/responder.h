// Owns: the Responder a handler gets for one request: forwards its one answer (a response or a
// stream) to the connection's strand, and answers 500 for a handler that dropped it unanswered.
// Does not own: writing (the Session).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "httpserver/http_server.h"

namespace cubelet::httpserver::internal {

class Session;

class ResponderImpl final : public Responder {
 public:
  ResponderImpl(std::shared_ptr<Session> session, uint64_t request_id);
  // A responder destroyed unanswered sends 500, so the connection is never left waiting.
  ~ResponderImpl() override;

  void Send(Response response) override;
  std::shared_ptr<Stream> StartStream(int status, Headers headers) override;

 private:
  // True for the first answer only.
  bool Claim();

  const std::shared_ptr<Session> session_;
  const uint64_t request_id_;
  std::atomic<bool> answered_{false};
};

}  // namespace cubelet::httpserver::internal
