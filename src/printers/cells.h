// Owns: the small readers and formatters every kind's printer shares: typed reads of object
// fields with Go's zero values for missing ones, API timestamps, "age" cells, and the column
// printer that pairs a column list with a cells function.
// Does not own: any kind's columns (pod_printer.cc, node_printer.cc, ...).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "json/value.h"
#include "printers/printers.h"

namespace cubelet::printers {

// The value at `path`, or Go's zero value when it is missing or of another type.
std::string Str(const json::Value& object, std::initializer_list<std::string_view> path);
int64_t Int(const json::Value& object, std::initializer_list<std::string_view> path);
bool Bool(const json::Value& object, std::initializer_list<std::string_view> path, bool fallback = false);
// The array at `path`, or an empty one.
const json::Array& Arr(const json::Value& object, std::initializer_list<std::string_view> path);
// Whether `path` holds an object (Go's non-nil pointer to a struct).
bool Present(const json::Value& object, std::initializer_list<std::string_view> path);
// String members of the object at `path`, sorted by key.
std::map<std::string, std::string> StringMap(const json::Value& object, std::initializer_list<std::string_view> path);
// The number of members or items at `path` (0 when missing).
int64_t CountAt(const json::Value& object, std::initializer_list<std::string_view> path);

// An RFC 3339 timestamp (metav1.Time or MicroTime); nullopt for a missing, null or unparsable
// one (Go's zero time).
std::optional<absl::Time> Timestamp(const json::Value& object, std::initializer_list<std::string_view> path);

// translateTimestampSince: HumanDuration(now - t), or "<unknown>" for the zero time.
std::string Since(std::optional<absl::Time> t, absl::Time now);
// The object's AGE cell.
std::string Age(const json::Value& object, absl::Time now);

// labels.FormatLabels: "a=1,b=2" sorted by key, "<none>" when empty.
std::string FormatLabels(const std::map<std::string, std::string>& labels);

// Go's strings.TrimSpace for ASCII whitespace.
std::string_view TrimSpace(std::string_view s);

// A column; format "name" marks the NAME column, priority 1 the -o wide ones.
Column MakeColumn(std::string name, std::string type, std::string_view description, int priority = 0,
                  std::string format = "");

// The NAME and AGE columns every kind shares (metav1.ObjectMeta's documentation).
Column NameColumn();
Column AgeColumn();

// A TablePrinter made of a column list and plain functions; the kind files build theirs once.
class ColumnPrinter : public TablePrinter {
 public:
  using CellsFn = std::vector<json::Value> (*)(const json::Value& object, absl::Time now);
  using ConditionsFn = std::vector<json::Value> (*)(const json::Value& object);

  ColumnPrinter(std::vector<Column> columns, CellsFn cells, ConditionsFn conditions = nullptr)
      : columns_(std::move(columns)), cells_(cells), conditions_(conditions) {}

  const std::vector<Column>& Columns() const override { return columns_; }
  std::vector<json::Value> Cells(const json::Value& object, absl::Time now) const override {
    return cells_(object, now);
  }
  std::vector<json::Value> Conditions(const json::Value& object) const override {
    return conditions_ == nullptr ? std::vector<json::Value>{} : conditions_(object);
  }

 private:
  std::vector<Column> columns_;
  CellsFn cells_;
  ConditionsFn conditions_;
};

}  // namespace cubelet::printers
