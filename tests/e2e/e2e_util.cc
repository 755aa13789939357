#include "e2e/e2e_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "common/strings.h"
#include "json/parse.h"

namespace cubelet::testing {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string Unquote(std::string v) {
  v = Trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  return v;
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

}  // namespace

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json::Value ParseJsonOrFail(const std::string& text) {
  auto parsed = json::Parse(text);
  if (!parsed.ok()) {
    ADD_FAILURE() << "not JSON (" << parsed.status().message() << "):\n" << text.substr(0, 4000);
    return json::Value();
  }
  return *std::move(parsed);
}

std::vector<std::string> SplitJsonStream(const std::string& text) {
  std::vector<std::string> values;
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (depth++ == 0) start = i;
    } else if ((c == '}' || c == ']') && depth > 0) {
      if (--depth == 0) values.push_back(text.substr(start, i - start + 1));
    }
  }
  return values;
}

const std::map<std::string, std::string>* KubectlTable::Find(const std::string& value,
                                                             const std::string& column) const {
  for (const auto& row : rows) {
    auto it = row.find(column);
    if (it != row.end() && it->second == value) return &row;
  }
  return nullptr;
}

KubectlTable ParseKubectlTable(const std::string& out) {
  KubectlTable table;
  std::vector<std::string> lines = Lines(out);
  size_t header = 0;
  while (header < lines.size() && Trim(lines[header]).empty()) ++header;
  if (header == lines.size()) return table;
  const std::string& h = lines[header];
  std::vector<size_t> offsets;
  size_t i = 0;
  while (i < h.size()) {
    while (i < h.size() && h[i] == ' ') ++i;
    if (i >= h.size()) break;
    size_t start = i;
    // A column name ends at two spaces in a row (or the line's end).
    while (i < h.size() && !(h[i] == ' ' && (i + 1 >= h.size() || h[i + 1] == ' '))) ++i;
    offsets.push_back(start);
    table.columns.push_back(h.substr(start, i - start));
  }
  for (size_t l = header + 1; l < lines.size(); ++l) {
    const std::string& line = lines[l];
    if (Trim(line).empty()) continue;
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < offsets.size(); ++c) {
      size_t b = offsets[c];
      size_t e = c + 1 < offsets.size() ? offsets[c + 1] : std::string::npos;
      row[table.columns[c]] = b < line.size() ? Trim(line.substr(b, e == std::string::npos ? e : e - b)) : "";
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

bool Eventually(const std::function<bool()>& pred, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string HttpResponse::Describe() const {
  return StrCat("HTTP ", code, curl_error.empty() ? "" : StrCat(" (curl: ", curl_error, ")"), "\n", headers,
                body.substr(0, 4000));
}

json::Value HttpResponse::Json() const {
  auto parsed = json::Parse(body);
  return parsed.ok() ? *std::move(parsed) : json::Value();
}

std::string KubeconfigValue(const std::string& contents, const std::string& key) {
  for (const std::string& line : Lines(contents)) {
    std::string t = Trim(line);
    if (t.rfind("- ", 0) == 0) t = Trim(t.substr(2));
    if (t.rfind(key + ":", 0) == 0) return Unquote(t.substr(key.size() + 1));
  }
  return "";
}

HttpsClient HttpsClient::FromKubeconfig(const std::string& kubeconfig, const std::string& dir) {
  static std::atomic<int> counter{0};
  HttpsClient c;
  c.dir_ = dir;
  std::string contents = ReadFileOrEmpty(kubeconfig);
  c.server_ = KubeconfigValue(contents, "server");
  std::string ca, cert, key;
  if (!absl::Base64Unescape(KubeconfigValue(contents, "certificate-authority-data"), &ca)) {
    ADD_FAILURE() << "no CA in " << kubeconfig;
  }
  absl::Base64Unescape(KubeconfigValue(contents, "client-certificate-data"), &cert);
  absl::Base64Unescape(KubeconfigValue(contents, "client-key-data"), &key);
  int n = counter++;
  c.ca_file_ = StrCat(dir, "/ca-", n, ".crt");
  WriteFile(c.ca_file_, ca);
  if (!cert.empty()) {
    c.cert_file_ = StrCat(dir, "/client-", n, ".crt");
    c.key_file_ = StrCat(dir, "/client-", n, ".key");
    WriteFile(c.cert_file_, cert);
    WriteFile(c.key_file_, key);
  }
  return c;
}

HttpsClient HttpsClient::WithoutCredentials() const {
  HttpsClient c = *this;
  c.cert_file_.clear();
  c.key_file_.clear();
  c.token_.clear();
  return c;
}

HttpsClient HttpsClient::WithToken(const std::string& token) const {
  HttpsClient c = WithoutCredentials();
  c.token_ = token;
  return c;
}

HttpResponse HttpsClient::Request(const std::string& method, const std::string& path, const std::string& body,
                                  const std::string& content_type,
                                  const std::vector<std::string>& extra_headers) const {
  static std::atomic<int> counter{0};
  int n = counter++;
  std::string header_file = StrCat(dir_, "/resp-", n, ".headers");
  std::string body_file = StrCat(dir_, "/resp-", n, ".body");
  std::vector<std::string> argv = {"/usr/bin/curl", "-sS",      "--max-time", "60",       "--cacert", ca_file_,
                                   "-X",            method,     "-D",         header_file, "-o",       body_file,
                                   "-w",            "%{http_code}", "-H",     "Accept: application/json"};
  if (!cert_file_.empty()) argv.insert(argv.end(), {"--cert", cert_file_, "--key", key_file_});
  if (!token_.empty()) argv.insert(argv.end(), {"-H", StrCat("Authorization: Bearer ", token_)});
  for (const std::string& h : extra_headers) argv.insert(argv.end(), {"-H", h});
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    argv.insert(argv.end(), {"-H", StrCat("Content-Type: ", content_type), "--data-binary", "@-"});
  }
  argv.push_back(server_ + path);
  CommandResult r = RunCommand(argv, {}, body, 90);
  HttpResponse resp;
  resp.code = std::atoi(Trim(r.out).c_str());
  resp.body = ReadFileOrEmpty(body_file);
  resp.headers = ReadFileOrEmpty(header_file);
  if (r.exit_code != 0) resp.curl_error = StrCat("exit ", r.exit_code, ": ", Trim(r.err));
  std::error_code ec;
  std::filesystem::remove(header_file, ec);
  std::filesystem::remove(body_file, ec);
  return resp;
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env, const std::string& dir) {
  static std::atomic<int> counter{0};
  int n = counter++;
  out_path_ = StrCat(dir, "/bg-", n, ".out");
  err_path_ = StrCat(dir, "/bg-", n, ".err");
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ExecInCleanEnvironment(argv, env);
  }
  // Also from the parent, so a kill right after fork reaches the group.
  if (pid_ > 0) ::setpgid(pid_, pid_);
}

BackgroundCommand::~BackgroundCommand() {
  if (!exited_) Stop();
}

std::string BackgroundCommand::Output() const { return ReadFileOrEmpty(out_path_); }
std::string BackgroundCommand::Errors() const { return ReadFileOrEmpty(err_path_); }

bool BackgroundCommand::WaitForOutput(const std::function<bool(const std::string&)>& pred, int seconds) const {
  return Eventually([&] { return pred(Output()); }, seconds);
}

bool BackgroundCommand::Exited(int seconds) {
  if (exited_) return true;
  if (pid_ <= 0) return true;
  return Eventually(
      [&] {
        int status = 0;
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
          exited_ = true;
          exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        return exited_;
      },
      seconds);
}

int BackgroundCommand::Stop() {
  if (exited_ || pid_ <= 0) return exit_code_;
  ::kill(-pid_, SIGTERM);
  if (!Exited(5)) {
    ::kill(-pid_, SIGKILL);
    Exited(10);
  }
  // Children of the dispatcher that ignored SIGTERM.
  ::kill(-pid_, SIGKILL);
  return exit_code_;
}

std::string WriteTokenKubeconfig(const std::string& kubeconfig, const std::string& token, const TempDir& dir,
                                 const std::string& name) {
  std::string contents = ReadFileOrEmpty(kubeconfig);
  std::string text = StrCat(
      "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: ",
      KubeconfigValue(contents, "certificate-authority-data"), "\n    server: ", KubeconfigValue(contents, "server"),
      "\n  name: c\ncontexts:\n- context:\n    cluster: c\n    user: u\n  name: ctx\ncurrent-context: ctx\n",
      "users:\n- name: u\n  user:\n    token: ", token, "\n");
  return dir.Write(name, text);
}

json::Value KubectlJson(const ServerFixture& server, const std::vector<std::string>& args) {
  std::vector<std::string> a = args;
  a.insert(a.end(), {"-o", "json"});
  CommandResult r = server.Kubectl(a);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "kubectl " << a.front() << " failed: " << r.Describe();
    return json::Value();
  }
  return ParseJsonOrFail(r.out);
}

std::string KubectlJsonpath(const ServerFixture& server, const std::vector<std::string>& args,
                            const std::string& jsonpath) {
  std::vector<std::string> a = args;
  a.insert(a.end(), {"-o", StrCat("jsonpath=", jsonpath)});
  CommandResult r = server.Kubectl(a);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "kubectl failed: " << r.Describe();
    return "";
  }
  return r.out;
}

}  // namespace cubelet::testing
