// RemoteImageService: ImageService over gRPC to a CRI v1 runtime.
#include <memory>

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

std::string ImageObject(const ImageSpec& spec) { return StrCat("image \"", spec.image, "\""); }

class RemoteImageService final : public ImageService {
 public:
  RemoteImageService(std::shared_ptr<grpc::Channel> channel, const RemoteRuntimeOptions& options)
      : stub_(pb::ImageService::NewStub(channel)), options_(options) {}

  absl::StatusOr<std::vector<Image>> ListImages(const ImageSpec& filter) override {
    pb::ListImagesRequest req;
    if (!filter.image.empty()) ToProto(filter, req.mutable_filter()->mutable_image());
    pb::ListImagesResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->ListImages(ctx.get(), req, &resp), "ListImages", "");
    std::vector<Image> out;
    for (const auto& i : resp.images()) out.push_back(FromProto(i));
    return out;
  }

  absl::StatusOr<std::optional<Image>> ImageStatus(const ImageSpec& image) override {
    pb::ImageStatusRequest req;
    ToProto(image, req.mutable_image());
    pb::ImageStatusResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->ImageStatus(ctx.get(), req, &resp), "ImageStatus", ImageObject(image));
    if (!resp.has_image() || resp.image().id().empty()) return std::optional<Image>();
    return std::optional<Image>(FromProto(resp.image()));
  }

  absl::StatusOr<std::string> PullImage(const ImageSpec& image, const AuthConfig* auth,
                                        const PodSandboxConfig* sandbox_config, std::stop_token cancel) override {
    pb::PullImageRequest req;
    ToProto(image, req.mutable_image());
    if (auth != nullptr) ToProto(*auth, req.mutable_auth());
    if (sandbox_config != nullptr) ToProto(*sandbox_config, req.mutable_sandbox_config());
    pb::PullImageResponse resp;
    auto ctx = NewCallContext(options_.image_pull_timeout);
    std::stop_callback on_cancel(cancel, [&ctx] { ctx->TryCancel(); });
    RETURN_STATUS(stub_->PullImage(ctx.get(), req, &resp), "PullImage", ImageObject(image));
    if (resp.image_ref().empty()) {
      return absl::InternalError(StrCat("PullImage ", ImageObject(image), ": runtime returned an empty image reference"));
    }
    return resp.image_ref();
  }

  absl::Status RemoveImage(const ImageSpec& image) override {
    pb::RemoveImageRequest req;
    ToProto(image, req.mutable_image());
    pb::RemoveImageResponse resp;
    auto ctx = NewCallContext(options_.request_timeout);
    return FromGrpc(stub_->RemoveImage(ctx.get(), req, &resp), "RemoveImage", ImageObject(image));
  }

  absl::StatusOr<ImageFsInfo> GetImageFsInfo() override {
    pb::ImageFsInfoRequest req;
    pb::ImageFsInfoResponse resp;
    auto ctx = NewCallContext(options_.status_timeout);
    RETURN_STATUS(stub_->ImageFsInfo(ctx.get(), req, &resp), "ImageFsInfo", "");
    ImageFsInfo out;
    for (const auto& f : resp.image_filesystems()) out.image_filesystems.push_back(FromProto(f));
    for (const auto& f : resp.container_filesystems()) out.container_filesystems.push_back(FromProto(f));
    return out;
  }

 private:
  std::unique_ptr<pb::ImageService::Stub> stub_;
  RemoteRuntimeOptions options_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ImageService>> NewRemoteImageService(const RemoteRuntimeOptions& options) {
  auto channel = internal::NewRuntimeChannel(options.endpoint);
  if (!channel.ok()) return channel.status();
  return std::make_unique<RemoteImageService>(*channel, options);
}

}  // namespace cubelet::cri
