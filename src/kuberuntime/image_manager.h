// Owns: ImageManager, making sure a container's image is present per its imagePullPolicy
// (Always / IfNotPresent / Never), with image pull back-off, as upstream's images.imageManager.
#pragma once

#include <stop_token>
#include <string>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "common/logger.h"
#include "cri/runtime_service.h"
#include "kuberuntime/backoff.h"

namespace cubelet::kuberuntime {

// Why a container could not be started: a waiting reason as the API shows it and its message.
struct StartError {
  std::string reason;   // ErrImagePull, ImagePullBackOff, ErrImageNeverPull, CrashLoopBackOff, ...
  std::string message;
};

class ImageManager {
 public:
  ImageManager(cri::ImageService* images, Backoff* backoff, Logger logger);

  // The image reference (ID) to create the container from, or the StartError.
  absl::StatusOr<std::string> EnsureImageExists(const api::Pod& pod, const api::Container& container,
                                                const cri::PodSandboxConfig& sandbox_config,
                                                std::stop_token cancelled, StartError* error);

 private:
  cri::ImageService* images_;
  Backoff* backoff_;
  Logger logger_;
};

}  // namespace cubelet::kuberuntime
