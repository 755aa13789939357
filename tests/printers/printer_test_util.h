// Owns: what the printer tests share: the instant their objects' timestamps are relative to, a
// JSON reader that fails the test on bad text, and one object's row through a kind's printer.
// Does not own: assertions about the cells (the tests make those).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/value.h"
#include "json/write.h"
#include "printers/printers.h"

namespace cubelet::printers::testing {

// Every timestamp in the tests' objects is relative to this instant.
inline constexpr absl::Time kNow = absl::FromUnixSeconds(1714564800);  // 2024-05-01T12:00:00Z

inline json::Value Parse(std::string_view text) {
  absl::StatusOr<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << "\n" << text;
  return v.ok() ? *v : json::Value();
}

// The cells `group`/`resource`'s printer makes of `object` at kNow, as a JSON array; expects one
// cell per column.
inline std::string Row(std::string_view group, std::string_view resource, std::string_view object) {
  const TablePrinter& printer = PrinterFor(group, resource);
  std::vector<json::Value> cells = printer.Cells(Parse(object), kNow);
  EXPECT_EQ(cells.size(), printer.Columns().size());
  return json::Write(json::Value(json::Array(std::move(cells))));
}

}  // namespace cubelet::printers::testing
