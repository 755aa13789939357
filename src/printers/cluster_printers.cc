// Printers for the non-core kinds a kubelet and scheduler touch: Leases, PriorityClasses,
// CSINodes, CSIDrivers and RuntimeClasses, with upstream's columns and defaults.
#include "absl/strings/str_join.h"
#include "printers/cells.h"
#include "printers/descriptions.h"
#include "printers/kinds.h"

namespace cubelet::printers {
namespace {

std::vector<json::Value> LeaseCells(const json::Value& lease, absl::Time now) {
  return {Str(lease, {"metadata", "name"}), Str(lease, {"spec", "holderIdentity"}), Age(lease, now)};
}

std::vector<json::Value> PriorityClassCells(const json::Value& pc, absl::Time now) {
  return {Str(pc, {"metadata", "name"}), Int(pc, {"value"}), Bool(pc, {"globalDefault"}), Age(pc, now),
          Str(pc, {"preemptionPolicy"})};
}

std::vector<json::Value> CSINodeCells(const json::Value& node, absl::Time now) {
  return {Str(node, {"metadata", "name"}), CountAt(node, {"spec", "drivers"}), Age(node, now)};
}

std::vector<json::Value> CSIDriverCells(const json::Value& driver, absl::Time now) {
  std::string token_requests = "<unset>";
  if (const json::Value* t = driver.FindPath({"spec", "tokenRequests"}); t != nullptr && t->is_array()) {
    std::vector<std::string> audiences;
    for (const json::Value& r : t->AsArray()) audiences.push_back(Str(r, {"audience"}));
    token_requests = absl::StrJoin(audiences, ",");
  }
  std::vector<std::string> modes;
  for (const json::Value& m : Arr(driver, {"spec", "volumeLifecycleModes"})) {
    if (m.is_string()) modes.push_back(m.AsString());
  }
  return {Str(driver, {"metadata", "name"}),
          Bool(driver, {"spec", "attachRequired"}, true),
          Bool(driver, {"spec", "podInfoOnMount"}),
          Bool(driver, {"spec", "storageCapacity"}),
          token_requests,
          Bool(driver, {"spec", "requiresRepublish"}),
          modes.empty() ? "<none>" : absl::StrJoin(modes, ","),
          Age(driver, now)};
}

std::vector<json::Value> RuntimeClassCells(const json::Value& rc, absl::Time now) {
  return {Str(rc, {"metadata", "name"}), Str(rc, {"handler"}), Age(rc, now)};
}

Column Col(std::string name, std::string type, std::string_view description) {
  return MakeColumn(std::move(name), std::move(type), description);
}

}  // namespace

const TablePrinter& LeasePrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {NameColumn(), Col("Holder", "string", descriptions::kLeaseHolderIdentity), AgeColumn()}, LeaseCells);
  return *printer;
}

// PreemptionPolicy has no priority upstream either, so it shows without -o wide.
const TablePrinter& PriorityClassPrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {NameColumn(), Col("Value", "integer", descriptions::kPriorityClassValue),
       Col("Global-Default", "boolean", descriptions::kPriorityClassGlobalDefault), AgeColumn(),
       Col("PreemptionPolicy", "string", descriptions::kPriorityClassPreemptionPolicy)},
      PriorityClassCells);
  return *printer;
}

const TablePrinter& CSINodePrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {NameColumn(), Col("Drivers", "integer", descriptions::kCSINodeDrivers), AgeColumn()}, CSINodeCells);
  return *printer;
}

const TablePrinter& CSIDriverPrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {NameColumn(), Col("AttachRequired", "boolean", descriptions::kCSIDriverAttachRequired),
       Col("PodInfoOnMount", "boolean", descriptions::kCSIDriverPodInfoOnMount),
       Col("StorageCapacity", "boolean", descriptions::kCSIDriverStorageCapacity),
       Col("TokenRequests", "string", descriptions::kCSIDriverTokenRequests),
       Col("RequiresRepublish", "boolean", descriptions::kCSIDriverRequiresRepublish),
       Col("Modes", "string", descriptions::kCSIDriverModes), AgeColumn()},
      CSIDriverCells);
  return *printer;
}

const TablePrinter& RuntimeClassPrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {NameColumn(), Col("Handler", "string", descriptions::kRuntimeClassHandler), AgeColumn()}, RuntimeClassCells);
  return *printer;
}

}  // namespace cubelet::printers
