// Internal to cri/: conversions between cubelet's CRI model (cri/types.h) and the protobuf
// messages of cri/proto/api.proto.
#pragma once

#include "cri/proto/api.pb.h"
#include "cri/types.h"

namespace cubelet::cri::internal {

// Model -> wire.
void ToProto(const PodSandboxConfig& in, runtime::v1::PodSandboxConfig* out);
void ToProto(const ContainerConfig& in, runtime::v1::ContainerConfig* out);
void ToProto(const LinuxContainerResources& in, runtime::v1::LinuxContainerResources* out);
void ToProto(const ImageSpec& in, runtime::v1::ImageSpec* out);
void ToProto(const PodSandboxFilter& in, runtime::v1::PodSandboxFilter* out);
void ToProto(const ContainerFilter& in, runtime::v1::ContainerFilter* out);
void ToProto(const AuthConfig& in, runtime::v1::AuthConfig* out);

// Wire -> model.
PodSandboxConfig FromProto(const runtime::v1::PodSandboxConfig& in);
ContainerConfig FromProto(const runtime::v1::ContainerConfig& in);
LinuxContainerResources FromProto(const runtime::v1::LinuxContainerResources& in);
ImageSpec FromProto(const runtime::v1::ImageSpec& in);
PodSandboxStatus FromProto(const runtime::v1::PodSandboxStatus& in);
PodSandbox FromProto(const runtime::v1::PodSandbox& in);
Container FromProto(const runtime::v1::Container& in);
ContainerStatus FromProto(const runtime::v1::ContainerStatus& in);
ContainerStats FromProto(const runtime::v1::ContainerStats& in);
PodSandboxStats FromProto(const runtime::v1::PodSandboxStats& in);
Image FromProto(const runtime::v1::Image& in);
FilesystemUsage FromProto(const runtime::v1::FilesystemUsage& in);

}  // namespace cubelet::cri::internal
