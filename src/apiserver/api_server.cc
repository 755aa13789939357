#include "apiserver/api_server.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include "absl/strings/str_split.h"
#include "admission/admission.h"
#include "apierrors/apierrors.h"
#include "apiserver/api_handler.h"
#include "apiserver/discovery.h"
#include "apiserver/kubelet_client.h"
#include "apiserver/openapi_documents.h"
#include "apiserver/pod_subresources.h"
#include "apiserver/resource_handler.h"
#include "apiserver/responses.h"
#include "apiserver/watch_streams.h"
#include "auth/authenticator.h"
#include "authz/authorizer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "controllers/controllers.h"
#include "scheduler/config.h"
#include "scheduler/registry_client.h"
#include "scheduler/scheduler.h"
#include "httpserver/http_server.h"
#include "json/write.h"
#include "pki/pki.h"
#include "registry/event_strategy.h"
#include "registry/resource_set.h"
#include "registry/resources.h"
#include "schema/schema.h"
#include "storage/compactor.h"
#include "storage/sqlite/sqlite_store.h"
#include "version.h"

namespace cubelet::apiserver {
namespace {

// The first non-loopback IPv4 address of the machine, for --advertise-address when serving on
// every address.
std::string FirstHostAddress() {
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "127.0.0.1";
  std::string out = "127.0.0.1";
  for (struct ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    char buf[INET_ADDRSTRLEN];
    auto* in = reinterpret_cast<struct sockaddr_in*>(i->ifa_addr);
    if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf)) == nullptr) continue;
    std::string ip = buf;
    if (ip.rfind("127.", 0) == 0) continue;
    out = ip;
    break;
  }
  freeifaddrs(list);
  return out;
}

// The first usable address of an IPv4 CIDR ("10.0.0.0/24" → "10.0.0.1"), reserved for the
// kubernetes Service as upstream does.
std::string FirstServiceIp(const std::string& cidr) {
  std::vector<std::string> parts = absl::StrSplit(cidr, '/');
  struct in_addr addr {};
  if (parts.empty() || inet_pton(AF_INET, parts[0].c_str(), &addr) != 1) return "10.0.0.1";
  addr.s_addr = htonl(ntohl(addr.s_addr) + 1);
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &addr, buf, sizeof(buf));
  return buf;
}

class CacheLookup final : public admission::ObjectLookup {
 public:
  explicit CacheLookup(const registry::ResourceSet* resources) : resources_(resources) {}
  std::shared_ptr<const json::Value> Get(std::string_view group, std::string_view resource,
                                         std::string_view namespace_, std::string_view name) const override {
    registry::ResourceStore* store = resources_->Find(group, resource);
    if (store == nullptr) return nullptr;
    auto object = store->cacher().Get(store->KeyFor(std::string(namespace_), std::string(name)));
    if (object != nullptr) return object->object;
    // The cache may not have seen a write that just returned (a namespace created a moment
    // ago): a miss is confirmed with a read from the store, as upstream's lister fallback does.
    auto fresh = store->Get(std::string(namespace_), std::string(name), {});
    return fresh.ok() ? (*fresh)->object : nullptr;
  }

 private:
  const registry::ResourceSet* resources_;
};

class PodsByNode final : public authz::NodeGraph {
 public:
  explicit PodsByNode(registry::ResourceStore* pods) : pods_(pods) {}
  std::vector<std::shared_ptr<const json::Value>> PodsOnNode(std::string_view node) const override {
    storage::cacher::ListRequest request;
    auto selector = selectors::FieldSelector::Parse(StrCat("spec.nodeName=", node));
    if (!selector.ok()) return {};
    request.fields = *selector;
    std::vector<std::shared_ptr<const json::Value>> out;
    for (const auto& item : pods_->cacher().List(request).items) out.push_back(item->object);
    return out;
  }

 private:
  registry::ResourceStore* pods_;
};

}  // namespace

std::string VersionJson() {
  std::string git = kKubernetesVersion;
  std::vector<std::string> parts = absl::StrSplit(git.substr(1), '.');
  json::Value v = json::Value::EmptyObject();
  v.Set("major", parts.at(0));
  v.Set("minor", parts.at(1));
  v.Set("gitVersion", git);
  v.Set("gitCommit", StrCat("cubelet-", kCubeletVersion));
  v.Set("gitTreeState", "clean");
  v.Set("buildDate", "1970-01-01T00:00:00Z");
  v.Set("goVersion", "none");
  v.Set("compiler", "gcc");
  v.Set("platform", "linux/amd64");
  return json::Write(v);
}

