// Owns: structured logging in klog's text format, the format upstream's kubelet writes:
//   I1125 10:11:12.345678 1234 file.cc:42] "message" key="value" count=3
// Does not own: where lines go (a LogSink) or log rotation (journald / the service manager).
//
// A Logger is a small value passed to each component that logs, never a global: tests give
// components a Logger over a CapturingLogSink and assert on what was logged.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace cubelet {

enum class Severity { kInfo, kWarning, kError, kFatal };

// Receives whole lines, newline included. Implementations are thread-safe.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(std::string_view line) = 0;
};

// Writes each line with one write(2) on fd 2, so lines from many threads never interleave.
class StderrLogSink final : public LogSink {
 public:
  void Write(std::string_view line) override;
};

// Keeps every line in memory; for tests.
class CapturingLogSink final : public LogSink {
 public:
  void Write(std::string_view line) override;
  std::vector<std::string> Lines() const;
  // Lines that contain `needle`.
  int Count(std::string_view needle) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// One key="value" pair. Strings and errors are quoted like Go's %q, numbers and booleans are not.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(Quote(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(Quote(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(Quote(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, long long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, unsigned v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, unsigned long long v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, double v);
  LogField(std::string_view k, absl::Duration v);
  LogField(std::string_view k, const absl::Status& v) : key(k), value(Quote(v.ToString())) {}

  static std::string Quote(std::string_view s);

  std::string key;
  std::string value;
};

// Captures the caller's file and line with the message text.
struct LogMessage {
  LogMessage(const char* text, std::source_location loc = std::source_location::current())
      : text(text), location(loc) {}
  LogMessage(std::string_view text, std::source_location loc = std::source_location::current())
      : text(text), location(loc) {}
  LogMessage(const std::string& text, std::source_location loc = std::source_location::current())
      : text(text), location(loc) {}
  std::string_view text;
  std::source_location location;
};

// Thread-safe; cheap to copy (shares the sink).
class Logger {
 public:
  Logger(std::shared_ptr<LogSink> sink, int verbosity, const Clock* clock);

  // True when messages at verbosity `level` are written (klog's V(level).Enabled()).
  bool V(int level) const { return level <= verbosity_; }
  int verbosity() const { return verbosity_; }

  void Info(LogMessage msg, std::initializer_list<LogField> fields = {}) const;
  void Warning(LogMessage msg, std::initializer_list<LogField> fields = {}) const;
  void Error(LogMessage msg, std::initializer_list<LogField> fields = {}) const;
  // Info only when V(level).
  void VInfo(int level, LogMessage msg, std::initializer_list<LogField> fields = {}) const;

  // Formats one line without writing it (exposed for tests of the format).
  std::string Format(Severity severity, const LogMessage& msg,
                     std::initializer_list<LogField> fields) const;

 private:
  void Log(Severity severity, const LogMessage& msg, std::initializer_list<LogField> fields) const;

  std::shared_ptr<LogSink> sink_;
  int verbosity_;
  const Clock* clock_;
};

}  // namespace cubelet
