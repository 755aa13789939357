// Owns: the REST verbs of one served resource over HTTP (upstream apiserver/pkg/endpoints/
// handlers: get.go, create.go, update.go, patch.go, delete.go, watch.go): query and body
// parameters (Go-style booleans, resourceVersion, selectors, limit/continue, timeoutSeconds,
// sendInitialEvents, DeleteOptions from the body or the query, dryRun, fieldManager,
// fieldValidation), admission around every write, the representation of the answer (object,
// list, Table), and the status subresource.
// Does not own: the verbs' storage semantics (registry/), who may call them (auth/), the other
// subresources (pod_subresources.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "admission/admission.h"
#include "apiserver/request_info.h"
#include "apiserver/watch_streams.h"
#include "auth/authenticator.h"
#include "common/clock.h"
#include "common/logger.h"
#include "httpserver/http_server.h"
#include "registry/resource_store.h"
#include "schema/schema.h"

namespace cubelet::apiserver {

// One resource as clients see it. Usually `info` is the store's own; events.k8s.io/v1 events
// are core/v1 events converted on the way in and out.
struct ServedResource {
  registry::ResourceInfo info;
  registry::ResourceStore* store = nullptr;
  ObjectConverter to_served;  // stored → served; null when identical
  ObjectConverter to_stored;  // served → stored
  std::function<registry::FieldErrors(const json::Value& served)> validate_served;
};

struct HandlerDeps {
  const schema::Schema* schema = nullptr;
  const admission::Chain* admission = nullptr;
  WatchStreams* watches = nullptr;
  const Clock* clock = nullptr;
  Logger logger;
};

// One request being answered.
struct Call {
  const httpserver::Request& request;
  const std::shared_ptr<httpserver::Responder>& responder;
  const RequestInfo& info;
  const auth::UserInfo& user;
};

// The field manager of a write: fieldManager, else the User-Agent up to its first '/'
// ("kubectl", "OpenAPI-Generator"), as upstream's managerOrUserAgent.
std::string FieldManagerOf(const httpserver::Request& request);

// Thread-safe.
class ResourceHandler {
 public:
  ResourceHandler(ServedResource resource, HandlerDeps deps);

  const ServedResource& resource() const { return resource_; }
  // Answers get, list, watch, create, update, patch, delete and deletecollection on the main
  // resource and get, update and patch on its status subresource.
  void Handle(const Call& call) const;

  // Shared with the subresource handlers: the admission hooks of a write by `call`'s user.
  // When `admitted` is given it receives the object as mutating admission left it (for
  // Chain::Abandon when the write then fails).
  registry::Admission AdmissionFor(const Call& call, admission::Operation op, const std::string& subresource,
                                   bool dry_run = false,
                                   std::shared_ptr<json::Value> admitted = nullptr) const;
  // Writes `object` (stored form) as the served representation with `code`.
  void RespondObject(const Call& call, int code, const json::Value& object,
                     const std::vector<std::string>& warnings = {}) const;

 private:
  void Get(const Call& call) const;
  void List(const Call& call) const;
  void Watch(const Call& call) const;
  void Create(const Call& call) const;
  void Update(const Call& call) const;
  void Patch(const Call& call) const;
  void Delete(const Call& call) const;
  void DeleteCollection(const Call& call) const;
  // A create's or update's body decoded and checked, with its options (dryRun, fieldManager).
  struct Write {
    json::Value object;  // in stored form
    registry::WriteOptions options;
    std::vector<std::string> warnings;
  };
  absl::StatusOr<Write> DecodeWrite(const Call& call) const;
  void Fail(const Call& call, const absl::Status& error) const;
  // Gives back what admission allocated for `object` (a service's cluster IP and node ports),
  // after a failed create or once the object is gone; the allocator would otherwise reclaim
  // them only after its grace period.
  void Release(const Call& call, const json::Value& object) const;

  ServedResource resource_;
  HandlerDeps deps_;
};

}  // namespace cubelet::apiserver
