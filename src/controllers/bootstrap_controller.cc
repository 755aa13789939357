#include "controllers/bootstrap_controller.h"

#include "apierrors/apierrors.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"
#include "controllers/object_helpers.h"

namespace cubelet::controllers {
namespace {

constexpr char kSyncKey[] = "sync";
constexpr char kDefaultNamespace[] = "default";
constexpr char kKubernetesName[] = "kubernetes";
const char* const kSystemNamespaces[] = {"default", "kube-system", "kube-public", "kube-node-lease"};

struct SystemPriorityClass {
  const char* name;
  int64_t value;
  const char* description;
};
// Upstream scheduling.SystemPriorityClasses(): SystemCriticalPriority (2e9) and 1000 above it.
const SystemPriorityClass kSystemPriorityClasses[] = {
    {"system-node-critical", 2000001000, "Used for system critical pods that must not be moved from their current node."},
    {"system-cluster-critical", 2000000000,
     "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."},
};

registry::GetOptions ReadFrom(bool from_cache) { return registry::GetOptions{from_cache ? "0" : ""}; }

json::Value ServicePorts(int secure_port) {
  json::Value port = json::Value::EmptyObject();
  port.Set("name", "https");
  port.Set("protocol", "TCP");
  port.Set("port", 443);
  port.Set("targetPort", secure_port);
  return json::Value(json::Array{std::move(port)});
}

bool IsSystemNamespace(const std::string& name) {
  for (const char* ns : kSystemNamespaces) {
    if (name == ns) return true;
  }
  return false;
}

absl::Status First(absl::Status a, const absl::Status& b) { return a.ok() ? b : a; }

}  // namespace

BootstrapController::BootstrapController(registry::ResourceSet* resources, ControllerOptions options,
                                         Informers* informers, const Clock* clock, Logger logger)
    : namespaces_(resources->Find("", "namespaces")),
      priority_classes_(resources->Find("scheduling.k8s.io", "priorityclasses")),
      services_(resources->Find("", "services")),
      endpoints_(resources->Find("", "endpoints")),
      options_(std::move(options)),
      clock_(clock),
      logger_(std::move(logger)),
      queue_(clock) {
  auto resync = [this](const WatchEvent& e) {
    if (e.type != EventType::kBookmark) queue_.Add(kSyncKey);
  };
  auto resync_when_gone = [this](bool (*watched)(const std::string&)) {
    return [this, watched](const WatchEvent& e) {
      if (e.type == EventType::kDeleted && watched(e.object->name)) queue_.Add(kSyncKey);
    };
  };
  registry::ResourceStore::WatchOptions by_name;
  by_name.fields = *selectors::FieldSelector::Parse(StrCat("metadata.name=", kKubernetesName));
  if (services_ != nullptr) informers->Add(services_, kDefaultNamespace, by_name, {resync, nullptr});
  if (endpoints_ != nullptr) informers->Add(endpoints_, kDefaultNamespace, by_name, {resync, nullptr});
  if (namespaces_ != nullptr) {
    informers->Add(namespaces_, "", {}, {resync_when_gone(&IsSystemNamespace), nullptr});
  }
  if (priority_classes_ != nullptr) {
    informers->Add(priority_classes_, "", {},
                   {resync_when_gone([](const std::string& n) { return n.rfind("system-", 0) == 0; }), nullptr});
  }
}

BootstrapController::~BootstrapController() { Stop(); }

json::Value BootstrapController::SystemNamespace(const std::string& name) {
  json::Value ns = json::Value::EmptyObject();
  ns.Set("apiVersion", "v1");
  ns.Set("kind", "Namespace");
  ns.Ensure({"metadata"}).Set("name", name);
  // Upstream's namespace registry labels every namespace with its name.
  ns.Ensure({"metadata", "labels"}).Set("kubernetes.io/metadata.name", name);
  return ns;
}

json::Value BootstrapController::KubernetesService() const {
  json::Value svc = json::Value::EmptyObject();
  svc.Set("apiVersion", "v1");
  svc.Set("kind", "Service");
  json::Value& meta = svc.Ensure({"metadata"});
  meta.Set("name", kKubernetesName);
  meta.Set("namespace", kDefaultNamespace);
  meta.Ensure({"labels"}).Set("component", "apiserver");
  meta["labels"].Set("provider", "kubernetes");
  json::Value& spec = svc.Ensure({"spec"});
  spec.Set("type", "ClusterIP");
  spec.Set("clusterIP", options_.kubernetes_service_ip);
  spec.Set("clusterIPs", json::Array{json::Value(options_.kubernetes_service_ip)});
  spec.Set("ports", ServicePorts(options_.secure_port));
  spec.Set("sessionAffinity", "None");
  spec.Set("ipFamilyPolicy", "SingleStack");
  return svc;
}

json::Value BootstrapController::KubernetesEndpoints() const {
  json::Value ep = json::Value::EmptyObject();
  ep.Set("apiVersion", "v1");
  ep.Set("kind", "Endpoints");
  json::Value& meta = ep.Ensure({"metadata"});
  meta.Set("name", kKubernetesName);
  meta.Set("namespace", kDefaultNamespace);
  // As upstream's endpoints adapter: the EndpointSlice mirroring controller leaves it alone.
  meta.Ensure({"labels"}).Set("endpointslice.kubernetes.io/skip-mirror", "true");
  json::Value address = json::Value::EmptyObject();
  address.Set("ip", options_.advertise_address);
  json::Value port = json::Value::EmptyObject();
  port.Set("name", "https");
  port.Set("port", options_.secure_port);
  port.Set("protocol", "TCP");
  json::Value subset = json::Value::EmptyObject();
  subset.Set("addresses", json::Array{std::move(address)});
  subset.Set("ports", json::Array{std::move(port)});
  ep.Set("subsets", json::Array{std::move(subset)});
  return ep;
}

absl::Status BootstrapController::EnsureExists(registry::ResourceStore* store, const std::string& namespace_,
                                               const json::Value& object, bool from_cache) {
  const std::string name = object.GetString({"metadata", "name"});
  auto got = store->Get(namespace_, name, ReadFrom(from_cache));
  if (got.ok()) return absl::OkStatus();
  if (!apierrors::IsNotFound(got.status())) {
    return Annotate(got.status(), StrCat("get ", store->info().resource, " ", ObjectKey(namespace_, name)));
  }
  auto created = store->Create(namespace_, object, registry::WriteOptions{});
  if (created.ok()) {
    logger_.Info("Created a bootstrap object", {{"resource", store->info().GroupResource().String()},
                                                {"object", ObjectKey(namespace_, name)}});
    return absl::OkStatus();
  }
  if (apierrors::IsAlreadyExists(created.status())) return absl::OkStatus();
  return Annotate(created.status(), StrCat("create ", store->info().resource, " ", ObjectKey(namespace_, name)));
}

absl::Status BootstrapController::EnsureNamespaces() {
  if (namespaces_ == nullptr) return absl::FailedPreconditionError("namespaces are not served");
  absl::Status result;
  for (const char* name : kSystemNamespaces) {
    result = First(result, EnsureExists(namespaces_, "", SystemNamespace(name), false));
  }
  return result;
}

absl::Status BootstrapController::SyncService(bool from_cache) {
  json::Value desired = KubernetesService();
  auto got = services_->Get(kDefaultNamespace, kKubernetesName, ReadFrom(from_cache));
  if (!got.ok() && apierrors::IsNotFound(got.status())) {
    return EnsureExists(services_, kDefaultNamespace, desired, false);
  }
  if (!got.ok()) return Annotate(got.status(), "get the kubernetes service");
  // Upstream keeps the type and the ports; the rest (labels, selectors) is the user's business.
  auto correct = [&](const json::Value& svc) {
    const json::Value* ports = svc.FindPath({"spec", "ports"});
    return svc.GetString({"spec", "type"}) == "ClusterIP" && ports != nullptr && *ports == *desired.FindPath({"spec", "ports"});
  };
  if (correct(*(*got)->object)) return absl::OkStatus();
  bool changed = false;
  registry::UpdateFunc reset = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    json::Value next = current;
    changed = !correct(next);  // the cache may have been behind the store
    if (!changed) return next;
    next.Ensure({"spec"}).Set("type", "ClusterIP");
    next["spec"].Set("ports", *desired.FindPath({"spec", "ports"}));
    return next;
  };
  RETURN_IF_ERROR(Annotate(
      services_->GuaranteedUpdate(kDefaultNamespace, kKubernetesName, reset, false, false, {}).status(),
      "reset the kubernetes service"));
  if (changed) logger_.Warning("Reset the kubernetes service's type and ports", {{"object", "default/kubernetes"}});
  return absl::OkStatus();
}

