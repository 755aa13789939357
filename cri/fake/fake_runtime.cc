#include "common/strings.h"
#include "cri/fake_runtime.h"

#include <unistd.h>

#include <map>
#include <mutex>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cri/proto/api.grpc.pb.h"
#include "cri/src/convert.h"

namespace cubelet::cri {
namespace {

namespace pb = runtime::v1;

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

grpc::Status NotFound(std::string_view what, std::string_view id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, StrCat(what, " \"", id, "\" not found"));
}

bool LabelsMatch(const google::protobuf::Map<std::string, std::string>& selector,
                 const google::protobuf::Map<std::string, std::string>& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

struct FakeRuntimeServer::Impl {
  struct Sandbox {
    pb::PodSandboxConfig config;
    pb::PodSandboxStatus status;
  };
  struct Container {
    pb::ContainerConfig config;
    pb::ContainerStatus status;
    std::string sandbox_id;
  };

  Impl(std::string path, Clock* c) : socket_path(std::move(path)), clock(c) {}

  // Strictly increasing, so that "newest" is well defined even while a fake clock stands still.
  int64_t NowNanos() {
    last_ns = std::max(absl::ToUnixNanos(clock->Now()), last_ns + 1);
    return last_ns;
  }

  // Records the call and returns an injected error, if one is due. Requires mu.
  std::optional<grpc::Status> Enter(const std::string& method) {
    calls.push_back(method);
    auto it = errors.find(method);
    if (it == errors.end()) return std::nullopt;
    auto& [status, times] = it->second;
    grpc::Status out = ToGrpc(status);
    if (times > 0 && --times == 0) errors.erase(it);
    return out;
  }

  std::string NewId(std::string_view kind) {
    return absl::StrFormat("%s%058x", kind.substr(0, 6), ++next_id);
  }

  void Exit(Container& c, int32_t code, std::string reason) {
    c.status.set_state(pb::CONTAINER_EXITED);
    c.status.set_finished_at(NowNanos());
    c.status.set_exit_code(code);
    if (reason.empty()) reason = code == 0 ? "Completed" : "Error";
    c.status.set_reason(reason);
  }

  const pb::Image* FindImage(const std::string& ref) const {
    for (const auto& [id, img] : images) {
      if (id == ref) return &img;
      for (const auto& t : img.repo_tags()) {
        if (t == ref) return &img;
      }
    }
    return nullptr;
  }

  pb::Image MakeImage(const std::string& ref, std::optional<int64_t> uid, const std::string& username) {
    pb::Image img;
    img.set_id(absl::StrFormat("sha256:%064x", std::hash<std::string>{}(ref)));
    img.add_repo_tags(ref);
    img.set_size(1 << 20);
    if (uid) img.mutable_uid()->set_value(*uid);
    img.set_username(username);
    return img;
  }

  std::string socket_path;
  Clock* clock;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<pb::RuntimeService::Service> runtime_service;
  std::unique_ptr<pb::ImageService::Service> image_service;

  mutable std::mutex mu;
  std::map<std::string, Sandbox> sandboxes;
  std::map<std::string, Container> containers;
  std::map<std::string, pb::Image> images;  // by id
  std::vector<std::string> pullable;
  std::map<std::string, std::pair<absl::Status, int>> errors;
  std::vector<std::string> calls;
  uint64_t next_id = 0;
  int64_t last_ns = 0;
  int next_ip = 1;
  StartBehavior start_behavior;
  ExecBehavior exec_behavior;
};

namespace {

class FakeRuntimeService final : public pb::RuntimeService::Service {
 public:
  explicit FakeRuntimeService(FakeRuntimeServer::Impl* s) : s_(s) {}
  using Lock = std::lock_guard<std::mutex>;

#define FAKE_ENTER(name)              \
  Lock lock(s_->mu);                  \
  if (auto e = s_->Enter(name)) return *e

  grpc::Status Version(grpc::ServerContext*, const pb::VersionRequest*, pb::VersionResponse* resp) override {
    FAKE_ENTER("Version");
    resp->set_version("0.1.0");
    resp->set_runtime_name("fake-runtime");
    resp->set_runtime_version("0.1.0");
    resp->set_runtime_api_version("v1");
    return grpc::Status::OK;
  }

  grpc::Status Status(grpc::ServerContext*, const pb::StatusRequest*, pb::StatusResponse* resp) override {
    FAKE_ENTER("Status");
    for (const char* type : {"RuntimeReady", "NetworkReady"}) {
      auto* c = resp->mutable_status()->add_conditions();
      c->set_type(type);
      c->set_status(true);
    }
    return grpc::Status::OK;
  }

  grpc::Status RunPodSandbox(grpc::ServerContext*, const pb::RunPodSandboxRequest* req,
                             pb::RunPodSandboxResponse* resp) override {
    FAKE_ENTER("RunPodSandbox");
    const auto& md = req->config().metadata();
    for (const auto& [id, sb] : s_->sandboxes) {
      const auto& m = sb.status.metadata();
      if (m.name() == md.name() && m.namespace_() == md.namespace_() && m.uid() == md.uid() &&
          m.attempt() == md.attempt()) {
        return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                            StrCat("sandbox name \"", md.name(), "_", md.namespace_(), "_", md.uid(),
                                         "_", md.attempt(), "\" is reserved for \"", id, "\""));
      }
    }
    const std::string id = s_->NewId("sandbox");
    FakeRuntimeServer::Impl::Sandbox sb;
    sb.config = req->config();
    auto& st = sb.status;
    st.set_id(id);
    *st.mutable_metadata() = md;
    st.set_state(pb::SANDBOX_READY);
    st.set_created_at(s_->NowNanos());
    const auto ns = req->config().linux().security_context().namespace_options();
    if (ns.network() != pb::NODE) st.mutable_network()->set_ip(StrCat("10.88.0.", s_->next_ip++ % 250 + 2));
    *st.mutable_linux()->mutable_namespaces()->mutable_options() = ns;
    *st.mutable_labels() = req->config().labels();
    *st.mutable_annotations() = req->config().annotations();
    st.set_runtime_handler(req->runtime_handler());
    s_->sandboxes.emplace(id, std::move(sb));
    resp->set_pod_sandbox_id(id);
    return grpc::Status::OK;
  }

  grpc::Status StopPodSandbox(grpc::ServerContext*, const pb::StopPodSandboxRequest* req,
                              pb::StopPodSandboxResponse*) override {
    FAKE_ENTER("StopPodSandbox");
    auto it = s_->sandboxes.find(req->pod_sandbox_id());
    if (it == s_->sandboxes.end()) return NotFound("sandbox", req->pod_sandbox_id());
    it->second.status.set_state(pb::SANDBOX_NOTREADY);
    for (auto& [id, c] : s_->containers) {
      if (c.sandbox_id == it->first && c.status.state() == pb::CONTAINER_RUNNING) s_->Exit(c, 137, "Error");
    }
    return grpc::Status::OK;
  }

  grpc::Status RemovePodSandbox(grpc::ServerContext*, const pb::RemovePodSandboxRequest* req,
                                pb::RemovePodSandboxResponse*) override {
    FAKE_ENTER("RemovePodSandbox");
    // Idempotent, as the CRI requires.
    if (s_->sandboxes.erase(req->pod_sandbox_id()) == 0) return grpc::Status::OK;
    std::erase_if(s_->containers, [&](const auto& kv) { return kv.second.sandbox_id == req->pod_sandbox_id(); });
    return grpc::Status::OK;
  }

  grpc::Status PodSandboxStatus(grpc::ServerContext*, const pb::PodSandboxStatusRequest* req,
                                pb::PodSandboxStatusResponse* resp) override {
    FAKE_ENTER("PodSandboxStatus");
    auto it = s_->sandboxes.find(req->pod_sandbox_id());
    if (it == s_->sandboxes.end()) return NotFound("sandbox", req->pod_sandbox_id());
    *resp->mutable_status() = it->second.status;
    return grpc::Status::OK;
  }

  grpc::Status ListPodSandbox(grpc::ServerContext*, const pb::ListPodSandboxRequest* req,
                              pb::ListPodSandboxResponse* resp) override {
    FAKE_ENTER("ListPodSandbox");
    const auto& f = req->filter();
    for (const auto& [id, sb] : s_->sandboxes) {
      if (!f.id().empty() && f.id() != id) continue;
      if (f.has_state() && f.state().state() != sb.status.state()) continue;
      if (!LabelsMatch(f.label_selector(), sb.status.labels())) continue;
      auto* item = resp->add_items();
      item->set_id(id);
      *item->mutable_metadata() = sb.status.metadata();
      item->set_state(sb.status.state());
      item->set_created_at(sb.status.created_at());
      *item->mutable_labels() = sb.status.labels();
      *item->mutable_annotations() = sb.status.annotations();
      item->set_runtime_handler(sb.status.runtime_handler());
    }
    return grpc::Status::OK;
  }

  grpc::Status CreateContainer(grpc::ServerContext*, const pb::CreateContainerRequest* req,
                               pb::CreateContainerResponse* resp) override {
    FAKE_ENTER("CreateContainer");
    auto sb = s_->sandboxes.find(req->pod_sandbox_id());
    if (sb == s_->sandboxes.end()) return NotFound("sandbox", req->pod_sandbox_id());
    if (sb->second.status.state() != pb::SANDBOX_READY) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          StrCat("sandbox \"", req->pod_sandbox_id(), "\" is not running"));
    }
    const pb::Image* image = s_->FindImage(req->config().image().image());
    if (image == nullptr) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          StrCat("image \"", req->config().image().image(), "\" not found"));
    }
    const auto& md = req->config().metadata();
    for (const auto& [id, c] : s_->containers) {
      if (c.sandbox_id == req->pod_sandbox_id() && c.config.metadata().name() == md.name() &&
          c.config.metadata().attempt() == md.attempt()) {
        return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                            StrCat("container name \"", md.name(), "\" attempt ", md.attempt(),
                                         " is reserved for \"", id, "\""));
      }
    }
    const std::string id = s_->NewId("contai");
    FakeRuntimeServer::Impl::Container c;
    c.config = req->config();
    c.sandbox_id = req->pod_sandbox_id();
    auto& st = c.status;
    st.set_id(id);
    *st.mutable_metadata() = md;
    st.set_state(pb::CONTAINER_CREATED);
    st.set_created_at(s_->NowNanos());
    *st.mutable_image() = req->config().image();
    st.set_image_ref(image->id());
    st.set_image_id(image->id());
    *st.mutable_labels() = req->config().labels();
    *st.mutable_annotations() = req->config().annotations();
    *st.mutable_mounts() = req->config().mounts();
    if (!req->config().log_path().empty()) {
      st.set_log_path(StrCat(req->sandbox_config().log_directory(), "/", req->config().log_path()));
    }
    if (req->config().linux().has_resources()) {
      *st.mutable_resources()->mutable_linux() = req->config().linux().resources();
    }
    s_->containers.emplace(id, std::move(c));
    resp->set_container_id(id);
    return grpc::Status::OK;
  }

  grpc::Status StartContainer(grpc::ServerContext*, const pb::StartContainerRequest* req,
                              pb::StartContainerResponse*) override {
    FAKE_ENTER("StartContainer");
    auto it = s_->containers.find(req->container_id());
    if (it == s_->containers.end()) return NotFound("container", req->container_id());
    auto& c = it->second;
    if (c.status.state() != pb::CONTAINER_CREATED) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          StrCat("container \"", req->container_id(), "\" is in ",
                                       pb::ContainerState_Name(c.status.state()), " state"));
    }
    c.status.set_state(pb::CONTAINER_RUNNING);
    c.status.set_started_at(s_->NowNanos());
    if (s_->start_behavior) {
      if (auto code = s_->start_behavior(internal::FromProto(c.config))) s_->Exit(c, *code, "");
    }
    return grpc::Status::OK;
  }

  grpc::Status StopContainer(grpc::ServerContext*, const pb::StopContainerRequest* req,
                             pb::StopContainerResponse*) override {
    FAKE_ENTER("StopContainer");
    auto it = s_->containers.find(req->container_id());
    if (it == s_->containers.end()) return NotFound("container", req->container_id());
    if (it->second.status.state() == pb::CONTAINER_RUNNING) s_->Exit(it->second, 0, "");
    return grpc::Status::OK;
  }

  grpc::Status RemoveContainer(grpc::ServerContext*, const pb::RemoveContainerRequest* req,
                               pb::RemoveContainerResponse*) override {
    FAKE_ENTER("RemoveContainer");
    s_->containers.erase(req->container_id());
    return grpc::Status::OK;
  }

  grpc::Status ListContainers(grpc::ServerContext*, const pb::ListContainersRequest* req,
                              pb::ListContainersResponse* resp) override {
    FAKE_ENTER("ListContainers");
    const auto& f = req->filter();
    for (const auto& [id, c] : s_->containers) {
      if (!f.id().empty() && f.id() != id) continue;
      if (f.has_state() && f.state().state() != c.status.state()) continue;
      if (!f.pod_sandbox_id().empty() && f.pod_sandbox_id() != c.sandbox_id) continue;
      if (!LabelsMatch(f.label_selector(), c.status.labels())) continue;
      auto* out = resp->add_containers();
      out->set_id(id);
      out->set_pod_sandbox_id(c.sandbox_id);
      *out->mutable_metadata() = c.status.metadata();
      *out->mutable_image() = c.status.image();
      out->set_image_ref(c.status.image_ref());
      out->set_image_id(c.status.image_id());
      out->set_state(c.status.state());
      out->set_created_at(c.status.created_at());
      *out->mutable_labels() = c.status.labels();
      *out->mutable_annotations() = c.status.annotations();
    }
    return grpc::Status::OK;
  }

  grpc::Status ContainerStatus(grpc::ServerContext*, const pb::ContainerStatusRequest* req,
                               pb::ContainerStatusResponse* resp) override {
    FAKE_ENTER("ContainerStatus");
    auto it = s_->containers.find(req->container_id());
    if (it == s_->containers.end()) return NotFound("container", req->container_id());
    *resp->mutable_status() = it->second.status;
    return grpc::Status::OK;
  }

  grpc::Status UpdateContainerResources(grpc::ServerContext*, const pb::UpdateContainerResourcesRequest* req,
                                        pb::UpdateContainerResourcesResponse*) override {
    FAKE_ENTER("UpdateContainerResources");
    auto it = s_->containers.find(req->container_id());
    if (it == s_->containers.end()) return NotFound("container", req->container_id());
    *it->second.status.mutable_resources()->mutable_linux() = req->linux();
    return grpc::Status::OK;
  }

  grpc::Status ReopenContainerLog(grpc::ServerContext*, const pb::ReopenContainerLogRequest* req,
                                  pb::ReopenContainerLogResponse*) override {
    FAKE_ENTER("ReopenContainerLog");
    auto it = s_->containers.find(req->container_id());
    if (it == s_->containers.end()) return NotFound("container", req->container_id());
    if (it->second.status.state() != pb::CONTAINER_RUNNING) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "container is not running");
    }
    return grpc::Status::OK;
  }

  grpc::Status ExecSync(grpc::ServerContext*, const pb::ExecSyncRequest* req, pb::ExecSyncResponse* resp) override {
    FAKE_ENTER("ExecSync");
    auto it = s_->containers.find(req->container_id());
    if (it == s_->containers.end()) return NotFound("container", req->container_id());
    if (it->second.status.state() != pb::CONTAINER_RUNNING) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          StrCat("container \"", req->container_id(), "\" is not running"));
    }
    std::vector<std::string> cmd(req->cmd().begin(), req->cmd().end());
    ExecSyncResult r;
    if (s_->exec_behavior) {
      r = s_->exec_behavior(req->container_id(), cmd);
    } else {
      r.stdout_data = StrCat(absl::StrJoin(cmd, " "), "\n");
    }
    resp->set_stdout(r.stdout_data);
    resp->set_stderr(r.stderr_data);
    resp->set_exit_code(r.exit_code);
    return grpc::Status::OK;
  }

  grpc::Status Exec(grpc::ServerContext*, const pb::ExecRequest* req, pb::ExecResponse* resp) override {
    FAKE_ENTER("Exec");
    if (!s_->containers.contains(req->container_id())) return NotFound("container", req->container_id());
    resp->set_url(StrCat("http://127.0.0.1:0/exec/", req->container_id()));
    return grpc::Status::OK;
  }

  grpc::Status Attach(grpc::ServerContext*, const pb::AttachRequest* req, pb::AttachResponse* resp) override {
    FAKE_ENTER("Attach");
    if (!s_->containers.contains(req->container_id())) return NotFound("container", req->container_id());
    resp->set_url(StrCat("http://127.0.0.1:0/attach/", req->container_id()));
    return grpc::Status::OK;
  }

  grpc::Status PortForward(grpc::ServerContext*, const pb::PortForwardRequest* req,
                           pb::PortForwardResponse* resp) override {
    FAKE_ENTER("PortForward");
    if (!s_->sandboxes.contains(req->pod_sandbox_id())) return NotFound("sandbox", req->pod_sandbox_id());
    resp->set_url(StrCat("http://127.0.0.1:0/portforward/", req->pod_sandbox_id()));
    return grpc::Status::OK;
  }

  void FillStats(const std::string& id, const FakeRuntimeServer::Impl::Container& c, pb::ContainerStats* out) {
    auto* a = out->mutable_attributes();
    a->set_id(id);
    *a->mutable_metadata() = c.status.metadata();
    *a->mutable_labels() = c.status.labels();
    *a->mutable_annotations() = c.status.annotations();
    const int64_t now = s_->NowNanos();
    out->mutable_cpu()->set_timestamp(now);
    out->mutable_cpu()->mutable_usage_core_nano_seconds()->set_value(0);
    out->mutable_memory()->set_timestamp(now);
    out->mutable_memory()->mutable_working_set_bytes()->set_value(0);
    out->mutable_writable_layer()->set_timestamp(now);
    out->mutable_writable_layer()->mutable_used_bytes()->set_value(0);
  }

  grpc::Status ContainerStats(grpc::ServerContext*, const pb::ContainerStatsRequest* req,
                              pb::ContainerStatsResponse* resp) override {
    FAKE_ENTER("ContainerStats");
    auto it = s_->containers.find(req->container_id());
    if (it == s_->containers.end()) return NotFound("container", req->container_id());
    FillStats(it->first, it->second, resp->mutable_stats());
    return grpc::Status::OK;
  }

  grpc::Status ListContainerStats(grpc::ServerContext*, const pb::ListContainerStatsRequest* req,
                                  pb::ListContainerStatsResponse* resp) override {
    FAKE_ENTER("ListContainerStats");
    const auto& f = req->filter();
    for (const auto& [id, c] : s_->containers) {
      if (c.status.state() != pb::CONTAINER_RUNNING) continue;
      if (!f.id().empty() && f.id() != id) continue;
      if (!f.pod_sandbox_id().empty() && f.pod_sandbox_id() != c.sandbox_id) continue;
      if (!LabelsMatch(f.label_selector(), c.status.labels())) continue;
      FillStats(id, c, resp->add_stats());
    }
    return grpc::Status::OK;
  }

  void FillSandboxStats(const std::string& id, const FakeRuntimeServer::Impl::Sandbox& sb, pb::PodSandboxStats* out) {
    auto* a = out->mutable_attributes();
    a->set_id(id);
    *a->mutable_metadata() = sb.status.metadata();
    *a->mutable_labels() = sb.status.labels();
    *a->mutable_annotations() = sb.status.annotations();
    out->mutable_linux()->mutable_cpu()->set_timestamp(s_->NowNanos());
    for (const auto& [cid, c] : s_->containers) {
      if (c.sandbox_id == id && c.status.state() == pb::CONTAINER_RUNNING) {
        FillStats(cid, c, out->mutable_linux()->add_containers());
      }
    }
  }

  grpc::Status PodSandboxStats(grpc::ServerContext*, const pb::PodSandboxStatsRequest* req,
                               pb::PodSandboxStatsResponse* resp) override {
    FAKE_ENTER("PodSandboxStats");
    auto it = s_->sandboxes.find(req->pod_sandbox_id());
    if (it == s_->sandboxes.end()) return NotFound("sandbox", req->pod_sandbox_id());
    FillSandboxStats(it->first, it->second, resp->mutable_stats());
    return grpc::Status::OK;
  }

  grpc::Status ListPodSandboxStats(grpc::ServerContext*, const pb::ListPodSandboxStatsRequest* req,
                                   pb::ListPodSandboxStatsResponse* resp) override {
    FAKE_ENTER("ListPodSandboxStats");
    const auto& f = req->filter();
    for (const auto& [id, sb] : s_->sandboxes) {
      if (!f.id().empty() && f.id() != id) continue;
      if (!LabelsMatch(f.label_selector(), sb.status.labels())) continue;
      FillSandboxStats(id, sb, resp->add_stats());
    }
    return grpc::Status::OK;
  }

 private:
  FakeRuntimeServer::Impl* s_;
};

