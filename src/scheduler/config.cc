#include "scheduler/config.h"

#include <array>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "api/json_codec.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "json/parse.h"

namespace cubelet::scheduler {
namespace {

constexpr std::string_view kApiVersion = "kubescheduler.config.k8s.io/v1";
constexpr std::string_view kKind = "KubeSchedulerConfiguration";

// Upstream's extension points, in the order of its Plugins type. Only four of them exist as
// plugin interfaces here (ExtensionPoint); the others are accepted so that an upstream
// configuration that mentions them (with plugins we know) still loads.
enum class Point {
  kPreEnqueue,
  kQueueSort,
  kPreFilter,
  kFilter,
  kPostFilter,
  kPreScore,
  kScore,
  kReserve,
  kPermit,
  kPreBind,
  kBind,
  kPostBind,
};
constexpr int kPointCount = 12;

struct PointInfo {
  std::string_view field;
  Point point;
};
constexpr std::array<PointInfo, kPointCount> kPoints = {{
    {"preEnqueue", Point::kPreEnqueue},
    {"queueSort", Point::kQueueSort},
    {"preFilter", Point::kPreFilter},
    {"filter", Point::kFilter},
    {"postFilter", Point::kPostFilter},
    {"preScore", Point::kPreScore},
    {"score", Point::kScore},
    {"reserve", Point::kReserve},
    {"permit", Point::kPermit},
    {"preBind", Point::kPreBind},
    {"bind", Point::kBind},
    {"postBind", Point::kPostBind},
}};

constexpr uint32_t Bit(Point p) { return 1u << static_cast<int>(p); }

// The extension points of ours that a ProfileConfig::Plugin can be disabled at.
constexpr std::array<std::pair<Point, ExtensionPoint>, 4> kOwnPoints = {{
    {Point::kPreFilter, ExtensionPoint::kPreFilter},
    {Point::kFilter, ExtensionPoint::kFilter},
    {Point::kPreScore, ExtensionPoint::kPreScore},
    {Point::kScore, ExtensionPoint::kScore},
}};

// The plugins of upstream's default profile, in its multiPoint order, with the extension points
// each implements upstream (which decides where a multiPoint entry expands to, and which
// single-point enablements are valid) and its default score weight.
struct KnownPlugin {
  std::string_view name;
  uint32_t points;
  int32_t default_weight;  // 0: not given a weight by upstream's defaults
  // False for plugins that have no plugin object here: the volume plugins (cubelet-server
  // schedules no volumes yet), PrioritySort (the queue's fixed order, scheduling_queue.h),
  // DefaultPreemption (the scheduler's preemption step) and DefaultBinder (the binding
  // subresource write). They are accepted in configurations but not listed in
  // ProfileConfig::plugins.
  bool has_object;
};

constexpr uint32_t kPreFilterFilter = Bit(Point::kPreFilter) | Bit(Point::kFilter);
constexpr uint32_t kAllScoring = kPreFilterFilter | Bit(Point::kPreScore) | Bit(Point::kScore);

constexpr std::array<KnownPlugin, 18> kKnownPlugins = {{
    {"SchedulingGates", Bit(Point::kPreEnqueue), 0, true},
    {"PrioritySort", Bit(Point::kQueueSort), 0, false},
    {"NodeUnschedulable", Bit(Point::kFilter), 0, true},
    {"NodeName", Bit(Point::kFilter), 0, true},
    {"TaintToleration", Bit(Point::kFilter) | Bit(Point::kPreScore) | Bit(Point::kScore), 3, true},
    {"NodeAffinity", kAllScoring, 2, true},
    {"NodePorts", kPreFilterFilter, 0, true},
    {"NodeResourcesFit", kAllScoring, 1, true},
    {"VolumeRestrictions", kPreFilterFilter, 0, false},
    {"NodeVolumeLimits", kPreFilterFilter, 0, false},
    {"VolumeBinding",
     kAllScoring | Bit(Point::kReserve) | Bit(Point::kPreBind), 0, false},
    {"VolumeZone", kPreFilterFilter, 0, false},
    {"PodTopologySpread", kAllScoring, 2, true},
    {"InterPodAffinity", kAllScoring, 2, true},
    // Recent upstream versions also gate pods on pending asynchronous preemption at PreEnqueue.
    {"DefaultPreemption", Bit(Point::kPostFilter) | Bit(Point::kPreEnqueue), 0, false},
    {"NodeResourcesBalancedAllocation", Bit(Point::kPreScore) | Bit(Point::kScore), 1, true},
    {"ImageLocality", Bit(Point::kScore), 1, true},
    {"DefaultBinder", Bit(Point::kBind), 0, false},
}};

// Plugins kubescheduler.config.k8s.io/v1 refuses by name (upstream's invalidPluginsByVersion).
constexpr std::array<std::string_view, 4> kRemovedPlugins = {"AzureDiskLimits", "CinderLimits", "EBSLimits",
                                                             "GCEPDLimits"};

const KnownPlugin* FindPlugin(std::string_view name) {
  for (const KnownPlugin& p : kKnownPlugins) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string Join(std::string_view path, std::string_view field) {
  return path.empty() ? std::string(field) : StrCat(path, ".", field);
}
std::string Index(std::string_view path, size_t i) { return StrCat(path, "[", i, "]"); }

// Errors name the file and the field path, as cubelet's other configuration readers do.
class Reader {
 public:
  explicit Reader(std::string_view file) : file_(file) {}

  absl::Status Error(std::string_view path, std::string_view message) const {
    if (path.empty()) return absl::InvalidArgumentError(StrCat(file_, ": ", message));
    return absl::InvalidArgumentError(StrCat(file_, ": ", path, ": ", message));
  }

  absl::Status TypeError(std::string_view path, const json::Value& v, std::string_view expected) const {
    return Error(path, StrCat("expected ", expected, ", got ", json::TypeName(v.type())));
  }

  // Every member of `obj` must be one of `known` (upstream's strict decoding).
  absl::Status CheckFields(const json::Value& obj, std::string_view path,
                           std::initializer_list<std::string_view> known) const {
    for (const auto& [name, value] : obj.AsObject()) {
      bool found = false;
      for (std::string_view k : known) found = found || k == name;
      if (!found) return Error(Join(path, name), "unknown field");
    }
    return absl::OkStatus();
  }

  // The member as an object; nullptr when absent or null.
  absl::StatusOr<const json::Value*> Object(const json::Value& parent, std::string_view name,
                                            std::string_view path) const {
    const json::Value* v = parent.Find(name);
    if (v == nullptr || v->is_null()) return nullptr;
    if (!v->is_object()) return TypeError(Join(path, name), *v, "an object");
    return v;
  }

  absl::StatusOr<const json::Value*> Array(const json::Value& parent, std::string_view name,
                                           std::string_view path) const {
    const json::Value* v = parent.Find(name);
    if (v == nullptr || v->is_null()) return nullptr;
    if (!v->is_array()) return TypeError(Join(path, name), *v, "a list");
    return v;
  }

  absl::StatusOr<std::optional<std::string>> String(const json::Value& parent, std::string_view name,
                                                    std::string_view path) const {
    const json::Value* v = parent.Find(name);
    if (v == nullptr || v->is_null()) return std::optional<std::string>();
    if (!v->is_string()) return TypeError(Join(path, name), *v, "a string");
    return std::optional<std::string>(v->AsString());
  }

  absl::StatusOr<std::optional<int64_t>> Int(const json::Value& parent, std::string_view name, std::string_view path,
                                             int64_t min, int64_t max) const {
    const json::Value* v = parent.Find(name);
    if (v == nullptr || v->is_null()) return std::optional<int64_t>();
    std::optional<int64_t> n = v->is_number() ? v->AsInt64() : std::nullopt;
    if (!n) return TypeError(Join(path, name), *v, "an integer");
    if (*n < min || *n > max) {
      return Error(Join(path, name), StrCat("invalid value ", *n, ": must be in the range [", min, ", ", max, "]"));
    }
    return n;
  }

  absl::Status Bool(const json::Value& parent, std::string_view name, std::string_view path) const {
    const json::Value* v = parent.Find(name);
    if (v == nullptr || v->is_null() || v->is_bool()) return absl::OkStatus();
    return TypeError(Join(path, name), *v, "true or false");
  }

  // A member that must be a number, for fields only type-checked (clientConnection.qps).
  absl::Status Number(const json::Value& parent, std::string_view name, std::string_view path) const {
    const json::Value* v = parent.Find(name);
    if (v == nullptr || v->is_null() || v->is_number()) return absl::OkStatus();
    return TypeError(Join(path, name), *v, "a number");
  }

 private:
  std::string_view file_;
};

constexpr int64_t kInt32Max = 2147483647;

// One extension point's settings as written (upstream's PluginSet).
struct PluginSetSpec {
  struct Enabled {
    std::string name;
    std::optional<int32_t> weight;
  };
  std::vector<Enabled> enabled;
  std::set<std::string, std::less<>> disabled;  // may hold "*"

  const Enabled* FindEnabled(std::string_view name) const {
    for (const Enabled& e : enabled) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }
  bool Disables(std::string_view name) const { return disabled.contains(name) || disabled.contains("*"); }
};

struct PluginsSpec {
  PluginSetSpec multi_point;
  std::array<PluginSetSpec, kPointCount> points;
  const PluginSetSpec& at(Point p) const { return points[static_cast<int>(p)]; }
};

absl::Status CheckPluginName(const Reader& r, std::string_view name, std::string_view path, bool allow_star) {
  if (name.empty()) return r.Error(path, "required");
  if (allow_star && name == "*") return absl::OkStatus();
  if (FindPlugin(name) != nullptr) return absl::OkStatus();
  for (std::string_view removed : kRemovedPlugins) {
    if (name == removed) {
      return r.Error(path, StrCat("plugin \"", name, "\" was removed in ", kApiVersion));
    }
  }
  return r.Error(path, StrCat("unknown plugin \"", name, "\""));
}

// A PluginSet {enabled: [{name, weight}], disabled: [{name}]}. `point` is nullopt for multiPoint.
absl::StatusOr<PluginSetSpec> ParsePluginSet(const Reader& r, const json::Value& set, const std::string& path,
                                             std::optional<Point> point) {
  RETURN_IF_ERROR(r.CheckFields(set, path, {"enabled", "disabled"}));
  PluginSetSpec spec;
  ASSIGN_OR_RETURN(const json::Value* enabled, r.Array(set, "enabled", path));
  if (enabled != nullptr) {
    const std::string list_path = Join(path, "enabled");
    for (size_t i = 0; i < enabled->AsArray().size(); ++i) {
      const json::Value& item = enabled->AsArray()[i];
      const std::string item_path = Index(list_path, i);
      if (!item.is_object()) return r.TypeError(item_path, item, "an object");
      RETURN_IF_ERROR(r.CheckFields(item, item_path, {"name", "weight"}));
      ASSIGN_OR_RETURN(std::optional<std::string> name, r.String(item, "name", item_path));
      const std::string name_path = Join(item_path, "name");
      RETURN_IF_ERROR(CheckPluginName(r, name.value_or(""), name_path, /*allow_star=*/false));
      if (point && (FindPlugin(*name)->points & Bit(*point)) == 0) {
        return r.Error(name_path, StrCat("plugin \"", *name, "\" does not implement this extension point"));
      }
      if (spec.FindEnabled(*name) != nullptr) {
        return r.Error(name_path, StrCat("plugin \"", *name, "\" is enabled more than once"));
      }
      // Upstream takes no validation on the weight beyond overflow; a negative weight would
      // turn a score upside down, so it is refused here.
      ASSIGN_OR_RETURN(std::optional<int64_t> weight, r.Int(item, "weight", item_path, 0, kInt32Max));
      spec.enabled.push_back({*name, weight ? std::optional<int32_t>(static_cast<int32_t>(*weight)) : std::nullopt});
    }
  }
  ASSIGN_OR_RETURN(const json::Value* disabled, r.Array(set, "disabled", path));
  if (disabled != nullptr) {
    const std::string list_path = Join(path, "disabled");
    for (size_t i = 0; i < disabled->AsArray().size(); ++i) {
      const json::Value& item = disabled->AsArray()[i];
      const std::string item_path = Index(list_path, i);
      if (!item.is_object()) return r.TypeError(item_path, item, "an object");
      // `weight` is part of upstream's Plugin type, so it decodes here too (and means nothing).
      RETURN_IF_ERROR(r.CheckFields(item, item_path, {"name", "weight"}));
      ASSIGN_OR_RETURN(std::optional<std::string> name, r.String(item, "name", item_path));
      RETURN_IF_ERROR(CheckPluginName(r, name.value_or(""), Join(item_path, "name"), /*allow_star=*/true));
      spec.disabled.insert(*name);
    }
  }
  return spec;
}

absl::StatusOr<PluginsSpec> ParsePlugins(const Reader& r, const json::Value& plugins, const std::string& path) {
  std::vector<std::string_view> fields = {"multiPoint"};
  for (const PointInfo& p : kPoints) fields.push_back(p.field);
  for (const auto& [name, value] : plugins.AsObject()) {
    bool found = false;
    for (std::string_view f : fields) found = found || f == name;
    if (!found) return r.Error(Join(path, name), "unknown field");
  }
  PluginsSpec spec;
  ASSIGN_OR_RETURN(const json::Value* multi, r.Object(plugins, "multiPoint", path));
  if (multi != nullptr) {
    ASSIGN_OR_RETURN(spec.multi_point, ParsePluginSet(r, *multi, Join(path, "multiPoint"), std::nullopt));
  }
  for (const PointInfo& p : kPoints) {
    ASSIGN_OR_RETURN(const json::Value* set, r.Object(plugins, p.field, path));
    if (set == nullptr) continue;
    ASSIGN_OR_RETURN(spec.points[static_cast<int>(p.point)], ParsePluginSet(r, *set, Join(path, p.field), p.point));
  }
  return spec;
}

// Resolves a profile's plugin settings as upstream does: the default multiPoint set merged with
// the configured one (a configured entry replaces a default in place, "*" drops every default,
// new entries follow), then each plugin expands to the extension points it implements unless
// disabled there, and single-point enablements add to that. Score weights come from the score
// point's entry first, then the multiPoint entry; 0 or absent means 1.
absl::StatusOr<std::vector<ProfileConfig::Plugin>> ResolvePlugins(const Reader& r, const PluginsSpec& spec,
                                                                  const std::string& path) {
  std::vector<PluginSetSpec::Enabled> multi;
  const PluginSetSpec& custom = spec.multi_point;
  std::set<std::string, std::less<>> replaced;
  if (!custom.disabled.contains("*")) {
    for (const KnownPlugin& p : kKnownPlugins) {
      if (custom.disabled.contains(p.name)) continue;
      if (const auto* override = custom.FindEnabled(p.name)) {
        multi.push_back(*override);
        replaced.insert(override->name);
      } else {
        multi.push_back({std::string(p.name), p.default_weight > 0 ? std::optional<int32_t>(p.default_weight)
                                                                  : std::nullopt});
      }
    }
  }
  for (const auto& e : custom.enabled) {
    if (!replaced.contains(e.name)) multi.push_back(e);
  }
  auto in_multi = [&](std::string_view name) -> const PluginSetSpec::Enabled* {
    for (const auto& e : multi) {
      if (e.name == name) return &e;
    }
    return nullptr;
  };
  auto active = [&](const KnownPlugin& p, Point point) {
    const PluginSetSpec& set = spec.at(point);
    if (set.FindEnabled(p.name) != nullptr) return true;
    return in_multi(p.name) != nullptr && (p.points & Bit(point)) != 0 && !set.Disables(p.name);
  };

  // Upstream's framework refuses a profile without exactly one queue sort and a binder.
  if (!active(*FindPlugin("PrioritySort"), Point::kQueueSort)) {
    return r.Error(path, "no queueSort plugin is enabled (PrioritySort is the only one)");
  }
  if (!active(*FindPlugin("DefaultBinder"), Point::kBind)) {
    return r.Error(path, "no bind plugin is enabled (DefaultBinder is the only one)");
  }

  std::vector<std::string> order;
  auto add = [&](const std::string& name) {
    for (const auto& o : order) {
      if (o == name) return;
    }
    order.push_back(name);
  };
  for (const auto& e : multi) add(e.name);
  for (const PointInfo& p : kPoints) {
    for (const auto& e : spec.at(p.point).enabled) add(e.name);
  }

  std::vector<ProfileConfig::Plugin> out;
  for (const std::string& name : order) {
    const KnownPlugin& known = *FindPlugin(name);
    if (!known.has_object) continue;
    bool anywhere = false;
    for (const PointInfo& p : kPoints) anywhere = anywhere || ((known.points & Bit(p.point)) && active(known, p.point));
    if (!anywhere) continue;
    ProfileConfig::Plugin plugin;
    plugin.name = name;
    // Our plugin objects may implement points upstream's do not (SchedulingGates is a PreFilter
    // here, a PreEnqueue upstream), so a point is disabled only where the configuration
    // says so, not where upstream's plugin has no extension.
    for (const auto& [point, own] : kOwnPoints) {
      const PluginSetSpec& set = spec.at(point);
      const bool on = set.FindEnabled(name) != nullptr || (in_multi(name) != nullptr && !set.Disables(name));
      if (!on) plugin.disabled.insert(own);
    }
    if ((known.points & Bit(Point::kScore)) && active(known, Point::kScore)) {
      const PluginSetSpec::Enabled* entry = spec.at(Point::kScore).FindEnabled(name);
      if (entry == nullptr) entry = in_multi(name);
      plugin.weight = entry != nullptr ? entry->weight.value_or(0) : 0;
      if (plugin.weight == 0) plugin.weight = 1;
    }
    out.push_back(std::move(plugin));
  }
  return out;
}

struct ParsedProfile {
  ProfileConfig config;
  std::optional<int32_t> percentage_of_nodes_to_score;
};

absl::StatusOr<ParsedProfile> ParseProfile(const Reader& r, const json::Value& p, const std::string& path,
                                           bool only_profile) {
  RETURN_IF_ERROR(r.CheckFields(p, path, {"schedulerName", "percentageOfNodesToScore", "plugins", "pluginConfig"}));
  ParsedProfile out;
  ASSIGN_OR_RETURN(std::optional<std::string> name, r.String(p, "schedulerName", path));
  if (!name && only_profile) name = std::string(kDefaultSchedulerName);
  if (!name || name->empty()) return r.Error(Join(path, "schedulerName"), "required");
  out.config.scheduler_name = *name;

  ASSIGN_OR_RETURN(std::optional<int64_t> percentage, r.Int(p, "percentageOfNodesToScore", path, 0, 100));
  if (percentage) out.percentage_of_nodes_to_score = static_cast<int32_t>(*percentage);

  PluginsSpec plugins;
  ASSIGN_OR_RETURN(const json::Value* plugins_json, r.Object(p, "plugins", path));
  if (plugins_json != nullptr) {
    ASSIGN_OR_RETURN(plugins, ParsePlugins(r, *plugins_json, Join(path, "plugins")));
  }
  ASSIGN_OR_RETURN(out.config.plugins, ResolvePlugins(r, plugins, Join(path, "plugins")));

  ASSIGN_OR_RETURN(const json::Value* configs, r.Array(p, "pluginConfig", path));
  if (configs != nullptr) {
    std::set<std::string, std::less<>> seen;
    const std::string list_path = Join(path, "pluginConfig");
    for (size_t i = 0; i < configs->AsArray().size(); ++i) {
      const json::Value& item = configs->AsArray()[i];
      const std::string item_path = Index(list_path, i);
      if (!item.is_object()) return r.TypeError(item_path, item, "an object");
      RETURN_IF_ERROR(r.CheckFields(item, item_path, {"name", "args"}));
      ASSIGN_OR_RETURN(std::optional<std::string> plugin, r.String(item, "name", item_path));
      const std::string name_path = Join(item_path, "name");
      RETURN_IF_ERROR(CheckPluginName(r, plugin.value_or(""), name_path, /*allow_star=*/false));
      if (!seen.insert(*plugin).second) {
        return r.Error(name_path, StrCat("duplicate pluginConfig for plugin \"", *plugin, "\""));
      }
      ASSIGN_OR_RETURN(const json::Value* args, r.Object(item, "args", item_path));
      if (args == nullptr) continue;
      // Upstream decodes args by their kind; here the plugin is known from `name`, so the type
      // fields are only checked for consistency and dropped before the plugin factory sees them.
      const std::string args_path = Join(item_path, "args");
      json::Value copy = *args;
      ASSIGN_OR_RETURN(std::optional<std::string> kind, r.String(copy, "kind", args_path));
      if (kind && *kind != StrCat(*plugin, "Args")) {
        return r.Error(Join(args_path, "kind"), StrCat("must be \"", *plugin, "Args\" for plugin \"", *plugin, "\""));
      }
      ASSIGN_OR_RETURN(std::optional<std::string> api_version, r.String(copy, "apiVersion", args_path));
      if (api_version && *api_version != kApiVersion) {
        return r.Error(Join(args_path, "apiVersion"), StrCat("must be \"", kApiVersion, "\""));
      }
      copy.Erase("kind");
      copy.Erase("apiVersion");
      out.config.plugin_args.emplace(*plugin, std::move(copy));
    }
  }
  return out;
}

// Upstream's componentbase fields are accepted (so an upstream file loads) and type-checked,
// but do not apply: there is no leader election or separate client connection in-process.
absl::Status CheckComponentBaseFields(const Reader& r, const json::Value& root) {
  ASSIGN_OR_RETURN(const json::Value* le, r.Object(root, "leaderElection", ""));
  if (le != nullptr) {
    RETURN_IF_ERROR(r.CheckFields(*le, "leaderElection",
                                  {"leaderElect", "leaseDuration", "renewDeadline", "retryPeriod", "resourceLock",
                                   "resourceName", "resourceNamespace"}));
    RETURN_IF_ERROR(r.Bool(*le, "leaderElect", "leaderElection"));
    for (std::string_view f : {"leaseDuration", "renewDeadline", "retryPeriod", "resourceLock", "resourceName",
                               "resourceNamespace"}) {
      RETURN_IF_ERROR(r.String(*le, f, "leaderElection").status());
    }
  }
  ASSIGN_OR_RETURN(const json::Value* cc, r.Object(root, "clientConnection", ""));
  if (cc != nullptr) {
    RETURN_IF_ERROR(r.CheckFields(*cc, "clientConnection",
                                  {"kubeconfig", "acceptContentTypes", "contentType", "qps", "burst"}));
    for (std::string_view f : {"kubeconfig", "acceptContentTypes", "contentType"}) {
      RETURN_IF_ERROR(r.String(*cc, f, "clientConnection").status());
    }
    RETURN_IF_ERROR(r.Number(*cc, "qps", "clientConnection"));
    RETURN_IF_ERROR(r.Int(*cc, "burst", "clientConnection", 0, kInt32Max).status());
  }
  RETURN_IF_ERROR(r.Int(root, "parallelism", "", 1, kInt32Max).status());
  for (std::string_view f : {"enableProfiling", "enableContentionProfiling", "delayCacheUntilActive"}) {
    RETURN_IF_ERROR(r.Bool(root, f, ""));
  }
  ASSIGN_OR_RETURN(const json::Value* extenders, r.Array(root, "extenders", ""));
  if (extenders != nullptr && !extenders->AsArray().empty()) {
    return r.Error("extenders", "scheduler extenders are not supported by cubelet-server's scheduler");
  }
  return absl::OkStatus();
}

ProfileConfig DefaultProfile() {
  Reader r("defaults");
  auto plugins = ResolvePlugins(r, PluginsSpec{}, "");
  // The built-in defaults always resolve; a failure is a broken table above.
  if (!plugins.ok()) std::abort();
  ProfileConfig profile;
  profile.plugins = std::move(*plugins);
  return profile;
}

}  // namespace

SchedulerConfig DefaultSchedulerConfig() {
  SchedulerConfig config;
  config.profiles.push_back(DefaultProfile());
  return config;
}

absl::StatusOr<SchedulerConfig> ParseSchedulerConfig(std::string_view text, std::string_view file) {
  Reader r(file);
  auto json_text = api::YamlToJson(std::string(text));
  if (!json_text.ok()) return Annotate(json_text.status(), file);
  std::vector<std::string> duplicates;
  auto parsed = json::Parse(*json_text, {.duplicate_fields = &duplicates});
  if (!parsed.ok()) return Annotate(parsed.status(), file);
  if (!duplicates.empty()) return r.Error(duplicates.front(), "duplicate field");
  const json::Value& root = *parsed;
  if (!root.is_object()) return r.TypeError("", root, "a KubeSchedulerConfiguration object");

  ASSIGN_OR_RETURN(std::optional<std::string> api_version, r.String(root, "apiVersion", ""));
  if (!api_version) return r.Error("apiVersion", StrCat("required (\"", kApiVersion, "\")"));
  if (*api_version != kApiVersion) {
    return r.Error("apiVersion", StrCat("unsupported version \"", *api_version, "\" (want \"", kApiVersion, "\")"));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> kind, r.String(root, "kind", ""));
  if (!kind || *kind != kKind) return r.Error("kind", StrCat("must be \"", kKind, "\""));

  RETURN_IF_ERROR(r.CheckFields(root, "",
                                {"apiVersion", "kind", "parallelism", "leaderElection", "clientConnection",
                                 "enableProfiling", "enableContentionProfiling", "percentageOfNodesToScore",
                                 "podInitialBackoffSeconds", "podMaxBackoffSeconds", "profiles", "extenders",
                                 "delayCacheUntilActive"}));
  RETURN_IF_ERROR(CheckComponentBaseFields(r, root));

  SchedulerConfig config;
  ASSIGN_OR_RETURN(std::optional<int64_t> percentage, r.Int(root, "percentageOfNodesToScore", "", 0, 100));
  if (percentage) config.percentage_of_nodes_to_score = static_cast<int32_t>(*percentage);

  constexpr int64_t kMaxBackoffSeconds = int64_t{1} << 40;  // far beyond any use; keeps Durations finite
  ASSIGN_OR_RETURN(std::optional<int64_t> initial,
                   r.Int(root, "podInitialBackoffSeconds", "", 1, kMaxBackoffSeconds));
  ASSIGN_OR_RETURN(std::optional<int64_t> max, r.Int(root, "podMaxBackoffSeconds", "", 1, kMaxBackoffSeconds));
  const int64_t initial_s = initial.value_or(1), max_s = max.value_or(10);
  if (max_s < initial_s) {
    return r.Error("podMaxBackoffSeconds",
                   StrCat("invalid value ", max_s, ": must be greater than or equal to podInitialBackoffSeconds"));
  }
  config.pod_initial_backoff = absl::Seconds(initial_s);
  config.pod_max_backoff = absl::Seconds(max_s);

  ASSIGN_OR_RETURN(const json::Value* profiles, r.Array(root, "profiles", ""));
  if (profiles == nullptr || profiles->AsArray().empty()) {
    config.profiles.push_back(DefaultProfile());
    return config;
  }
  const size_t n = profiles->AsArray().size();
  std::optional<int32_t> profile_percentage;
  for (size_t i = 0; i < n; ++i) {
    const json::Value& item = profiles->AsArray()[i];
    const std::string path = Index("profiles", i);
    if (!item.is_object()) return r.TypeError(path, item, "an object");
    ASSIGN_OR_RETURN(ParsedProfile profile, ParseProfile(r, item, path, n == 1));
    for (size_t j = 0; j < config.profiles.size(); ++j) {
      if (config.profiles[j].scheduler_name == profile.config.scheduler_name) {
        return r.Error(Join(path, "schedulerName"),
                       StrCat("duplicate \"", profile.config.scheduler_name, "\" (also profiles[", j, "])"));
      }
    }
    // A profile's percentageOfNodesToScore overrides the top-level one upstream. SchedulerConfig
    // holds one value, so this is accepted only while every profile ends up with the same value.
    const int32_t effective = profile.percentage_of_nodes_to_score.value_or(config.percentage_of_nodes_to_score);
    if (profile_percentage && *profile_percentage != effective) {
      return r.Error(Join(path, "percentageOfNodesToScore"),
                     "profiles with different percentageOfNodesToScore are not supported");
    }
    profile_percentage = effective;
    config.profiles.push_back(std::move(profile.config));
  }
  config.percentage_of_nodes_to_score = *profile_percentage;
  return config;
}

absl::StatusOr<SchedulerConfig> LoadSchedulerConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat("read scheduler configuration ", path, ": cannot open the file"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(StrCat("read scheduler configuration ", path, ": read error"));
  return ParseSchedulerConfig(text.str(), path);
}

}  // namespace cubelet::scheduler