absl::Status BootstrapController::SyncEndpoints(bool from_cache) {
  if (options_.advertise_address.empty()) return absl::OkStatus();
  json::Value desired = KubernetesEndpoints();
  auto got = endpoints_->Get(kDefaultNamespace, kKubernetesName, ReadFrom(from_cache));
  if (!got.ok() && apierrors::IsNotFound(got.status())) {
    return EnsureExists(endpoints_, kDefaultNamespace, desired, false);
  }
  if (!got.ok()) return Annotate(got.status(), "get the kubernetes endpoints");
  auto correct = [&](const json::Value& ep) {
    const json::Value* subsets = ep.Find("subsets");
    const json::Value* labels = ep.FindPath({"metadata", "labels"});
    return subsets != nullptr && *subsets == *desired.Find("subsets") && labels != nullptr &&
           *labels == *desired.FindPath({"metadata", "labels"});
  };
  if (correct(*(*got)->object)) return absl::OkStatus();
  bool changed = false;
  registry::UpdateFunc reset = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    json::Value next = current;
    changed = !correct(next);
    if (!changed) return next;
    next.Set("subsets", *desired.Find("subsets"));
    next.Ensure({"metadata"}).Set("labels", *desired.FindPath({"metadata", "labels"}));
    return next;
  };
  RETURN_IF_ERROR(Annotate(
      endpoints_->GuaranteedUpdate(kDefaultNamespace, kKubernetesName, reset, false, false, {}).status(),
      "reset the kubernetes endpoints"));
  if (changed) {
    logger_.Warning("Reset the kubernetes endpoints", {{"object", "default/kubernetes"},
                                                       {"address", options_.advertise_address}});
  }
  return absl::OkStatus();
}

