// RemoteRuntimeService: RuntimeService over gRPC to a CRI v1 runtime.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "common/strings.h"
#include "absl/strings/str_cat.h"
#include "cri/proto/api.grpc.pb.h"
#include "cri/remote_runtime.h"
#include "cri/src/convert.h"
#include "cri/src/grpc_call.h"
#include "cri/src/grpc_call_macros.h"

namespace cubelet::cri {
namespace {

namespace pb = runtime::v1;
using internal::FromGrpc;
using internal::FromProto;
using internal::NewCallContext;
using internal::ToProto;

std::string Quoted(std::string_view kind, std::string_view id) {
  return StrCat(kind, " \"", id, "\"");
}

class RemoteRuntimeService final : public RuntimeService {
 public:
  RemoteRuntimeService(std::shared_ptr<grpc::Channel> channel, const RemoteRuntimeOptions& options)
      : stub_(pb::RuntimeService::NewStub(channel)), options_(options) {}

  // Cancels the asynchronous calls still in gRPC's hands and waits until gRPC has released
  // them: their contexts must go before the channel does (gRPC aborts on a completion queue
  // reference released too late otherwise).
  ~RemoteRuntimeService() override {
    // Cancelled outside the lock: gRPC may run a call's callback, and so release it, inline.
    std::vector<std::shared_ptr<grpc::ClientContext>> live;
    {
      std::lock_guard<std::mutex> l(async_->mu);
      live.assign(async_->live.begin(), async_->live.end());
    }
    for (const auto& ctx : live) ctx->TryCancel();
    live.clear();
    std::unique_lock<std::mutex> l(async_->mu);
    async_->cv.wait(l, [this] { return async_->pending == 0; });
  }

  absl::StatusOr<VersionInfo> Version() override {
    pb::VersionRequest req;
    req.set_version("v1");
    pb::VersionResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->Version(ctx.get(), req, &resp), "Version", "");
    return VersionInfo{resp.version(), resp.runtime_name(), resp.runtime_version(),
                       resp.runtime_api_version()};
  }

  absl::StatusOr<RuntimeStatus> Status(bool verbose) override {
    pb::StatusRequest req;
    req.set_verbose(verbose);
    pb::StatusResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->Status(ctx.get(), req, &resp), "Status", "");
    RuntimeStatus out;
    for (const auto& c : resp.status().conditions()) {
      out.conditions.push_back({c.type(), c.status(), c.reason(), c.message()});
    }
    out.info = StringMap(resp.info().begin(), resp.info().end());
    return out;
  }

  absl::StatusOr<std::string> RunPodSandbox(const PodSandboxConfig& config,
                                            const std::string& runtime_handler) override {
    pb::RunPodSandboxRequest req;
    ToProto(config, req.mutable_config());
    req.set_runtime_handler(runtime_handler);
    pb::RunPodSandboxResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    RETURN_STATUS(stub_->RunPodSandbox(ctx.get(), req, &resp), "RunPodSandbox",
                  StrCat("for pod \"", config.metadata.namespace_, "/", config.metadata.name, "\""));
    if (resp.pod_sandbox_id().empty()) {
      return absl::InternalError(StrCat("RunPodSandbox for pod \"", config.metadata.namespace_, "/",
                                              config.metadata.name, "\": runtime returned an empty sandbox id"));
    }
    return resp.pod_sandbox_id();
  }

  absl::Status StopPodSandbox(const std::string& sandbox_id) override {
    pb::StopPodSandboxRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    pb::StopPodSandboxResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    return FromGrpc(stub_->StopPodSandbox(ctx.get(), req, &resp), "StopPodSandbox",
                    Quoted("sandbox", sandbox_id));
  }

  absl::Status RemovePodSandbox(const std::string& sandbox_id) override {
    pb::RemovePodSandboxRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    pb::RemovePodSandboxResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    return FromGrpc(stub_->RemovePodSandbox(ctx.get(), req, &resp), "RemovePodSandbox",
                    Quoted("sandbox", sandbox_id));
  }

