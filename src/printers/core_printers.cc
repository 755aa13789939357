// The small core/v1 printers: Namespaces (NAME STATUS AGE), ConfigMaps (NAME DATA AGE),
// Secrets (NAME TYPE DATA AGE) and ServiceAccounts (NAME SECRETS AGE), as upstream's. Counts
// are integer cells even where the column says "string", as upstream declares them.
#include <set>

#include "printers/cells.h"
#include "printers/descriptions.h"
#include "printers/kinds.h"

namespace cubelet::printers {
namespace {

std::vector<json::Value> NamespaceCells(const json::Value& ns, absl::Time now) {
  return {Str(ns, {"metadata", "name"}), Str(ns, {"status", "phase"}), Age(ns, now)};
}

std::vector<json::Value> ConfigMapCells(const json::Value& cm, absl::Time now) {
  return {Str(cm, {"metadata", "name"}), CountAt(cm, {"data"}) + CountAt(cm, {"binaryData"}), Age(cm, now)};
}

// Keys of data and stringData together: the internal Secret upstream prints has stringData
// merged into data.
int64_t SecretDataCount(const json::Value& secret) {
  std::set<std::string> keys;
  for (std::string_view field : {"data", "stringData"}) {
    const json::Value* m = secret.Find(field);
    if (m == nullptr || !m->is_object()) continue;
    for (const auto& [key, value] : m->AsObject()) keys.insert(key);
  }
  return static_cast<int64_t>(keys.size());
}

std::vector<json::Value> SecretCells(const json::Value& secret, absl::Time now) {
  std::string type = Str(secret, {"type"});
  if (type.empty()) type = "Opaque";  // the default a stored Secret carries
  return {Str(secret, {"metadata", "name"}), type, SecretDataCount(secret), Age(secret, now)};
}

std::vector<json::Value> ServiceAccountCells(const json::Value& sa, absl::Time now) {
  return {Str(sa, {"metadata", "name"}), CountAt(sa, {"secrets"}), Age(sa, now)};
}

}  // namespace

const TablePrinter& NamespacePrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {
          NameColumn(),
          MakeColumn("Status", "string", descriptions::kNamespaceStatus),
          AgeColumn(),
      },
      NamespaceCells);
  return *printer;
}

const TablePrinter& ConfigMapPrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {
          NameColumn(),
          MakeColumn("Data", "string", descriptions::kConfigMapData),
          AgeColumn(),
      },
      ConfigMapCells);
  return *printer;
}

const TablePrinter& SecretPrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {
          NameColumn(),
          MakeColumn("Type", "string", descriptions::kSecretType),
          MakeColumn("Data", "string", descriptions::kSecretData),
          AgeColumn(),
      },
      SecretCells);
  return *printer;
}

const TablePrinter& ServiceAccountPrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {
          NameColumn(),
          MakeColumn("Secrets", "string", descriptions::kServiceAccountSecrets),
          AgeColumn(),
      },
      ServiceAccountCells);
  return *printer;
}

}  // namespace cubelet::printers
