// PrinterFor: routes a (group, resource) to its kind's printer, and everything else to the
// NAME/AGE printer.
#include <utility>

#include "printers/cells.h"
#include "printers/kinds.h"

namespace cubelet::printers {
namespace {

std::vector<json::Value> DefaultCells(const json::Value& object, absl::Time now) {
  return {Str(object, {"metadata", "name"}), Age(object, now)};
}

}  // namespace

const TablePrinter& DefaultPrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter({NameColumn(), AgeColumn()}, DefaultCells);
  return *printer;
}

const TablePrinter& PrinterFor(std::string_view group, std::string_view resource) {
  using Accessor = const TablePrinter& (*)();
  static constexpr std::pair<std::pair<std::string_view, std::string_view>, Accessor> kPrinters[] = {
      {{"", "pods"}, PodPrinter},
      {{"", "nodes"}, NodePrinter},
      {{"", "events"}, EventPrinter},
      {{"events.k8s.io", "events"}, EventPrinter},
      {{"", "namespaces"}, NamespacePrinter},
      {{"", "services"}, ServicePrinter},
      {{"", "endpoints"}, EndpointsPrinter},
      {{"", "configmaps"}, ConfigMapPrinter},
      {{"", "secrets"}, SecretPrinter},
      {{"", "serviceaccounts"}, ServiceAccountPrinter},
      {{"coordination.k8s.io", "leases"}, LeasePrinter},
      {{"scheduling.k8s.io", "priorityclasses"}, PriorityClassPrinter},
      {{"storage.k8s.io", "csinodes"}, CSINodePrinter},
      {{"storage.k8s.io", "csidrivers"}, CSIDriverPrinter},
      {{"node.k8s.io", "runtimeclasses"}, RuntimeClassPrinter},
  };
  for (const auto& [key, accessor] : kPrinters) {
    if (key.first == group && key.second == resource) return accessor();
  }
  return DefaultPrinter();
}

}  // namespace cubelet::printers