  absl::StatusOr<cri::PodSandboxStatus> GetPodSandboxStatus(const std::string& sandbox_id) override {
    pb::PodSandboxStatusRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    pb::PodSandboxStatusResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->PodSandboxStatus(ctx.get(), req, &resp), "PodSandboxStatus",
                  Quoted("sandbox", sandbox_id));
    if (!resp.has_status()) {
      return absl::InternalError(StrCat("PodSandboxStatus ", Quoted("sandbox", sandbox_id),
                                              ": runtime returned no status"));
    }
    return FromProto(resp.status());
  }

  absl::StatusOr<std::vector<PodSandbox>> ListPodSandbox(const PodSandboxFilter& filter) override {
    pb::ListPodSandboxRequest req;
    ToProto(filter, req.mutable_filter());
    pb::ListPodSandboxResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->ListPodSandbox(ctx.get(), req, &resp), "ListPodSandbox", "");
    std::vector<PodSandbox> out;
    out.reserve(resp.items_size());
    for (const auto& s : resp.items()) out.push_back(FromProto(s));
    return out;
  }

  absl::StatusOr<std::string> CreateContainer(const std::string& sandbox_id,
                                              const ContainerConfig& config,
                                              const PodSandboxConfig& sandbox_config) override {
    pb::CreateContainerRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    ToProto(config, req.mutable_config());
    ToProto(sandbox_config, req.mutable_sandbox_config());
    pb::CreateContainerResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    RETURN_STATUS(stub_->CreateContainer(ctx.get(), req, &resp), "CreateContainer",
                  StrCat(Quoted("container", config.metadata.name), " in ", Quoted("sandbox", sandbox_id)));
    if (resp.container_id().empty()) {
      return absl::InternalError(StrCat("CreateContainer ", Quoted("container", config.metadata.name),
                                              ": runtime returned an empty container id"));
    }
    return resp.container_id();
  }

  absl::Status StartContainer(const std::string& container_id) override {
    pb::StartContainerRequest req;
    req.set_container_id(container_id);
    pb::StartContainerResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    return FromGrpc(stub_->StartContainer(ctx.get(), req, &resp), "StartContainer",
                    Quoted("container", container_id));
  }

  absl::Status StopContainer(const std::string& container_id, absl::Duration grace,
                             std::stop_token cancel) override {
    pb::StopContainerRequest req;
    req.set_container_id(container_id);
    const int64_t seconds = std::max<int64_t>(0, absl::ToInt64Seconds(grace));
    req.set_timeout(seconds);
    pb::StopContainerResponse resp;
    // The runtime may take the whole grace period; the deadline leaves room beyond it.
    auto ctx = NewCallContext(options_.request_timeout + absl::Seconds(seconds));
    std::stop_callback on_cancel(cancel, [&ctx] { ctx->TryCancel(); });
    return FromGrpc(stub_->StopContainer(ctx.get(), req, &resp), "StopContainer",
                    Quoted("container", container_id));
  }

  absl::Status RemoveContainer(const std::string& container_id) override {
    pb::RemoveContainerRequest req;
    req.set_container_id(container_id);
    pb::RemoveContainerResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    return FromGrpc(stub_->RemoveContainer(ctx.get(), req, &resp), "RemoveContainer",
                    Quoted("container", container_id));
  }

  absl::StatusOr<std::vector<Container>> ListContainers(const ContainerFilter& filter) override {
    pb::ListContainersRequest req;
    ToProto(filter, req.mutable_filter());
    pb::ListContainersResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->ListContainers(ctx.get(), req, &resp), "ListContainers", "");
    std::vector<Container> out;
    out.reserve(resp.containers_size());
    for (const auto& c : resp.containers()) out.push_back(FromProto(c));
    return out;
  }

  absl::StatusOr<ContainerStatus> GetContainerStatus(const std::string& container_id) override {
    pb::ContainerStatusRequest req;
    req.set_container_id(container_id);
    pb::ContainerStatusResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->ContainerStatus(ctx.get(), req, &resp), "ContainerStatus",
                  Quoted("container", container_id));
    if (!resp.has_status()) {
      return absl::InternalError(StrCat("ContainerStatus ", Quoted("container", container_id),
                                              ": runtime returned no status"));
    }
    return FromProto(resp.status());
  }

  absl::Status UpdateContainerResources(const std::string& container_id,
                                        const LinuxContainerResources& resources) override {
    pb::UpdateContainerResourcesRequest req;
    req.set_container_id(container_id);
    ToProto(resources, req.mutable_linux());
    pb::UpdateContainerResourcesResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    return FromGrpc(stub_->UpdateContainerResources(ctx.get(), req, &resp), "UpdateContainerResources",
                    Quoted("container", container_id));
  }

  absl::Status ReopenContainerLog(const std::string& container_id) override {
    pb::ReopenContainerLogRequest req;
    req.set_container_id(container_id);
    pb::ReopenContainerLogResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    return FromGrpc(stub_->ReopenContainerLog(ctx.get(), req, &resp), "ReopenContainerLog",
                    Quoted("container", container_id));
  }

  absl::StatusOr<ExecSyncResult> ExecSync(const std::string& container_id,
                                          const std::vector<std::string>& cmd,
                                          absl::Duration timeout) override {
    pb::ExecSyncRequest req;
    req.set_container_id(container_id);
    for (const auto& c : cmd) req.add_cmd(c);
    const int64_t seconds = std::max<int64_t>(0, absl::ToInt64Seconds(absl::Ceil(timeout, absl::Seconds(1))));
    req.set_timeout(seconds);
    pb::ExecSyncResponse resp;
    // As upstream: the command's own timeout plus the request timeout for the call itself.
    auto ctx = NewCallContext(options_.request_timeout + absl::Seconds(seconds));
    RETURN_STATUS(stub_->ExecSync(ctx.get(), req, &resp), "ExecSync", Quoted("container", container_id));
    return ExecSyncResult{resp.stdout(), resp.stderr(), resp.exit_code()};
  }

  void ExecSyncAsync(const std::string& container_id, const std::vector<std::string>& cmd, absl::Duration timeout,
                     ExecSyncCallback done) override {
    // The call's state lives until gRPC drops the callback, after it has run; its context is
    // listed while it lives, so that the service can cancel it.
    struct Call {
      Call(std::shared_ptr<AsyncCalls> a, std::unique_ptr<grpc::ClientContext> c)
          : async(std::move(a)), ctx(std::move(c)) {
        std::lock_guard<std::mutex> l(async->mu);
        async->live.insert(ctx);
        ++async->pending;
      }
      ~Call() {
        {
          std::lock_guard<std::mutex> l(async->mu);
          async->live.erase(ctx);
        }
        ctx.reset();  // before the call counts as finished: the channel may go right after
        std::lock_guard<std::mutex> l(async->mu);
        --async->pending;
        async->cv.notify_all();
      }
      std::shared_ptr<AsyncCalls> async;
      std::shared_ptr<grpc::ClientContext> ctx;
      pb::ExecSyncRequest req;
      pb::ExecSyncResponse resp;
    };
    const int64_t seconds = std::max<int64_t>(0, absl::ToInt64Seconds(absl::Ceil(timeout, absl::Seconds(1))));
    auto call = std::make_shared<Call>(async_, NewCallContext(options_.request_timeout + absl::Seconds(seconds)));
    call->req.set_container_id(container_id);
    for (const auto& c : cmd) call->req.add_cmd(c);
    call->req.set_timeout(seconds);
    stub_->async()->ExecSync(call->ctx.get(), &call->req, &call->resp,
                             [call, done = std::move(done), container_id](grpc::Status s) {
                               if (!s.ok()) {
                                 done(FromGrpc(s, "ExecSync", Quoted("container", container_id)));
                                 return;
                               }
                               done(ExecSyncResult{call->resp.stdout(), call->resp.stderr(), call->resp.exit_code()});
                             });
  }

  absl::StatusOr<std::string> Exec(const ExecRequest& request) override {
    pb::ExecRequest req;
    req.set_container_id(request.container_id);
    for (const auto& c : request.cmd) req.add_cmd(c);
    req.set_tty(request.tty);
    req.set_stdin(request.stdin);
    req.set_stdout(request.stdout);
    req.set_stderr(request.stderr);
    pb::ExecResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    RETURN_STATUS(stub_->Exec(ctx.get(), req, &resp), "Exec", Quoted("container", request.container_id));
    return resp.url();
  }

  absl::StatusOr<std::string> Attach(const AttachRequest& request) override {
    pb::AttachRequest req;
    req.set_container_id(request.container_id);
    req.set_stdin(request.stdin);
    req.set_tty(request.tty);
    req.set_stdout(request.stdout);
    req.set_stderr(request.stderr);
    pb::AttachResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    RETURN_STATUS(stub_->Attach(ctx.get(), req, &resp), "Attach", Quoted("container", request.container_id));
    return resp.url();
  }

  absl::StatusOr<std::string> PortForward(const std::string& sandbox_id,
                                          const std::vector<int32_t>& ports) override {
    pb::PortForwardRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    for (int32_t p : ports) req.add_port(p);
    pb::PortForwardResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    RETURN_STATUS(stub_->PortForward(ctx.get(), req, &resp), "PortForward", Quoted("sandbox", sandbox_id));
    return resp.url();
  }

  absl::StatusOr<ContainerStats> GetContainerStats(const std::string& container_id) override {
    pb::ContainerStatsRequest req;
    req.set_container_id(container_id);
    pb::ContainerStatsResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->ContainerStats(ctx.get(), req, &resp), "ContainerStats",
                  Quoted("container", container_id));
    return FromProto(resp.stats());
  }

  absl::StatusOr<std::vector<ContainerStats>> ListContainerStats(const ContainerStatsFilter& filter) override {
    pb::ListContainerStatsRequest req;
    req.mutable_filter()->set_id(filter.id);
    req.mutable_filter()->set_pod_sandbox_id(filter.pod_sandbox_id);
    for (const auto& [k, v] : filter.label_selector) (*req.mutable_filter()->mutable_label_selector())[k] = v;
    pb::ListContainerStatsResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->ListContainerStats(ctx.get(), req, &resp), "ListContainerStats", "");
    std::vector<ContainerStats> out;
    for (const auto& s : resp.stats()) out.push_back(FromProto(s));
    return out;
  }

  absl::StatusOr<PodSandboxStats> GetPodSandboxStats(const std::string& sandbox_id) override {
    pb::PodSandboxStatsRequest req;
    req.set_pod_sandbox_id(sandbox_id);
    pb::PodSandboxStatsResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->PodSandboxStats(ctx.get(), req, &resp), "PodSandboxStats",
                  Quoted("sandbox", sandbox_id));
    return FromProto(resp.stats());
  }

  absl::StatusOr<std::vector<PodSandboxStats>> ListPodSandboxStats(
      const PodSandboxStatsFilter& filter) override {
    pb::ListPodSandboxStatsRequest req;
    req.mutable_filter()->set_id(filter.id);
    for (const auto& [k, v] : filter.label_selector) (*req.mutable_filter()->mutable_label_selector())[k] = v;
    pb::ListPodSandboxStatsResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->ListPodSandboxStats(ctx.get(), req, &resp), "ListPodSandboxStats", "");
    std::vector<PodSandboxStats> out;
    for (const auto& s : resp.stats()) out.push_back(FromProto(s));
    return out;
  }

 private:
  // The contexts of asynchronous calls gRPC has not released yet.
  struct AsyncCalls {
    std::mutex mu;
    std::condition_variable cv;
    std::set<std::shared_ptr<grpc::ClientContext>> live;  // guarded by mu
    int pending = 0;  // calls whose context is not yet released; guarded by mu
  };

  std::unique_ptr<pb::RuntimeService::Stub> stub_;
  RemoteRuntimeOptions options_;
  std::shared_ptr<AsyncCalls> async_ = std::make_shared<AsyncCalls>();
};

}  // namespace

absl::StatusOr<std::unique_ptr<RuntimeService>> NewRemoteRuntimeService(const RemoteRuntimeOptions& options) {
  auto channel = internal::NewRuntimeChannel(options.endpoint);
  if (!channel.ok()) return channel.status();
  return std::make_unique<RemoteRuntimeService>(*channel, options);
}

}  // namespace cubelet::cri
