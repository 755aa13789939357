#include "scheduler/resource.h"

#include <algorithm>

#include "scheduler/resource_list.h"

namespace cubelet::scheduler {

void Resource::Add(const Resource& other) {
  milli_cpu += other.milli_cpu;
  memory += other.memory;
  ephemeral_storage += other.ephemeral_storage;
  allowed_pod_number += other.allowed_pod_number;
  for (const auto& [name, value] : other.scalar) scalar[name] += value;
}

void Resource::Subtract(const Resource& other) {
  milli_cpu -= other.milli_cpu;
  memory -= other.memory;
  ephemeral_storage -= other.ephemeral_storage;
  allowed_pod_number -= other.allowed_pod_number;
  for (const auto& [name, value] : other.scalar) scalar[name] -= value;
}

void Resource::SetMax(const Resource& other) {
  milli_cpu = std::max(milli_cpu, other.milli_cpu);
  memory = std::max(memory, other.memory);
  ephemeral_storage = std::max(ephemeral_storage, other.ephemeral_storage);
  allowed_pod_number = std::max(allowed_pod_number, other.allowed_pod_number);
  for (const auto& [name, value] : other.scalar) {
    auto it = scalar.find(name);
    if (it == scalar.end()) {
      scalar.emplace(name, value);
    } else {
      it->second = std::max(it->second, value);
    }
  }
}

int64_t Resource::Get(std::string_view name) const {
  if (name == kResourceCpu) return milli_cpu;
  if (name == kResourceMemory) return memory;
  if (name == kResourceEphemeralStorage) return ephemeral_storage;
  if (name == kResourcePods) return allowed_pod_number;
  auto it = scalar.find(name);
  return it == scalar.end() ? 0 : it->second;
}

absl::StatusOr<Resource> Resource::FromResourceList(const json::Value* list, std::string_view field) {
  absl::StatusOr<ResourceList> parsed = ParseResourceList(list, field);
  if (!parsed.ok()) return parsed.status();
  return ToResource(*parsed);
}

}  // namespace cubelet::scheduler
