// Owns: the columns `kubectl get` shows for each kind and the cells of one object's row, as
// upstream's printers compute them (pkg/printers/internalversion/printers.go): the pod STATUS
// column (CrashLoopBackOff, Completed, Init:0/2, Terminating, ...), node STATUS and ROLES,
// event columns, and NAME/AGE with each kind's usual columns elsewhere.
// Does not own: the Table envelope, row objects or content negotiation (apiserver/).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "json/value.h"

namespace cubelet::printers {

// One column as metav1.TableColumnDefinition: type is an OpenAPI type ("string", "integer",
// "date", ...), format "name" marks the name column, priority > 0 columns show with -o wide.
struct Column {
  std::string name;
  std::string type;
  std::string format;
  std::string description;
  int priority = 0;
};

class TablePrinter {
 public:
  virtual ~TablePrinter() = default;
  virtual const std::vector<Column>& Columns() const = 0;
  // One cell per column: strings, integers, or null. `now` computes ages ("5m", "2d3h").
  virtual std::vector<json::Value> Cells(const json::Value& object, absl::Time now) const = 0;
  // The row's metav1.TableRowCondition objects ({"type":"Completed","status":"True",...} for a
  // pod that has finished); empty for most kinds.
  virtual std::vector<json::Value> Conditions(const json::Value&) const { return {}; }
};

// The printer for a resource ("" group = core; resource is the plural, "pods"); the NAME/AGE
// printer for kinds without their own. Never null; the objects live for the program.
const TablePrinter& PrinterFor(std::string_view group, std::string_view resource);

// Upstream's duration.HumanDuration as kubectl shows ages: "45s", "5m", "3h10m", "2d3h", "400d".
std::string HumanDuration(absl::Duration d);

}  // namespace cubelet::printers
