#include "admission/default_toleration_seconds.h"

#include <string_view>

#include "admission/request_util.h"

namespace cubelet::admission {
namespace {

constexpr char kTaintNodeNotReady[] = "node.kubernetes.io/not-ready";
constexpr char kTaintNodeUnreachable[] = "node.kubernetes.io/unreachable";

bool Tolerates(const json::Value* tolerations, std::string_view taint_key) {
  if (tolerations == nullptr || !tolerations->is_array()) return false;
  for (const json::Value& t : tolerations->AsArray()) {
    const std::string key = t.GetString({"key"});
    const std::string effect = t.GetString({"effect"});
    if ((key.empty() || key == taint_key) && (effect.empty() || effect == "NoExecute")) return true;
  }
  return false;
}

// The fields in upstream's order, so the toleration written on create compares equal to the
// one an update adds back (pod updates may not drop tolerations).
json::Value Toleration(std::string_view key, int64_t seconds) {
  json::Value t = json::Value::EmptyObject();
  t.Set("key", key);
  t.Set("operator", "Exists");
  t.Set("effect", "NoExecute");
  t.Set("tolerationSeconds", static_cast<long long>(seconds));
  return t;
}

}  // namespace

absl::Status AdmitDefaultTolerationSeconds(const Request& request, json::Value* object, int64_t not_ready_seconds,
                                           int64_t unreachable_seconds) {
  if (object == nullptr || !IsResource(request, "", "pods") || !request.subresource.empty()) return absl::OkStatus();
  if (request.operation != Operation::kCreate && request.operation != Operation::kUpdate) return absl::OkStatus();
  const json::Value* tolerations = object->FindPath({"spec", "tolerations"});
  const bool not_ready = Tolerates(tolerations, kTaintNodeNotReady);
  const bool unreachable = Tolerates(tolerations, kTaintNodeUnreachable);
  if (not_ready && unreachable) return absl::OkStatus();
  json::Value& list = object->Ensure({"spec", "tolerations"});
  if (!list.is_array()) list = json::Value::EmptyArray();
  if (!not_ready) list.Append(Toleration(kTaintNodeNotReady, not_ready_seconds));
  if (!unreachable) list.Append(Toleration(kTaintNodeUnreachable, unreachable_seconds));
  return absl::OkStatus();
}

}  // namespace cubelet::admission
