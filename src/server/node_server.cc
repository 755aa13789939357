#include "server/node_server.h"

#include <exception>

#include <httplib.h>

#include "api/json_codec.h"
#include "common/strings.h"
#include "common/thread_entry.h"

namespace cubelet::server {

struct NodeHttpServer::Impl {
  httplib::Server server;
};

NodeHttpServer::NodeHttpServer(std::string address, int port, bool serve_pods, NodeServerHandlers handlers,
                               Logger logger)
    : impl_(std::make_unique<Impl>()),
      address_(std::move(address)),
      port_(port),
      serve_pods_(serve_pods),
      handlers_(std::move(handlers)),
      logger_(std::move(logger)) {}

NodeHttpServer::~NodeHttpServer() {
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

absl::Status NodeHttpServer::Start() {
  auto& s = impl_->server;
  s.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    absl::Status h = handlers_.healthz();
    if (h.ok()) {
      res.set_content("ok", "text/plain; charset=utf-8");
    } else {
      res.status = 500;
      res.set_content(StrCat("[-]", h.message(), "\nhealthz check failed\n"), "text/plain; charset=utf-8");
    }
  });
  if (serve_pods_) {
    s.Get("/pods", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(api::EncodePodList(handlers_.pods()), "application/json");
    });
    s.Get("/pods/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(api::EncodePodList(handlers_.pods()), "application/json");
    });
  }
  if (serve_pods_ && handlers_.probe_metrics) {
    s.Get("/metrics/probes", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(handlers_.probe_metrics(), "text/plain; version=0.0.4");
    });
  }
  // A handler that throws answers its request 500 (logged with the request) and the server
  // goes on; httplib catches it on its worker thread and hands it here.
  s.set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    absl::Status thrown = RunGuarded(logger_, "node-server", StrCat(req.method, " ", req.path),
                                     [&] { std::rethrow_exception(ep); });
    res.status = 500;
    res.set_content(std::string(thrown.message()), "text/plain; charset=utf-8");
  });
  if (!s.bind_to_port(address_, port_)) {
    return absl::UnavailableError(StrCat("cannot listen on ", address_, ":", port_));
  }
  thread_ = StartThread(logger_, "node-server", [this] { impl_->server.listen_after_bind(); });
  logger_.Info("Serving", {{"address", address_}, {"port", port_}, {"pods", serve_pods_}});
  return absl::OkStatus();
}

}  // namespace cubelet::server
