// Owns: object metadata rules shared by every kind (upstream apimachinery/pkg/api/validation
// objectmeta.go and the generic store's create/update bookkeeping): name and namespace checks,
// label, annotation, finalizer and ownerReference validation with upstream's messages, what
// the server sets on create (uid, creationTimestamp, generateName) and keeps on update.
// Does not own: kind-specific rules (strategies).
#pragma once

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "json/value.h"
#include "registry/resource.h"

namespace cubelet::registry {

enum class NameRule { kDnsSubdomain, kDnsLabel, kDns1035Label, kPathSegment };

// Which rule names of `resource` follow (services and namespaces are labels, most kinds subdomains).
NameRule NameRuleFor(const ResourceInfo& resource);

// Validates metadata of an object to create or update; `old` is null on create.
FieldErrors ValidateObjectMeta(const ResourceInfo& resource, const json::Value& object, const json::Value* old);

// Upstream's qualified-name (label key, annotation key, finalizer) and label-value checks;
// each returns the problems ("name part must consist of ..."), empty when fine.
std::vector<std::string> QualifiedNameErrors(std::string_view name);
std::vector<std::string> LabelValueErrors(std::string_view value);
std::vector<std::string> DnsSubdomainErrors(std::string_view name);
std::vector<std::string> DnsLabelErrors(std::string_view name);
std::vector<std::string> Dns1035LabelErrors(std::string_view name);

// Sets what the server owns on create: uid (random v4), creationTimestamp, name from
// generateName (prefix + 5 random characters of upstream's alphabet), generation 1 for kinds
// with a spec; drops resourceVersion, deletionTimestamp and deletionGracePeriodSeconds.
void PrepareObjectMetaForCreate(json::Value* object, absl::Time now);
// Keeps what a client may not change on update: uid, creationTimestamp, deletion fields,
// generateName's result; bumps generation when spec changed.
void PrepareObjectMetaForUpdate(json::Value* object, const json::Value& old);

// A random RFC 4122 version 4 UUID.
std::string NewUid();
// metav1.Time text: RFC 3339, UTC, seconds ("2026-11-29T14:05:32Z").
std::string FormatMetaTime(absl::Time t);
// metav1.MicroTime text: RFC 3339 with 6 fractional digits.
std::string FormatMetaMicroTime(absl::Time t);

}  // namespace cubelet::registry