absl::Status BootstrapController::Sync(bool from_cache) {
  absl::Status result;
  if (namespaces_ != nullptr) {
    for (const char* name : kSystemNamespaces) {
      result = First(result, EnsureExists(namespaces_, "", SystemNamespace(name), from_cache));
    }
  }
  if (priority_classes_ != nullptr) {
    for (const SystemPriorityClass& pc : kSystemPriorityClasses) {
      json::Value object = json::Value::EmptyObject();
      object.Set("apiVersion", "scheduling.k8s.io/v1");
      object.Set("kind", "PriorityClass");
      object.Ensure({"metadata"}).Set("name", pc.name);
      object.Set("value", pc.value);
      object.Set("description", pc.description);
      result = First(result, EnsureExists(priority_classes_, "", object, from_cache));
    }
  }
  if (services_ != nullptr) result = First(result, SyncService(from_cache));
  if (endpoints_ != nullptr) result = First(result, SyncEndpoints(from_cache));
  return result;
}

void BootstrapController::Start() {
  if (options_.advertise_address.empty()) {
    logger_.Warning("No advertise address: the kubernetes Endpoints are not maintained");
  }
  queue_.AddAfter(kSyncKey, options_.resync_interval);
  thread_ = StartThread(logger_, "bootstrap-ctrl", [this] { Run(); });
}

void BootstrapController::Stop() {
  queue_.ShutDown();
  if (thread_.joinable()) thread_.join();
}

void BootstrapController::Run() {
  while (auto key = queue_.Get()) {
    absl::Status s;
    absl::Status thrown = RunGuarded(logger_, "bootstrap-ctrl", "reconcile the bootstrap objects", [&] { s = Sync(true); });
    if (!thrown.ok()) s = thrown;
    if (s.ok()) {
      logger_.VInfo(4, "Reconciled the bootstrap objects");
      queue_.Forget(*key);
      queue_.AddAfter(*key, options_.resync_interval);
    } else {
      logger_.Warning("Failed to reconcile the bootstrap objects; retrying", {{"err", s}});
      queue_.AddRateLimited(*key);
    }
    queue_.Done(*key);
  }
}

}  // namespace cubelet::controllers
