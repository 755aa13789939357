// Owns: what the e2e tests share beyond ServerFixture: reading kubectl's tables and JSON,
// polling with a deadline, raw HTTPS requests through curl (admin or node client certificate
// taken from a kubeconfig, a bearer token, or no credentials at all), long-running clients
// (kubectl get -w) in the background.
// Does not own: starting the server or running one-shot clients (server_fixture.h).
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "e2e/server_fixture.h"
#include "json/value.h"

namespace cubelet::testing {

// Parses JSON text; on failure records a test failure (with the text) and answers null.
json::Value ParseJsonOrFail(const std::string& text);

// Splits a stream of concatenated JSON values (kubectl get -w -o json prints one pretty-printed
// object per event) into the values' texts.
std::vector<std::string> SplitJsonStream(const std::string& text);

// kubectl's human-readable table: the header's column names (split at runs of 2+ spaces, so
// "NOMINATED NODE" stays one column) and each row's cells, cut at the header's column offsets.
struct KubectlTable {
  std::vector<std::string> columns;
  std::vector<std::map<std::string, std::string>> rows;
  // The first row whose `column` equals `value`, or nullptr.
  const std::map<std::string, std::string>* Find(const std::string& value, const std::string& column = "NAME") const;
};
KubectlTable ParseKubectlTable(const std::string& out);

// Polls `pred` every 100 ms until it holds (true) or `seconds` pass (false).
bool Eventually(const std::function<bool()>& pred, int seconds = 30);

struct HttpResponse {
  int code = 0;  // 0 when curl got no HTTP answer at all
  std::string body;
  std::string headers;  // the raw header block
  std::string curl_error;
  std::string Describe() const;
  json::Value Json() const;  // the body as JSON (null when it is not)
};

// Raw HTTPS requests to a cubelet-server through /usr/bin/curl, verifying the server with the
// cluster CA from the kubeconfig.
class HttpsClient {
 public:
  // Server, CA and client certificate/key of the kubeconfig's (only) user; the PEM files are
  // written into `dir`.
  static HttpsClient FromKubeconfig(const std::string& kubeconfig, const std::string& dir);

  // The same server and CA with no client certificate, optionally a bearer token.
  HttpsClient WithoutCredentials() const;
  HttpsClient WithToken(const std::string& token) const;

  HttpResponse Request(const std::string& method, const std::string& path, const std::string& body = "",
                       const std::string& content_type = "application/json",
                       const std::vector<std::string>& extra_headers = {}) const;
  HttpResponse Get(const std::string& path) const { return Request("GET", path); }

  const std::string& server() const { return server_; }
  const std::string& ca_file() const { return ca_file_; }

 private:
  std::string dir_;
  std::string server_;
  std::string ca_file_;
  std::string cert_file_;
  std::string key_file_;
  std::string token_;
};

// A long-running client (kubectl get -w) in its own process group, stdout and stderr going to
// files that can be read while it runs. The destructor kills the group.
class BackgroundCommand {
 public:
  BackgroundCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                    const std::string& dir);
  ~BackgroundCommand();
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;

  std::string Output() const;
  std::string Errors() const;
  // Polls the output until `pred` holds; false after `seconds`.
  bool WaitForOutput(const std::function<bool(const std::string&)>& pred, int seconds = 30) const;
  // True once the process has exited (reaps it); `exit_code` then holds its code.
  bool Exited(int seconds = 0);
  // SIGTERM to the group, then SIGKILL after 5 s; returns the exit code (128+signal).
  int Stop();
  int exit_code() const { return exit_code_; }

 private:
  std::string out_path_;
  std::string err_path_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  bool exited_ = false;
};

// A kubeconfig for the same server and CA as `kubeconfig`, authenticating with `token`.
std::string WriteTokenKubeconfig(const std::string& kubeconfig, const std::string& token, const TempDir& dir,
                                 const std::string& name);

// The value of a top-level-looking "key: value" line of a kubeconfig (first occurrence), unquoted.
std::string KubeconfigValue(const std::string& contents, const std::string& key);

std::string ReadFileOrEmpty(const std::string& path);

// Convenience for kubectl -o json / -o jsonpath results.
json::Value KubectlJson(const ServerFixture& server, const std::vector<std::string>& args);
std::string KubectlJsonpath(const ServerFixture& server, const std::vector<std::string>& args,
                            const std::string& jsonpath);

}  // namespace cubelet::testing