class FakeImageService final : public pb::ImageService::Service {
 public:
  explicit FakeImageService(FakeRuntimeServer::Impl* s) : s_(s) {}
  using Lock = std::lock_guard<std::mutex>;

  grpc::Status ListImages(grpc::ServerContext*, const pb::ListImagesRequest* req, pb::ListImagesResponse* resp) override {
    FAKE_ENTER("ListImages");
    const std::string& want = req->filter().image().image();
    for (const auto& [id, img] : s_->images) {
      if (!want.empty() && s_->FindImage(want) != &img) continue;
      *resp->add_images() = img;
    }
    return grpc::Status::OK;
  }

  grpc::Status ImageStatus(grpc::ServerContext*, const pb::ImageStatusRequest* req, pb::ImageStatusResponse* resp) override {
    FAKE_ENTER("ImageStatus");
    // A missing image is an empty answer, not an error.
    if (const pb::Image* img = s_->FindImage(req->image().image())) *resp->mutable_image() = *img;
    return grpc::Status::OK;
  }

  grpc::Status PullImage(grpc::ServerContext*, const pb::PullImageRequest* req, pb::PullImageResponse* resp) override {
    FAKE_ENTER("PullImage");
    const std::string& ref = req->image().image();
    if (std::find(s_->pullable.begin(), s_->pullable.end(), ref) == s_->pullable.end()) {
      return grpc::Status(grpc::StatusCode::UNKNOWN,
                          StrCat("failed to pull and unpack image \"", ref, "\": not found"));
    }
    if (const pb::Image* img = s_->FindImage(ref)) {
      resp->set_image_ref(img->id());
      return grpc::Status::OK;
    }
    pb::Image img = s_->MakeImage(ref, std::nullopt, "");
    resp->set_image_ref(img.id());
    s_->images.emplace(img.id(), img);
    return grpc::Status::OK;
  }

