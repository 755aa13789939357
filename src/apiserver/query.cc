#include "apiserver/query.h"

#include <charconv>

#include "apierrors/apierrors.h"
#include "apiserver/body.h"
#include "apiserver/request_info.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::apiserver {

absl::StatusOr<std::optional<bool>> QueryBool(const httpserver::Request& request, std::string_view name) {
  auto v = request.Query(name);
  if (!v) return std::optional<bool>();
  if (v->empty()) return std::optional<bool>(false);  // "?watch=" is false to Go's decoder
  bool out = false;
  if (!ParseGoBool(*v, &out)) {
    return apierrors::BadRequest(StrCat("invalid boolean value for ", name, ": strconv.ParseBool: parsing \"", *v,
                                        "\": invalid syntax"));
  }
  return std::optional<bool>(out);
}

absl::StatusOr<std::optional<int64_t>> QueryInt(const httpserver::Request& request, std::string_view name) {
  auto v = request.Query(name);
  if (!v || v->empty()) return std::optional<int64_t>();
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size()) {
    return apierrors::BadRequest(StrCat("invalid value for ", name, ": strconv.ParseInt: parsing \"", *v,
                                        ec == std::errc::result_out_of_range ? "\": value out of range"
                                                                             : "\": invalid syntax"));
  }
  return std::optional<int64_t>(out);
}

absl::StatusOr<selectors::LabelSelector> LabelSelectorOf(const httpserver::Request& request) {
  auto text = request.Query("labelSelector");
  if (!text) return selectors::LabelSelector();
  auto s = selectors::LabelSelector::Parse(*text);
  if (!s.ok()) return apierrors::BadRequest(ToStd(s.status().message()));
  return s;
}

absl::StatusOr<selectors::FieldSelector> FieldSelectorOf(const httpserver::Request& request) {
  auto text = request.Query("fieldSelector");
  if (!text) return selectors::FieldSelector();
  auto s = selectors::FieldSelector::Parse(*text);
  if (!s.ok()) return apierrors::BadRequest(ToStd(s.status().message()));
  return s;
}

absl::StatusOr<bool> DryRunOf(const httpserver::Request& request) {
  std::vector<std::string_view> values = request.QueryAll("dryRun");
  bool dry = false;
  for (std::string_view v : values) {
    if (v != "All") {
      return apierrors::Invalid("meta.k8s.io", "CreateOptions", "",
                                {apierrors::NotSupportedCause("dryRun", json::Value(std::string(v)), {"All"})});
    }
    dry = true;
  }
  return dry;
}

