#include "kuberuntime/image_manager.h"

#include "common/strings.h"

namespace cubelet::kuberuntime {

ImageManager::ImageManager(cri::ImageService* images, Backoff* backoff, Logger logger)
    : images_(images), backoff_(backoff), logger_(std::move(logger)) {}

absl::StatusOr<std::string> ImageManager::EnsureImageExists(const api::Pod& pod, const api::Container& container,
                                                            const cri::PodSandboxConfig& sandbox_config,
                                                            std::stop_token cancelled, StartError* error) {
  const std::string& image = container.image;
  if (image.empty() || image.find_first_of(" \t\n") != std::string::npos) {
    *error = {"InvalidImageName", StrCat("Failed to apply default image tag \"", image, "\": invalid reference format")};
    return absl::InvalidArgumentError(error->message);
  }
  cri::ImageSpec spec{image, {}, image, ""};
  auto present = images_->ImageStatus(spec);
  if (!present.ok()) {
    *error = {"ImageInspectError", StrCat("Failed to inspect image \"", image, "\": ", present.status().message())};
    return present.status();
  }
  const bool pull = container.image_pull_policy == "Always" ||
                    (container.image_pull_policy != "Never" && !present->has_value());
  if (!pull) {
    if (present->has_value()) {
      logger_.VInfo(4, "Container image already present on machine", {{"image", image}, {"pod", api::PodKey(pod)}});
      return (*present)->id;
    }
    *error = {"ErrImageNeverPull",
              StrCat("Container image \"", image, "\" is not present with pull policy of Never")};
    return absl::FailedPreconditionError(error->message);
  }
  const std::string key = StrCat(pod.metadata.uid, "_", image);
  if (backoff_->IsInBackOffSinceUpdate(key)) {
    *error = {"ImagePullBackOff", StrCat("Back-off pulling image \"", image, "\"")};
    return absl::UnavailableError(error->message);
  }
  logger_.Info("Pulling image", {{"image", image}, {"pod", api::PodKey(pod)}});
  auto ref = images_->PullImage(spec, nullptr, &sandbox_config, cancelled);
  if (!ref.ok() && cancelled.stop_requested()) return ref.status();  // the pod stops: no back-off
  if (!ref.ok()) {
    backoff_->Next(key, backoff_->clock_now());
    *error = {"ErrImagePull", std::string(ref.status().message())};
    logger_.Warning("Failed to pull image", {{"image", image}, {"pod", api::PodKey(pod)}, {"err", ref.status()}});
    return ref.status();
  }
  backoff_->Reset(key);
  logger_.Info("Successfully pulled image", {{"image", image}, {"pod", api::PodKey(pod)}});
  return *ref;
}

}  // namespace cubelet::kuberuntime
