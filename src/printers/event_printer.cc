// Events: LAST SEEN TYPE REASON OBJECT MESSAGE, and with -o wide SUBOBJECT SOURCE FIRST SEEN
// COUNT NAME, as upstream printEvent. Upstream serves events.k8s.io/v1 Events from the same
// storage as core/v1 and prints the internal form; here an events.k8s.io/v1 object is read
// through the field names that conversion maps (note → message, regarding → involvedObject,
// deprecatedSource → source, ...).
#include "common/strings.h"
#include "printers/cells.h"
#include "printers/descriptions.h"
#include "printers/kinds.h"

namespace cubelet::printers {
namespace {

// The fields printEvent reads, from either API version.
struct EventView {
  const json::Value* involved = nullptr;  // ObjectReference
  std::string type;
  std::string reason;
  std::string message;
  std::string source_component;
  std::string source_host;
  std::string reporting_controller;
  std::string reporting_instance;
  std::optional<absl::Time> first_timestamp;
  std::optional<absl::Time> last_timestamp;
  std::optional<absl::Time> event_time;
  bool has_series = false;
  int64_t series_count = 0;
  std::optional<absl::Time> series_last_observed;
  int64_t count = 0;
};

bool IsEventsV1(const json::Value& e) {
  return Str(e, {"apiVersion"}).starts_with("events.k8s.io/") || e.Find("regarding") != nullptr ||
         e.Find("note") != nullptr;
}

EventView View(const json::Value& e) {
  EventView v;
  v.type = Str(e, {"type"});
  v.reason = Str(e, {"reason"});
  v.reporting_instance = Str(e, {"reportingInstance"});
  v.event_time = Timestamp(e, {"eventTime"});
  v.has_series = Present(e, {"series"});
  v.series_count = Int(e, {"series", "count"});
  v.series_last_observed = Timestamp(e, {"series", "lastObservedTime"});
  if (IsEventsV1(e)) {
    v.involved = e.Find("regarding");
    v.message = Str(e, {"note"});
    v.source_component = Str(e, {"deprecatedSource", "component"});
    v.source_host = Str(e, {"deprecatedSource", "host"});
    v.reporting_controller = Str(e, {"reportingController"});
    v.first_timestamp = Timestamp(e, {"deprecatedFirstTimestamp"});
    v.last_timestamp = Timestamp(e, {"deprecatedLastTimestamp"});
    v.count = Int(e, {"deprecatedCount"});
  } else {
    v.involved = e.Find("involvedObject");
    v.message = Str(e, {"message"});
    v.source_component = Str(e, {"source", "component"});
    v.source_host = Str(e, {"source", "host"});
    v.reporting_controller = Str(e, {"reportingComponent"});
    v.first_timestamp = Timestamp(e, {"firstTimestamp"});
    v.last_timestamp = Timestamp(e, {"lastTimestamp"});
    v.count = Int(e, {"count"});
  }
  return v;
}

std::string ToLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// formatEventSource: component (or the reporting controller), then ", host" (or the reporting
// instance) when there is one.
std::string Source(const EventView& v) {
  const std::string& component = v.source_component.empty() ? v.reporting_controller : v.source_component;
  const std::string& instance = v.source_host.empty() ? v.reporting_instance : v.source_host;
  return instance.empty() ? component : StrCat(component, ", ", instance);
}

std::vector<json::Value> EventCells(const json::Value& event, absl::Time now) {
  static const json::Value kNoReference = json::Value::EmptyObject();
  const EventView v = View(event);
  const json::Value& involved = v.involved != nullptr ? *v.involved : kNoReference;

  const std::string first_seen =
      v.first_timestamp.has_value() ? Since(v.first_timestamp, now) : Since(v.event_time, now);
  std::string last_seen = v.last_timestamp.has_value() ? Since(v.last_timestamp, now) : first_seen;
  int64_t count = v.count;
  if (v.has_series) {
    last_seen = Since(v.series_last_observed, now);
    count = v.series_count;
  } else if (count == 0) {
    count = 1;  // singleton events of the new API have no count
  }

  const std::string kind = ToLower(Str(involved, {"kind"}));
  const std::string name = Str(involved, {"name"});
  const std::string target = name.empty() ? kind : StrCat(kind, "/", name);

  return {last_seen,
          v.type,
          v.reason,
          target,
          Str(involved, {"fieldPath"}),
          Source(v),
          std::string(TrimSpace(v.message)),
          first_seen,
          count,
          Str(event, {"metadata", "name"})};
}

}  // namespace

const TablePrinter& EventPrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {
          MakeColumn("Last Seen", "string", descriptions::kEventLastTimestamp),
          MakeColumn("Type", "string", descriptions::kEventType),
          MakeColumn("Reason", "string", descriptions::kEventReason),
          MakeColumn("Object", "string", descriptions::kEventInvolvedObject),
          MakeColumn("Subobject", "string", descriptions::kEventFieldPath, 1),
          MakeColumn("Source", "string", descriptions::kEventSource, 1),
          MakeColumn("Message", "string", descriptions::kEventMessage),
          MakeColumn("First Seen", "string", descriptions::kEventFirstTimestamp, 1),
          MakeColumn("Count", "string", descriptions::kEventCount, 1),
          MakeColumn("Name", "string", descriptions::kName, 1, "name"),
      },
      EventCells);
  return *printer;
}

}  // namespace cubelet::printers
