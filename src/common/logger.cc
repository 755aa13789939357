#include "common/strings.h"
#include "common/logger.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/duration.h"

namespace cubelet {

void StderrLogSink::Write(std::string_view line) {
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // Nowhere left to report a failure to log.
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void CapturingLogSink::Write(std::string_view line) {
  std::lock_guard<std::mutex> lock(mu_);
  lines_.emplace_back(line);
}

std::vector<std::string> CapturingLogSink::Lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}

int CapturingLogSink::Count(std::string_view needle) const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const auto& l : lines_) n += l.find(needle) != std::string::npos ? 1 : 0;
  return n;
}

LogField::LogField(std::string_view k, double v) : key(k), value(absl::StrFormat("%g", v)) {}

LogField::LogField(std::string_view k, absl::Duration v) : key(k), value(Quote(FormatGoDuration(v))) {}

std::string LogField::Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += absl::StrFormat("\\x%02x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

Logger::Logger(std::shared_ptr<LogSink> sink, int verbosity, const Clock* clock)
    : sink_(std::move(sink)), verbosity_(verbosity), clock_(clock) {}

std::string Logger::Format(Severity severity, const LogMessage& msg,
                           std::initializer_list<LogField> fields) const {
  static constexpr char kLetters[] = {'I', 'W', 'E', 'F'};
  const absl::Time now = clock_->Now();
  std::string_view file = msg.location.file_name();
  if (auto slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
  std::string line = StrCat(
      std::string(1, kLetters[static_cast<int>(severity)]),
      absl::FormatTime("%m%d %H:%M:%E6S", now, absl::LocalTimeZone()), " ", ::getpid(), " ", file,
      ":", msg.location.line(), "] ", LogField::Quote(msg.text));
  for (const auto& f : fields) StrAppend(&line, " ", f.key, "=", f.value);
  line.push_back('\n');
  return line;
}

void Logger::Log(Severity severity, const LogMessage& msg,
                 std::initializer_list<LogField> fields) const {
  sink_->Write(Format(severity, msg, fields));
}

void Logger::Info(LogMessage msg, std::initializer_list<LogField> fields) const {
  Log(Severity::kInfo, msg, fields);
}
void Logger::Warning(LogMessage msg, std::initializer_list<LogField> fields) const {
  Log(Severity::kWarning, msg, fields);
}
void Logger::Error(LogMessage msg, std::initializer_list<LogField> fields) const {
  Log(Severity::kError, msg, fields);
}
void Logger::VInfo(int level, LogMessage msg, std::initializer_list<LogField> fields) const {
  if (V(level)) Log(Severity::kInfo, msg, fields);
}

}  // namespace cubelet
