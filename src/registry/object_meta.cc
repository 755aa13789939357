#include "registry/object_meta.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/strings.h"
#include "json/write.h"

namespace cubelet::registry {
namespace {

constexpr char kSubdomainMsg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
constexpr char kLabelMsg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
constexpr char kDns1035Msg[] =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation "
    "is '[a-z]([-a-z0-9]*[a-z0-9])?')";
constexpr char kQualifiedNamePartMsg[] =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
constexpr char kQualifiedNameMsg[] =
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. "
    "'example.com/MyName')";
constexpr char kLabelValueMsg[] =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

bool IsLabel(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsSubdomain(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!IsLabel(s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?
bool IsQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string Quote(std::string_view s) {
  std::string out;
  json::WriteString(s, &out);
  return out;
}

void AddInvalid(FieldErrors* errors, std::string_view field, std::string_view value, const std::vector<std::string>& msgs) {
  for (const std::string& m : msgs) errors->push_back(apierrors::InvalidCause(field, json::Value(value), m));
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}

}  // namespace

std::vector<std::string> DnsSubdomainErrors(std::string_view name) {
  std::vector<std::string> out;
  if (name.size() > 253) out.push_back("must be no more than 253 characters");
  if (!IsSubdomain(name)) out.push_back(kSubdomainMsg);
  return out;
}

std::vector<std::string> DnsLabelErrors(std::string_view name) {
  std::vector<std::string> out;
  if (name.size() > 63) out.push_back("must be no more than 63 characters");
  if (!IsLabel(name)) out.push_back(kLabelMsg);
  return out;
}

std::vector<std::string> Dns1035LabelErrors(std::string_view name) {
  std::vector<std::string> out;
  if (name.size() > 63) out.push_back("must be no more than 63 characters");
  if (!IsLabel(name) || !(name.front() >= 'a' && name.front() <= 'z')) out.push_back(kDns1035Msg);
  return out;
}

std::vector<std::string> QualifiedNameErrors(std::string_view name) {
  std::vector<std::string> out;
  std::string_view prefix, part = name;
  size_t slash = name.find('/');
  if (slash != std::string_view::npos) {
    if (name.find('/', slash + 1) != std::string_view::npos) return {kQualifiedNameMsg};
    prefix = name.substr(0, slash);
    part = name.substr(slash + 1);
    if (prefix.empty()) {
      out.push_back("prefix part must be non-empty");
    } else {
      for (const std::string& m : DnsSubdomainErrors(prefix)) out.push_back(StrCat("prefix part ", m));
    }
  }
  if (part.empty()) {
    out.push_back("name part must be non-empty");
  } else {
    if (part.size() > 63) out.push_back("name part must be no more than 63 characters");
    if (!IsQualifiedNamePart(part)) out.push_back(kQualifiedNamePartMsg);
  }
  return out;
}

std::vector<std::string> LabelValueErrors(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 63) out.push_back("must be no more than 63 characters");
  if (!value.empty() && !IsQualifiedNamePart(value)) out.push_back(kLabelValueMsg);
  return out;
}

NameRule NameRuleFor(const ResourceInfo& resource) {
  if (resource.group.empty() && (resource.resource == "namespaces")) return NameRule::kDnsLabel;
  if (resource.group.empty() && resource.resource == "services") return NameRule::kDns1035Label;
  if (resource.resource == "events") return NameRule::kPathSegment;
  return NameRule::kDnsSubdomain;
}

FieldErrors ValidateObjectMeta(const ResourceInfo& resource, const json::Value& object, const json::Value* old) {
  FieldErrors errors;
  const json::Value* meta = object.Find("metadata");
  std::string name = object.GetString({"metadata", "name"});
  if (name.empty()) {
    errors.push_back(apierrors::RequiredCause("metadata.name", "name or generateName is required"));
  } else {
    std::vector<std::string> msgs;
    switch (NameRuleFor(resource)) {
      case NameRule::kDnsSubdomain: msgs = DnsSubdomainErrors(name); break;
      case NameRule::kDnsLabel: msgs = DnsLabelErrors(name); break;
      case NameRule::kDns1035Label: msgs = Dns1035LabelErrors(name); break;
      case NameRule::kPathSegment:
        if (name == "." || name == "..") msgs.push_back(StrCat("may not be ", Quote(name)));
        if (name.find('/') != std::string::npos) msgs.push_back("may not contain '/'");
        if (name.find('%') != std::string::npos) msgs.push_back("may not contain '%'");
        break;
    }
    AddInvalid(&errors, "metadata.name", name, msgs);
  }
  std::string ns = object.GetString({"metadata", "namespace"});
  if (resource.namespaced) {
    if (ns.empty()) {
      errors.push_back(apierrors::RequiredCause("metadata.namespace"));
    } else {
      AddInvalid(&errors, "metadata.namespace", ns, DnsLabelErrors(ns));
    }
  } else if (!ns.empty()) {
    errors.push_back(apierrors::ForbiddenCause("metadata.namespace", "not allowed on this type"));
  }
  if (meta != nullptr) {
    if (const json::Value* labels = meta->Find("labels"); labels != nullptr && labels->is_object()) {
      for (const auto& [k, v] : labels->AsObject()) {
        AddInvalid(&errors, "metadata.labels", k, QualifiedNameErrors(k));
        if (v.is_string()) AddInvalid(&errors, StrCat("metadata.labels"), v.AsString(), LabelValueErrors(v.AsString()));
      }
    }
    if (const json::Value* annotations = meta->Find("annotations"); annotations != nullptr && annotations->is_object()) {
      size_t total = 0;
      for (const auto& [k, v] : annotations->AsObject()) {
        AddInvalid(&errors, "metadata.annotations", k, QualifiedNameErrors(StrCat(k)));
        total += k.size() + (v.is_string() ? v.AsString().size() : 0);
      }
      if (total > kTotalAnnotationSizeLimit) {
        errors.push_back(apierrors::TooLongCause("metadata.annotations", kTotalAnnotationSizeLimit));
      }
    }
    if (const json::Value* finalizers = meta->Find("finalizers"); finalizers != nullptr && finalizers->is_array()) {
      const json::Array& items = finalizers->AsArray();
      for (size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_string()) continue;
        const std::string& f = items[i].AsString();
        std::string field = StrCat("metadata.finalizers[", i, "]");
        AddInvalid(&errors, field, f, QualifiedNameErrors(f));
      }
      if (old != nullptr && object.FindPath({"metadata", "deletionTimestamp"}) != nullptr) {
        const json::Value* old_finalizers = old->FindPath({"metadata", "finalizers"});
        for (const json::Value& f : items) {
          bool existed = false;
          if (old_finalizers != nullptr && old_finalizers->is_array()) {
            for (const json::Value& o : old_finalizers->AsArray()) existed = existed || o == f;
          }
          if (!existed) {
            errors.push_back(apierrors::ForbiddenCause(
                "metadata.finalizers", StrCat("no new finalizers can be added if the object is being deleted, found new finalizers ",
                                              json::Write(f))));
          }
        }
      }
    }
    if (const json::Value* owners = meta->Find("ownerReferences"); owners != nullptr && owners->is_array()) {
      const json::Array& items = owners->AsArray();
      int controllers = 0;
      for (size_t i = 0; i < items.size(); ++i) {
        std::string field = StrCat("metadata.ownerReferences[", i, "]");
        for (const char* required : {"apiVersion", "kind", "name", "uid"}) {
          if (items[i].GetString({required}).empty()) {
            errors.push_back(apierrors::RequiredCause(StrCat(field, ".", required)));
          }
        }
        if (const json::Value* c = items[i].Find("controller"); c != nullptr && c->is_bool() && c->AsBool()) ++controllers;
      }
      if (controllers > 1) {
        errors.push_back(apierrors::InvalidCause("metadata.ownerReferences", json::Value(*owners),
                                                 "Only one reference can have Controller set to true"));
      }
    }
  }
  if (old != nullptr) {
    for (const char* field : {"uid", "creationTimestamp"}) {
      const json::Value* now_v = object.FindPath({"metadata", field});
      const json::Value* old_v = old->FindPath({"metadata", field});
      if (old_v != nullptr && (now_v == nullptr || !(*now_v == *old_v))) {
        errors.push_back(apierrors::InvalidCause(StrCat("metadata.", field), now_v ? *now_v : json::Value(""),
                                                 "field is immutable"));
      }
    }
  }
  return errors;
}

std::string NewUid() {
  std::uniform_int_distribution<uint64_t> dist;
  uint64_t hi = dist(Rng()), lo = dist(Rng());
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", static_cast<uint32_t>(hi >> 32),
                         static_cast<uint32_t>((hi >> 16) & 0xffff), static_cast<uint32_t>(hi & 0xffff),
                         static_cast<uint32_t>(lo >> 48), lo & 0xffffffffffffULL);
}

namespace {

// RFC 3339 has four-digit years: times beyond them (a grace period of 2^63 seconds) are
// clamped so every client can still decode the object.
absl::Time ClampToRfc3339(absl::Time t) {
  static const absl::Time kMin = absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  static const absl::Time kMax = absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59), absl::UTCTimeZone());
  return std::clamp(t, kMin, kMax);
}

}  // namespace