  grpc::Status RemoveImage(grpc::ServerContext*, const pb::RemoveImageRequest* req, pb::RemoveImageResponse*) override {
    FAKE_ENTER("RemoveImage");
    if (const pb::Image* img = s_->FindImage(req->image().image())) s_->images.erase(img->id());
    return grpc::Status::OK;
  }

  grpc::Status ImageFsInfo(grpc::ServerContext*, const pb::ImageFsInfoRequest*, pb::ImageFsInfoResponse* resp) override {
    FAKE_ENTER("ImageFsInfo");
    auto* fs = resp->add_image_filesystems();
    fs->set_timestamp(s_->NowNanos());
    fs->mutable_fs_id()->set_mountpoint("/var/lib/fake-runtime");
    uint64_t used = 0;
    for (const auto& [id, img] : s_->images) used += img.size();
    fs->mutable_used_bytes()->set_value(used);
    fs->mutable_inodes_used()->set_value(s_->images.size());
    return grpc::Status::OK;
  }

#undef FAKE_ENTER

 private:
  FakeRuntimeServer::Impl* s_;
};

}  // namespace

FakeRuntimeServer::FakeRuntimeServer(std::string socket_path, Clock* clock)
    : impl_(std::make_unique<Impl>(std::move(socket_path), clock)) {}

