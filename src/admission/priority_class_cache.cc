#include "admission/priority_class_cache.h"

#include "common/status_macros.h"
#include "json/parse.h"

namespace cubelet::admission {

std::optional<PriorityClassInfo> ParsePriorityClass(std::string_view text) {
  auto parsed = json::Parse(text);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  PriorityClassInfo info;
  info.name = parsed->GetString({"metadata", "name"});
  const json::Value* value = parsed->Find("value");
  if (info.name.empty() || value == nullptr || !value->AsInt64()) return std::nullopt;
  info.value = *value->AsInt64();
  const json::Value* global = parsed->Find("globalDefault");
  info.global_default = global != nullptr && global->is_bool() && global->AsBool();
  info.preemption_policy = parsed->GetString({"preemptionPolicy"});
  return info;
}

PriorityClassCache::PriorityClassCache(storage::Store* store, std::string prefix)
    : store_(store), prefix_(std::move(prefix)) {}

PriorityClassCache::~PriorityClassCache() {
  absl::MutexLock lock(&start_mu_);
  // Blocks until no callback runs; callbacks take only mu_, which is not held here.
  watch_.reset();
}

absl::StatusOr<std::optional<PriorityClassInfo>> PriorityClassCache::DefaultClass() {
  RETURN_IF_ERROR(EnsureWatching());
  absl::MutexLock lock(&mu_);
  std::optional<PriorityClassInfo> best;
  for (const auto& [key, info] : classes_) {
    if (info.global_default && (!best || info.value < best->value)) best = info;
  }
  return best;
}

absl::Status PriorityClassCache::EnsureWatching() {
  {
    absl::MutexLock lock(&mu_);
    if (live_) return absl::OkStatus();
  }
  absl::MutexLock start(&start_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (live_) return absl::OkStatus();
  }
  // The old watch (if any) has ended; destroying it waits for its last callback, which does
  // not need start_mu_.
  watch_.reset();
  storage::ListOptions options;
  options.prefix = prefix_;
  ASSIGN_OR_RETURN(storage::ListResult listed, store_->List(options));
  std::map<std::string, PriorityClassInfo> classes;
  for (const storage::KeyValue& kv : listed.kvs) {
    if (auto info = ParsePriorityClass(kv.value)) classes[kv.key] = std::move(*info);
  }
  {
    absl::MutexLock lock(&mu_);
    classes_ = std::move(classes);
    live_ = true;
  }
  auto watch = store_->WatchPrefix(prefix_, listed.revision, this);
  if (!watch.ok()) {
    absl::MutexLock lock(&mu_);
    live_ = false;
    return watch.status();
  }
  watch_ = std::move(*watch);
  return absl::OkStatus();
}

void PriorityClassCache::OnEvents(std::vector<storage::Event> events) {
  absl::MutexLock lock(&mu_);
  for (const storage::Event& e : events) {
    if (e.type == storage::EventType::kDelete) {
      classes_.erase(e.kv.key);
    } else if (auto info = ParsePriorityClass(e.kv.value)) {
      classes_[e.kv.key] = std::move(*info);
    } else {
      classes_.erase(e.kv.key);
    }
  }
}

void PriorityClassCache::OnClosed(const absl::Status& reason) {
  (void)reason;
  absl::MutexLock lock(&mu_);
  live_ = false;
}

}  // namespace cubelet::admission