std::string FormatMetaTime(absl::Time t) {
  return std::string(ToStd(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", ClampToRfc3339(t), absl::UTCTimeZone())));
}

std::string FormatMetaMicroTime(absl::Time t) {
  t = ClampToRfc3339(t);
  return std::string(ToStd(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone())));
}

void PrepareObjectMetaForCreate(json::Value* object, absl::Time now) {
  json::Value& meta = object->Ensure({"metadata"});
  if (meta.GetString({"name"}).empty()) {
    std::string prefix = meta.GetString({"generateName"});
    if (!prefix.empty()) {
      // Upstream's SimpleNameGenerator: at most 58 characters of prefix, 5 random ones from an
      // alphabet without vowels (no words) and without easily confused characters.
      static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
      if (prefix.size() > 58) prefix.resize(58);
      std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
      for (int i = 0; i < 5; ++i) prefix.push_back(kAlphabet[pick(Rng())]);
      meta.Set("name", prefix);
    }
  }
  meta.Set("uid", NewUid());
  meta.Set("creationTimestamp", FormatMetaTime(now));
  meta.Erase("resourceVersion");
  meta.Erase("deletionTimestamp");
  meta.Erase("deletionGracePeriodSeconds");
  meta.Erase("selfLink");
  // None of the kinds served here counts generations (upstream's pods start to in 1.33).
  meta.Erase("generation");
}

void PrepareObjectMetaForUpdate(json::Value* object, const json::Value& old) {
  json::Value& meta = object->Ensure({"metadata"});
  const json::Value* old_meta = old.Find("metadata");
  if (old_meta == nullptr) return;
  for (const char* field : {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
                            "generateName"}) {
    if (const json::Value* v = old_meta->Find(field); v != nullptr) {
      // A client that sends the field must send it unchanged (checked by validation for uid
      // and creationTimestamp); one that leaves it out keeps the stored value.
      if (meta.Find(field) == nullptr || std::string_view(field) != "uid") meta.Set(field, *v);
    } else {
      meta.Erase(field);
    }
  }
  meta.Erase("selfLink");
  if (const json::Value* g = old_meta->Find("generation"); g != nullptr && g->AsInt64()) {
    const json::Value* spec = object->Find("spec");
    const json::Value* old_spec = old.Find("spec");
    bool changed = (spec == nullptr) != (old_spec == nullptr) || (spec != nullptr && !(*spec == *old_spec));
    if (changed) meta.Set("generation", *g->AsInt64() + 1);
  }
}

}  // namespace cubelet::registry