FakeRuntimeServer::~FakeRuntimeServer() { Shutdown(); }

absl::Status FakeRuntimeServer::Start() {
  ::unlink(impl_->socket_path.c_str());
  impl_->runtime_service = std::make_unique<FakeRuntimeService>(impl_.get());
  impl_->image_service = std::make_unique<FakeImageService>(impl_.get());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(endpoint(), grpc::InsecureServerCredentials());
  builder.RegisterService(impl_->runtime_service.get());
  builder.RegisterService(impl_->image_service.get());
  impl_->server = builder.BuildAndStart();
  if (!impl_->server) {
    return absl::UnavailableError(StrCat("fake runtime: cannot listen on ", impl_->socket_path));
  }
  return absl::OkStatus();
}

void FakeRuntimeServer::Shutdown() {
  if (impl_->server) {
    impl_->server->Shutdown(std::chrono::system_clock::now());
    impl_->server->Wait();
    impl_->server.reset();
    ::unlink(impl_->socket_path.c_str());
  }
}

std::string FakeRuntimeServer::endpoint() const { return StrCat("unix://", impl_->socket_path); }

void FakeRuntimeServer::InjectError(const std::string& method, absl::Status status, int times) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->errors[method] = {std::move(status), times};
}

void FakeRuntimeServer::ClearErrors() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->errors.clear();
}