struct ApiServer::Parts {
  explicit Parts(Logger l) : logger(std::move(l)) {}
  ServerOptions options;
  Clock* clock = nullptr;
  Logger logger;
  pki::ServerPki pki;
  std::unique_ptr<storage::sqlite::SqliteStore> store;
  std::unique_ptr<storage::Compactor> compactor;
  registry::ResourceSet resources;
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<PodsByNode> node_graph;
  std::unique_ptr<authz::Authorizer> authorizer;
  std::unique_ptr<CacheLookup> lookup;
  std::unique_ptr<admission::Chain> admission;
  std::unique_ptr<controllers::ControllerManager> controllers;
  std::unique_ptr<scheduler::SchedulerClient> scheduler_client;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  std::unique_ptr<Discovery> discovery;
  std::unique_ptr<OpenApiDocuments> openapi;
  std::unique_ptr<openapiv2::OpenApiV2Service> openapi_v2;
  std::unique_ptr<WatchStreams> watches;
  std::unique_ptr<KubeletClient> kubelets;
  std::unique_ptr<ApiHandler> handler;
  std::unique_ptr<httpserver::HttpServer> server;
  std::atomic<bool> ready{false};
  bool started = false;
  bool stopped = false;
};

ApiServer::ApiServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ApiServer::~ApiServer() { Stop(); }

absl::StatusOr<std::unique_ptr<ApiServer>> ApiServer::Create(const ServerOptions& options, Clock* clock, Logger logger) {
  auto p = std::make_unique<Parts>(logger);
  p->options = options;
  p->clock = clock;
  const std::string& dir = options.data_dir;
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::InvalidArgumentError(StrCat("cannot create --data-dir ", dir, ": ", strerror(errno)));
  }
  if (p->options.advertise_address.empty()) {
    p->options.advertise_address =
        options.bind_address == "0.0.0.0" || options.bind_address == "::" ? FirstHostAddress() : options.bind_address;
  }
  const std::string url_host = options.bind_address == "0.0.0.0" || options.bind_address == "::" ? "127.0.0.1"
                                                                                                  : options.bind_address;
  pki::ServerPkiOptions pki_options;
  pki_options.data_dir = dir;
  pki_options.server_url = StrCat("https://", url_host, ":", options.secure_port == 0 ? 6443 : options.secure_port);
  pki_options.extra_sans = options.tls_sans;
  pki_options.extra_sans.push_back(options.bind_address);
  pki_options.extra_sans.push_back(p->options.advertise_address);
  ASSIGN_OR_RETURN(p->pki, pki::EnsureServerPki(pki_options));

  std::vector<auth::StaticToken> tokens;
  if (!options.token_auth_file.empty()) {
    ASSIGN_OR_RETURN(tokens, auth::LoadTokenFile(options.token_auth_file));
  }
  p->authenticator = std::make_unique<auth::Authenticator>(std::move(tokens));

  ASSIGN_OR_RETURN(p->store, storage::sqlite::NewSqliteStore(dir, {}, clock, logger));
  p->compactor = std::make_unique<storage::Compactor>(p->store.get(), storage::CompactorOptions{}, clock, logger);

  const schema::Schema& schema = schema::Schema::BuiltIn();
  std::vector<registry::ResourceDefinition> definitions = registry::BuiltInResources(options.event_ttl);
  std::vector<registry::ResourceInfo> served;
  for (const registry::ResourceDefinition& d : definitions) {
    served.push_back(d.info);
    if (!d.info.storage_resource.empty()) continue;
    p->resources.Add(std::make_unique<registry::ResourceStore>(d.info, d.strategy, p->store.get(), &schema, clock, logger));
  }

  p->lookup = std::make_unique<CacheLookup>(&p->resources);
  admission::ServiceNetwork network;
  network.cluster_ip_range = options.service_cluster_ip_range;
  network.node_port_min = options.node_port_min;
  network.node_port_max = options.node_port_max;
  p->admission = admission::NewChain(p->lookup.get(), p->store.get(), network);
  p->node_graph = std::make_unique<PodsByNode>(p->resources.Find("", "pods"));
  p->authorizer = authz::NewAuthorizer(p->node_graph.get());

  controllers::ControllerOptions controller_options;
  controller_options.advertise_address = p->options.advertise_address;
  controller_options.secure_port = options.secure_port == 0 ? 6443 : options.secure_port;
  controller_options.kubernetes_service_ip = FirstServiceIp(options.service_cluster_ip_range);
  controller_options.enable_node_lifecycle = options.node_lifecycle;
  p->controllers = controllers::NewControllerManager(&p->resources, controller_options, clock, logger);

  if (!options.disable_scheduler) {
    scheduler::SchedulerOptions scheduler_options;
    if (!options.scheduler_config.empty()) {
      ASSIGN_OR_RETURN(scheduler_options.config, scheduler::LoadSchedulerConfig(options.scheduler_config));
    }
    p->scheduler_client = scheduler::NewRegistryClient(&p->resources, clock, logger);
    ASSIGN_OR_RETURN(p->scheduler, scheduler::Scheduler::Create(p->scheduler_client.get(), std::move(scheduler_options),
                                                                clock, logger));
  }

  p->discovery = std::make_unique<Discovery>(served, StrCat(p->options.advertise_address, ":", controller_options.secure_port));
  p->openapi = std::make_unique<OpenApiDocuments>(schema, served, kKubernetesVersion);
  p->openapi_v2 = std::make_unique<openapiv2::OpenApiV2Service>(schema, served, kKubernetesVersion);
  p->watches = std::make_unique<WatchStreams>(clock, logger);
  p->kubelets = NewHttpsKubeletClient(p->pki.kubelet_client_certificate_file, p->pki.kubelet_client_key_file);

  ApiHandlerOptions handler_options;
  handler_options.authenticator = p->authenticator.get();
  handler_options.authorizer = p->authorizer.get();
  handler_options.discovery = p->discovery.get();
  handler_options.openapi = p->openapi.get();
  handler_options.schema = &schema;
  handler_options.openapi_v2 = p->openapi_v2.get();
  Parts* raw = p.get();
  handler_options.ready = [raw] { return raw->ready.load(); };
  handler_options.version_json = VersionJson();
  handler_options.clock = clock;
  p->handler = std::make_unique<ApiHandler>(handler_options, logger);
  HandlerDeps deps{&schema, p->admission.get(), p->watches.get(), clock, logger};
  for (const registry::ResourceDefinition& d : definitions) {
    ServedResource resource;
    resource.info = d.info;
    resource.store = p->resources.Find(d.info.storage_resource.empty() ? d.info.group : "",
                                       d.info.storage_resource.empty() ? d.info.resource : d.info.storage_resource);
    if (d.info.group == "events.k8s.io") {
      resource.to_served = registry::EventToEventsV1;
      resource.to_stored = registry::EventFromEventsV1;
      resource.validate_served = registry::ValidateEventsV1;
    }
    p->handler->AddResource(std::make_unique<ResourceHandler>(std::move(resource), deps));
  }
  p->handler->SetPodSubresources(std::make_unique<PodSubresources>(
      p->handler->Find("", "v1", "pods"), p->resources.Find("", "nodes"), p->kubelets.get(), &schema, clock, logger));

  httpserver::ServerOptions http;
  http.bind_address = options.bind_address;
  http.port = options.secure_port;
  http.tls = {p->pki.serving_certificate_file, p->pki.serving_key_file, p->pki.ca_certificate_file};
  http.error_response = [](int status, std::string_view message) {
    absl::Status s = status == 413 ? apierrors::RequestEntityTooLarge(message) : apierrors::BadRequest(message);
    return ErrorResponse(s);
  };
  const ApiHandler* handler = p->handler.get();
  p->server = httpserver::NewBeastServer(
      http, [handler](httpserver::Request request, std::shared_ptr<httpserver::Responder> responder) {
        handler->Handle(std::move(request), std::move(responder));
      },
      logger);
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(p)));
}

