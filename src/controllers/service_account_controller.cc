#include "controllers/service_account_controller.h"

#include "apierrors/apierrors.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"
#include "controllers/object_helpers.h"

namespace cubelet::controllers {
namespace {

constexpr char kDefaultServiceAccount[] = "default";

bool Active(const json::Value& ns) {
  return !BeingDeleted(ns) && ns.GetString({"status", "phase"}, "Active") == "Active";
}

}  // namespace

ServiceAccountController::ServiceAccountController(registry::ResourceSet* resources, Informers* informers,
                                                   const Clock* clock, Logger logger)
    : namespaces_(resources->Find("", "namespaces")),
      service_accounts_(resources->Find("", "serviceaccounts")),
      logger_(std::move(logger)),
      queue_(clock) {
  if (namespaces_ == nullptr || service_accounts_ == nullptr) return;
  informers->Add(namespaces_, "", {},
                 {[this](const WatchEvent& e) {
                    if ((e.type == EventType::kAdded || e.type == EventType::kModified) && Active(*e.object->object)) {
                      queue_.Add(e.object->name);
                    }
                  },
                  nullptr});
  registry::ResourceStore::WatchOptions by_name;
  by_name.fields = *selectors::FieldSelector::Parse(StrCat("metadata.name=", kDefaultServiceAccount));
  informers->Add(service_accounts_, "", by_name,
                 {[this](const WatchEvent& e) {
                    if (e.type == EventType::kDeleted) queue_.Add(e.object->namespace_);
                  },
                  // Deletions missed while the watch was down show as nothing: look at every namespace.
                  [this] { EnqueueAllNamespaces(); }});
}

ServiceAccountController::~ServiceAccountController() { Stop(); }

void ServiceAccountController::EnqueueAllNamespaces() {
  registry::ListOptions from_cache;
  from_cache.resource_version = "0";
  auto listed = namespaces_->List("", from_cache);
  if (!listed.ok()) {
    logger_.Warning("Failed to list namespaces for the service account controller", {{"err", listed.status()}});
    return;
  }
  for (const registry::ObjectPtr& ns : listed->items) queue_.Add(ns->name);
}

absl::Status ServiceAccountController::SyncNamespace(const std::string& name) {
  // The cache answers the common case (it exists) without touching the store.
  auto cached = service_accounts_->Get(name, kDefaultServiceAccount, registry::GetOptions{"0"});
  if (cached.ok()) return absl::OkStatus();
  if (!apierrors::IsNotFound(cached.status())) return cached.status();
  // The namespace's phase from the store itself: the namespace cache may not have seen yet that
  // the namespace is terminating when the namespace controller's deletion of this very account
  // arrives here.
  auto ns = namespaces_->Get("", name, registry::GetOptions{});
  if (!ns.ok()) return apierrors::IsNotFound(ns.status()) ? absl::OkStatus() : ns.status();
  if (!Active(*(*ns)->object)) return absl::OkStatus();
  json::Value sa = json::Value::EmptyObject();
  sa.Set("apiVersion", "v1");
  sa.Set("kind", "ServiceAccount");
  sa.Ensure({"metadata"}).Set("name", kDefaultServiceAccount);
  sa["metadata"].Set("namespace", name);
  auto created = service_accounts_->Create(name, std::move(sa), registry::WriteOptions{});
  if (created.ok()) {
    logger_.VInfo(2, "Created the default service account", {{"namespace", name}});
    return absl::OkStatus();
  }
  if (apierrors::IsAlreadyExists(created.status())) return absl::OkStatus();
  return created.status();
}

void ServiceAccountController::Start() {
  if (namespaces_ == nullptr || service_accounts_ == nullptr) return;
  thread_ = StartThread(logger_, "sa-controller", [this] { Run(); });
}

void ServiceAccountController::Stop() {
  queue_.ShutDown();
  if (thread_.joinable()) thread_.join();
}

void ServiceAccountController::Run() {
  while (auto key = queue_.Get()) {
    absl::Status s;
    absl::Status thrown = RunGuarded(logger_, "sa-controller", StrCat("sync namespace ", *key), [&] { s = SyncNamespace(*key); });
    if (!thrown.ok()) s = thrown;
    if (s.ok()) {
      queue_.Forget(*key);
    } else {
      logger_.Warning("Failed to create the default service account; retrying",
                      {{"object", StrCat(*key, "/", kDefaultServiceAccount)}, {"err", s}});
      queue_.AddRateLimited(*key);
    }
    queue_.Done(*key);
  }
}

}  // namespace cubelet::controllers
