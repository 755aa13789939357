#include "kuberuntime/termination_message.h"

#include <deque>
#include <fstream>

namespace cubelet::kuberuntime {

std::string ReadTerminationMessageFile(const std::string& host_path) {
  if (host_path.empty()) return "";
  std::ifstream in(host_path, std::ios::binary);
  if (!in) return "";
  std::string out(kMaxTerminationMessageBytes, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

std::string TailCriLog(const std::string& log_path, size_t max_lines, size_t max_bytes) {
  std::ifstream in(log_path);
  if (!in) return "";
  // Whole lines are rebuilt from partial (P) chunks, as the runtime split them.
  std::deque<std::string> lines;
  std::string line, pending;
  while (std::getline(in, line)) {
    size_t a = line.find(' ');
    size_t b = a == std::string::npos ? a : line.find(' ', a + 1);
    size_t c = b == std::string::npos ? b : line.find(' ', b + 1);
    if (c == std::string::npos) continue;
    const std::string tag = line.substr(b + 1, c - b - 1);
    pending += line.substr(c + 1);
    if (tag.find('P') != std::string::npos) continue;
    lines.push_back(pending + "\n");
    pending.clear();
    if (lines.size() > max_lines) lines.pop_front();
  }
  if (!pending.empty()) {
    lines.push_back(pending);  // a last line the process ended without a newline
    if (lines.size() > max_lines) lines.pop_front();
  }
  std::string out;
  for (const auto& l : lines) out += l;
  if (out.size() > max_bytes) out = out.substr(out.size() - max_bytes);
  return out;
}

}  // namespace cubelet::kuberuntime