absl::StatusOr<registry::ListOptions> ListOptionsOf(const httpserver::Request& request) {
  registry::ListOptions options;
  ASSIGN_OR_RETURN(options.labels, LabelSelectorOf(request));
  ASSIGN_OR_RETURN(options.fields, FieldSelectorOf(request));
  ASSIGN_OR_RETURN(std::optional<int64_t> limit, QueryInt(request, "limit"));
  options.limit = limit.value_or(0);
  if (options.limit < 0) options.limit = 0;  // upstream treats a negative limit as none
  options.continue_token = std::string(request.Query("continue").value_or(""));
  options.resource_version = std::string(request.Query("resourceVersion").value_or(""));
  options.resource_version_match = std::string(request.Query("resourceVersionMatch").value_or(""));
  // Upstream's ValidateListOptions for a list, every problem in its order.
  const std::string& match = options.resource_version_match;
  std::vector<apierrors::Cause> causes;
  if (!match.empty()) {
    if (options.resource_version.empty()) {
      causes.push_back(apierrors::ForbiddenCause("resourceVersionMatch",
                                                 "resourceVersionMatch is forbidden unless resourceVersion is provided"));
    }
    if (!options.continue_token.empty()) {
      causes.push_back(apierrors::ForbiddenCause("resourceVersionMatch",
                                                 "resourceVersionMatch is forbidden when continue is provided"));
    }
    if (match != "NotOlderThan" && match != "Exact") {
      causes.push_back(
          apierrors::NotSupportedCause("resourceVersionMatch", json::Value(match), {"Exact", "NotOlderThan", ""}));
    }
    if (match == "Exact" && options.resource_version == "0") {
      causes.push_back(apierrors::ForbiddenCause("resourceVersionMatch",
                                                 "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
    }
  }
  if (request.Query("sendInitialEvents").has_value()) {
    causes.push_back(apierrors::ForbiddenCause("sendInitialEvents", "sendInitialEvents is forbidden for list"));
  }
  if (!causes.empty()) return apierrors::Invalid("meta.k8s.io", "ListOptions", "", std::move(causes));
  return options;
}

absl::StatusOr<registry::DeleteOptions> DeleteOptionsOf(const httpserver::Request& request) {
  // As upstream: the body when there is one, else the query string (never both).
  registry::DeleteOptions options;
  bool orphan_set = false;
  bool orphan = false;
  if (!request.body.empty()) {
    // Typed clients (kubelets deleting pods) send DeleteOptions in their own content type.
    ASSIGN_OR_RETURN(BodyFormat format, NegotiateBody(request));
    ASSIGN_OR_RETURN(ParsedBody body, ParseBody(request.body, format, schema::Schema::BuiltIn(),
                                                "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"));
    const json::Value& v = body.value;
    if (!v.is_object()) return apierrors::BadRequest("DeleteOptions must be a JSON object");
    std::string kind = v.GetString({"kind"});
    if (!kind.empty() && kind != "DeleteOptions") {
      return apierrors::BadRequest(StrCat("the body of a delete must be DeleteOptions, not ", kind));
    }
    if (const json::Value* g = v.Find("gracePeriodSeconds"); g != nullptr && !g->is_null()) {
      if (!g->AsInt64()) return apierrors::BadRequest("gracePeriodSeconds must be an integer");
      options.grace_period_seconds = *g->AsInt64();
    }
    if (const json::Value* p = v.Find("propagationPolicy"); p != nullptr && !p->is_null()) {
      if (!p->is_string()) return apierrors::BadRequest("propagationPolicy must be a string");
      options.propagation_policy = p->AsString();
    }
    if (const json::Value* o = v.Find("orphanDependents"); o != nullptr && !o->is_null()) {
      if (!o->is_bool()) return apierrors::BadRequest("orphanDependents must be a boolean");
      orphan_set = true;
      orphan = o->AsBool();
    }
    if (const json::Value* p = v.Find("preconditions"); p != nullptr && p->is_object()) {
      if (const json::Value* uid = p->Find("uid"); uid != nullptr && uid->is_string()) {
        options.preconditions.uid = uid->AsString();
      }
      if (const json::Value* rv = p->Find("resourceVersion"); rv != nullptr && rv->is_string()) {
        options.preconditions.resource_version = rv->AsString();
      }
    }
    if (const json::Value* dry = v.Find("dryRun"); dry != nullptr && dry->is_array()) {
      for (const json::Value& d : dry->AsArray()) {
        if (!d.is_string() || d.AsString() != "All") {
          return apierrors::Invalid("meta.k8s.io", "DeleteOptions", "",
                                    {apierrors::NotSupportedCause("dryRun", d, {"All"})});
        }
        options.dry_run = true;
      }
    }
  } else {
    ASSIGN_OR_RETURN(std::optional<int64_t> grace, QueryInt(request, "gracePeriodSeconds"));
    options.grace_period_seconds = grace;
    if (auto p = request.Query("propagationPolicy")) options.propagation_policy = std::string(*p);
    ASSIGN_OR_RETURN(std::optional<bool> o, QueryBool(request, "orphanDependents"));
    if (o) {
      orphan_set = true;
      orphan = *o;
    }
    ASSIGN_OR_RETURN(options.dry_run, DryRunOf(request));
  }
  if (orphan_set) {
    if (!options.propagation_policy.empty()) {
      return apierrors::Invalid("meta.k8s.io", "DeleteOptions", "",
                                {apierrors::InvalidCause("propagationPolicy", json::Value(options.propagation_policy),
                                                         "orphanDependents and deletionPropagation cannot be both set")});
    }
    options.propagation_policy = orphan ? "Orphan" : "Background";
  }
  return options;
}

}  // namespace cubelet::apiserver