std::vector<std::string> FakeRuntimeServer::Calls() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->calls;
}

int FakeRuntimeServer::CallCount(const std::string& method) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return static_cast<int>(std::count(impl_->calls.begin(), impl_->calls.end(), method));
}

void FakeRuntimeServer::ClearCalls() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->calls.clear();
}

void FakeRuntimeServer::AddPullableImage(const std::string& ref) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->pullable.push_back(ref);
}

void FakeRuntimeServer::AddImage(const std::string& ref, std::optional<int64_t> uid, const std::string& username) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  pb::Image img = impl_->MakeImage(ref, uid, username);
  impl_->images[img.id()] = img;
}

void FakeRuntimeServer::SetStartBehavior(StartBehavior behavior) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->start_behavior = std::move(behavior);
}

void FakeRuntimeServer::SetExecBehavior(ExecBehavior behavior) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->exec_behavior = std::move(behavior);
}

absl::Status FakeRuntimeServer::ExitContainer(const std::string& container_id, int32_t exit_code,
                                              const std::string& reason) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->containers.find(container_id);
  if (it == impl_->containers.end()) return absl::NotFoundError(StrCat("container \"", container_id, "\" not found"));
  if (it->second.status.state() != pb::CONTAINER_RUNNING) {
    return absl::FailedPreconditionError(StrCat("container \"", container_id, "\" is not running"));
  }
  impl_->Exit(it->second, exit_code, reason);
  return absl::OkStatus();
}

