// Owns: building pods and nodes from JSON for the in-tree plugin tests (so every test also goes
// through PodInfo::FromObject and NodeSpecInfo::FromObject), snapshots over hand-built nodes,
// and running one plugin's extension points the way the framework does.
// Does not own: the PodTopologySpread / InterPodAffinity helpers (affinity_test_util.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/strings.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "scheduler/framework.h"
#include "scheduler/node_info.h"
#include "scheduler/plugins.h"
#include "scheduler/pod_info.h"

namespace cubelet::scheduler::plugin_testing {

inline json::Value Json(std::string_view text) {
  absl::StatusOr<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << "\n" << text;
  return v.ok() ? *std::move(v) : json::Value();
}

inline absl::StatusOr<PodInfoPtr> ParsePod(std::string_view text) {
  return PodInfo::FromObject(std::make_shared<const json::Value>(Json(text)));
}

// A pod from its JSON; the test fails when it does not parse.
inline PodInfoPtr Pod(std::string_view text) {
  absl::StatusOr<PodInfoPtr> pod = ParsePod(text);
  EXPECT_TRUE(pod.ok()) << pod.status() << "\n" << text;
  return pod.ok() ? *pod : std::make_shared<const PodInfo>();
}

// A pod with one container requesting `cpu` and `memory` ("" leaves the request out) and
// whatever `spec_extra` (JSON members, comma-led) adds to the spec.
inline PodInfoPtr PodRequesting(std::string_view name, std::string_view cpu, std::string_view memory,
                                std::string_view spec_extra = "") {
  std::string requests;
  if (!cpu.empty()) requests = StrCat("\"cpu\":\"", cpu, "\"");
  if (!memory.empty()) requests += StrCat(requests.empty() ? "" : ",", "\"memory\":\"", memory, "\"");
  return Pod(StrCat(R"({"metadata":{"name":")", name, R"(","namespace":"default","uid":"uid-)", name,
                    R"("},"spec":{"containers":[{"name":"c","image":"busybox","resources":{"requests":{)", requests,
                    "}}}]", spec_extra, "}}"));
}

inline std::shared_ptr<const NodeSpecInfo> ParseNodeSpec(std::string_view text) {
  absl::StatusOr<NodeSpecInfo> node = NodeSpecInfo::FromObject(Json(text));
  EXPECT_TRUE(node.ok()) << node.status() << "\n" << text;
  return std::make_shared<const NodeSpecInfo>(node.ok() ? *std::move(node) : NodeSpecInfo());
}

// A node from its JSON with `pods` on it.
inline std::shared_ptr<NodeInfo> Node(std::string_view text, const std::vector<PodInfoPtr>& pods = {}) {
  auto node = std::make_shared<NodeInfo>(ParseNodeSpec(text));
  for (const PodInfoPtr& p : pods) node->AddPod(p);
  return node;
}

// A node with allocatable cpu / memory / pods, `labels_json` as metadata.labels and
// `spec_json` as spec (both JSON objects).
inline std::shared_ptr<NodeInfo> NodeWith(std::string_view name, std::string_view cpu, std::string_view memory,
                                          const std::vector<PodInfoPtr>& pods = {}, std::string_view labels_json = "{}",
                                          std::string_view spec_json = "{}", std::string_view max_pods = "110") {
  return Node(StrCat(R"({"metadata":{"name":")", name, R"(","labels":)", labels_json, R"(},"spec":)", spec_json,
                     R"(,"status":{"allocatable":{"cpu":")", cpu, R"(","memory":")", memory, R"(","pods":")", max_pods,
                     R"("}}})"),
              pods);
}

