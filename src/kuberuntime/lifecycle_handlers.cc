#include "kuberuntime/lifecycle_handlers.h"

#include "common/strings.h"
#include "probes/handlers.h"

namespace cubelet::kuberuntime {

absl::Status RunLifecycleHandler(cri::RuntimeService& runtime, const api::LifecycleHandler& handler,
                                 const std::string& container_id, const api::Container& container,
                                 const std::vector<std::string>& pod_ips, absl::Duration timeout) {
  probes::HandlerResult r;
  if (handler.exec) {
    r = probes::RunExec(runtime, container_id, handler.exec->command, timeout);
  } else if (handler.http_get) {
    r = probes::RunHttpGet(*handler.http_get, {pod_ips.empty() ? "" : pod_ips[0], &container}, timeout);
  } else if (handler.sleep) {
    absl::SleepFor(std::min(absl::Seconds(handler.sleep->seconds), timeout));
    return absl::OkStatus();
  } else {
    return absl::InvalidArgumentError("a lifecycle hook needs exec, httpGet or sleep (tcpSocket is not supported)");
  }
  if (probes::IsSuccess(r.result)) return absl::OkStatus();
  return absl::UnknownError(r.output.empty() ? "hook failed" : r.output);
}

}  // namespace cubelet::kuberuntime