absl::Status FakeRuntimeServer::KillSandbox(const std::string& sandbox_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->sandboxes.find(sandbox_id);
  if (it == impl_->sandboxes.end()) return absl::NotFoundError(StrCat("sandbox \"", sandbox_id, "\" not found"));
  it->second.status.set_state(pb::SANDBOX_NOTREADY);
  return absl::OkStatus();
}

std::vector<PodSandboxStatus> FakeRuntimeServer::Sandboxes() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<PodSandboxStatus> out;
  for (const auto& [id, sb] : impl_->sandboxes) out.push_back(internal::FromProto(sb.status));
  return out;
}

std::vector<ContainerStatus> FakeRuntimeServer::Containers() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<ContainerStatus> out;
  for (const auto& [id, c] : impl_->containers) out.push_back(internal::FromProto(c.status));
  return out;
}

std::optional<ContainerConfig> FakeRuntimeServer::ContainerConfigOf(const std::string& container_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->containers.find(container_id);
  if (it == impl_->containers.end()) return std::nullopt;
  return internal::FromProto(it->second.config);
}

std::optional<PodSandboxConfig> FakeRuntimeServer::SandboxConfigOf(const std::string& sandbox_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->sandboxes.find(sandbox_id);
  if (it == impl_->sandboxes.end()) return std::nullopt;
  return internal::FromProto(it->second.config);
}

}  // namespace cubelet::cri
