#include "registry/config_data_strategy.h"

#include "absl/strings/escaping.h"
#include "common/strings.h"

namespace cubelet::registry {
namespace {

constexpr size_t kMaxSize = 1024 * 1024;
constexpr char kKeyMsg[] = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

bool IsConfigKey(std::string_view key) {
  if (key.empty() || key.size() > 253 || key == "." || key == "..") return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

// Checks the keys of `field` (data, binaryData, stringData) and adds their decoded sizes.
void CheckKeys(const json::Value& object, std::string_view field, bool base64, size_t* total, FieldErrors* errors) {
  const json::Value* data = object.Find(field);
  if (data == nullptr || !data->is_object()) return;
  for (const auto& [key, value] : data->AsObject()) {
    if (!IsConfigKey(key)) errors->push_back(apierrors::InvalidCause(StrCat(field, "[", key, "]"), json::Value(key), kKeyMsg));
    if (!value.is_string()) continue;
    *total += base64 ? value.AsString().size() * 3 / 4 : value.AsString().size();
  }
}

FieldErrors CheckImmutable(const json::Value& object, const json::Value& old) {
  FieldErrors errors;
  const json::Value* immutable = old.Find("immutable");
  if (immutable == nullptr || !immutable->is_bool() || !immutable->AsBool()) return errors;
  for (const char* field : {"data", "binaryData", "immutable"}) {
    const json::Value* a = object.Find(field);
    const json::Value* b = old.Find(field);
    if ((a == nullptr) != (b == nullptr) || (a != nullptr && !(*a == *b))) {
      errors.push_back(apierrors::ForbiddenCause(field, "field is immutable when `immutable` is set"));
    }
  }
  return errors;
}

}  // namespace

void SecretStrategy::Default(json::Value* object) const {
  if (object->GetString({"type"}).empty()) object->Set("type", "Opaque");
  // stringData is write-only: its values land in data, base64-encoded, and it is not stored.
  if (const json::Value* plain = object->Find("stringData"); plain != nullptr && plain->is_object()) {
    json::Value& data = object->Ensure({"data"});
    for (const auto& [key, value] : plain->AsObject()) {
      if (value.is_string()) data.Set(key, ToStd(absl::Base64Escape(value.AsString())));
    }
    object->Erase("stringData");
  }
}

FieldErrors SecretStrategy::Validate(const json::Value& object) const {
  FieldErrors errors;
  size_t total = 0;
  CheckKeys(object, "data", true, &total, &errors);
  if (total > kMaxSize) errors.push_back(apierrors::TooLongCause("data", kMaxSize));
  std::string type = object.GetString({"type"});
  if (type == "kubernetes.io/service-account-token" &&
      object.GetString({"metadata", "annotations", "kubernetes.io/service-account.name"}).empty()) {
    errors.push_back(apierrors::RequiredCause("metadata.annotations[kubernetes.io/service-account.name]"));
  }
  if (type == "kubernetes.io/dockerconfigjson" && object.FindPath({"data", ".dockerconfigjson"}) == nullptr) {
    errors.push_back(apierrors::RequiredCause("data[.dockerconfigjson]"));
  }
  if (type == "kubernetes.io/tls") {
    for (const char* key : {"tls.crt", "tls.key"}) {
      if (object.FindPath({"data", key}) == nullptr) errors.push_back(apierrors::RequiredCause(StrCat("data[", key, "]")));
    }
  }
  return errors;
}

FieldErrors SecretStrategy::ValidateUpdate(const json::Value& object, const json::Value& old) const {
  FieldErrors errors = Validate(object);
  if (object.GetString({"type"}) != old.GetString({"type"})) {
    errors.push_back(apierrors::InvalidCause("type", json::Value(object.GetString({"type"})), "field is immutable"));
  }
  FieldErrors immutable = CheckImmutable(object, old);
  errors.insert(errors.end(), immutable.begin(), immutable.end());
  return errors;
}

void SecretStrategy::AddSelectableFields(const json::Value& object, selectors::Fields* fields) const {
  (*fields)["type"] = object.GetString({"type"});
}

FieldErrors ConfigMapStrategy::Validate(const json::Value& object) const {
  FieldErrors errors;
  size_t total = 0;
  CheckKeys(object, "data", false, &total, &errors);
  CheckKeys(object, "binaryData", true, &total, &errors);
  const json::Value* data = object.Find("data");
  const json::Value* binary = object.Find("binaryData");
  if (data != nullptr && binary != nullptr && data->is_object() && binary->is_object()) {
    for (const auto& [key, value] : binary->AsObject()) {
      if (data->Find(key) != nullptr) {
        errors.push_back(apierrors::InvalidCause(StrCat("data[", key, "]"), json::Value(key),
                                                 "duplicate of key present in binaryData"));
      }
    }
  }
  if (total > kMaxSize) errors.push_back(apierrors::TooLongCause("", kMaxSize));
  return errors;
}

FieldErrors ConfigMapStrategy::ValidateUpdate(const json::Value& object, const json::Value& old) const {
  FieldErrors errors = Validate(object);
  FieldErrors immutable = CheckImmutable(object, old);
  errors.insert(errors.end(), immutable.begin(), immutable.end());
  return errors;
}

}  // namespace cubelet::registry