absl::Status ApiServer::Start() {
  Parts& p = *parts_;
  for (registry::ResourceStore* store : p.resources.all()) RETURN_IF_ERROR(store->Start());
  RETURN_IF_ERROR(p.server->Start());
  p.started = true;
  p.logger.Info("Serving securely", {{"address", p.options.bind_address}, {"port", p.server->port()},
                                     {"kubeconfig", p.pki.admin_kubeconfig_file}});
  RETURN_IF_ERROR(p.controllers->Start());
  if (p.scheduler) RETURN_IF_ERROR(p.scheduler->Start());
  p.compactor->Start();
  p.ready = true;
  p.logger.Info("cubelet-server is ready");
  return absl::OkStatus();
}

void ApiServer::Stop() {
  if (parts_ == nullptr || parts_->stopped) return;
  Parts& p = *parts_;
  p.stopped = true;
  p.ready = false;
  if (p.server) p.server->Stop();
  p.watches.reset();  // ends open watches before the caches go
  if (p.scheduler) p.scheduler->Stop();
  if (p.controllers) p.controllers->Stop();
  if (p.compactor) p.compactor->Stop();
  for (registry::ResourceStore* store : p.resources.all()) store->Stop();
  if (p.store) p.store->Close();
}

int ApiServer::port() const { return parts_->server->port(); }
const std::string& ApiServer::admin_kubeconfig() const { return parts_->pki.admin_kubeconfig_file; }
storage::Store* ApiServer::store() { return parts_->store.get(); }
registry::ResourceSet* ApiServer::resources() { return &parts_->resources; }

}  // namespace cubelet::apiserver