// The snapshot of `nodes` as the cache would build it (images counted over the nodes).
inline Snapshot SnapshotOf(const std::vector<std::shared_ptr<NodeInfo>>& nodes) {
  Snapshot s;
  for (const auto& n : nodes) {
    s.node_index[n->name()] = static_cast<int>(s.nodes.size());
    s.nodes.push_back(n);
    if (!n->pods_with_affinity().empty()) s.have_pods_with_affinity.push_back(n);
    if (!n->pods_with_required_anti_affinity().empty()) s.have_pods_with_required_anti_affinity.push_back(n);
    for (const auto& [image, size] : n->node().image_sizes) {
      ImageState& state = s.images[image];
      state.size_bytes = size;
      ++state.num_nodes;
    }
  }
  return s;
}

// The plugin `factory` makes from `args_json` ("" for none), as the extension point type T.
template <typename T>
std::unique_ptr<T> MakePlugin(PluginFactory factory, std::string_view args_json = "") {
  json::Value args = args_json.empty() ? json::Value() : Json(args_json);
  absl::StatusOr<std::unique_ptr<Plugin>> plugin = factory(args_json.empty() ? nullptr : &args);
  EXPECT_TRUE(plugin.ok()) << plugin.status();
  if (!plugin.ok()) return nullptr;
  T* typed = dynamic_cast<T*>(plugin->get());
  EXPECT_NE(typed, nullptr) << "plugin does not implement the extension point";
  if (typed == nullptr) return nullptr;
  plugin->release();
  return std::unique_ptr<T>(typed);
}

// The error `factory` returns for `args_json`.
inline std::string ArgsError(PluginFactory factory, std::string_view args_json) {
  json::Value args = Json(args_json);
  absl::StatusOr<std::unique_ptr<Plugin>> plugin = factory(&args);
  EXPECT_FALSE(plugin.ok()) << args_json;
  if (plugin.ok()) return "<ok>";
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(plugin.status().message());
}

// PreFilter (when the plugin has one) then Filter, as the framework runs them for one node; a
// PreFilter rejection or Skip is returned as is.
inline Status RunFilter(const Plugin& plugin, const PodInfo& pod, const NodeInfo& node,
                        const Snapshot* snapshot = nullptr) {
  CycleState state;
  Snapshot empty;
  if (const auto* pre = dynamic_cast<const PreFilterPlugin*>(&plugin)) {
    Status s = pre->PreFilter(state, pod, snapshot != nullptr ? *snapshot : empty);
    if (!s.ok()) return s;
  }
  const auto* filter = dynamic_cast<const FilterPlugin*>(&plugin);
  EXPECT_NE(filter, nullptr);
  return filter == nullptr ? Status::Error("no Filter") : filter->Filter(state, pod, node);
}

// PreScore over all snapshot nodes, Score for each and NormalizeScore: node name -> score.
// A PreScore Skip gives an empty result.
inline std::vector<NodeScore> RunScore(const Plugin& plugin, const PodInfo& pod, const Snapshot& snapshot,
                                       bool normalize = true) {
  CycleState state;
  std::vector<const NodeInfo*> nodes;
  for (const NodeInfoPtr& n : snapshot.nodes) nodes.push_back(n.get());
  const auto* pre = dynamic_cast<const PreScorePlugin*>(&plugin);
  if (pre != nullptr) {
    Status s = pre->PreScore(state, pod, snapshot, nodes);
    if (s.code() == Code::kSkip) return {};
    EXPECT_TRUE(s.ok());
  }
  const auto* score = dynamic_cast<const ScorePlugin*>(&plugin);
  EXPECT_NE(score, nullptr);
  if (score == nullptr) return {};
  std::vector<NodeScore> scores;
  for (const NodeInfo* n : nodes) scores.push_back({n->name(), score->Score(state, pod, *n)});
  if (normalize) score->NormalizeScore(state, pod, scores);
  return scores;
}

inline std::vector<int64_t> ScoresOf(const std::vector<NodeScore>& scores) {
  std::vector<int64_t> out;
  for (const NodeScore& s : scores) out.push_back(s.score);
  return out;
}

}  // namespace cubelet::scheduler::plugin_testing
