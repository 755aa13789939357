#include "http_get.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::probes::internal {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

absl::Status Malformed(std::string_view what) { return absl::UnavailableError(std::string(what)); }

// Reads a response from the connection, buffering what arrived past what was asked for.
class ResponseReader {
 public:
  explicit ResponseReader(DeadlineConn& conn) : conn_(conn) {}

  // The status line and headers, up to and without the empty line that ends them.
  absl::StatusOr<std::string> ReadHead() {
    while (true) {
      const size_t crlf = buf_.find("\r\n\r\n");
      const size_t lf = buf_.find("\n\n");
      const size_t end = std::min(crlf, lf);
      if (end != std::string::npos) {
        std::string head = buf_.substr(0, end);
        buf_.erase(0, end + (end == crlf ? 4 : 2));
        return head;
      }
      if (buf_.size() > kMaxResponseHeadBytes) {
        return Malformed(StrCat("server response headers exceeded ", kMaxResponseHeadBytes, " bytes; aborted"));
      }
      ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) {
        return Malformed(buf_.empty() ? "EOF" : "unexpected EOF while reading the response headers");
      }
    }
  }

  // One line of a chunked body (a chunk size or trailer), bounded like the head.
  absl::StatusOr<std::string> ReadLine() {
    while (true) {
      if (const size_t nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line(Trim(std::string_view(buf_).substr(0, nl)));
        buf_.erase(0, nl + 1);
        return line;
      }
      if (buf_.size() > kMaxResponseHeadBytes) return Malformed("malformed chunked encoding: line too long");
      ASSIGN_OR_RETURN(bool more, Fill());
      if (!more) return Malformed("unexpected EOF");
    }
  }

  // Appends up to `n` bytes to `out`; fewer only at the end of the stream (returned false).
  absl::StatusOr<bool> Read(size_t n, std::string* out) {
    while (n > 0) {
      if (buf_.empty()) {
        ASSIGN_OR_RETURN(bool more, Fill());
        if (!more) return false;
      }
      const size_t take = std::min(n, buf_.size());
      out->append(buf_, 0, take);
      buf_.erase(0, take);
      n -= take;
    }
    return true;
  }

 private:
  // Reads what the peer sent next; false at the end of the stream.
  absl::StatusOr<bool> Fill() {
    ASSIGN_OR_RETURN(std::string data, conn_.ReadSome(kReadChunk));
    if (data.empty()) return false;
    buf_ += data;
    return true;
  }

  DeadlineConn& conn_;
  std::string buf_;
};

struct Head {
  int status_code = 0;
  std::optional<std::string> location;
  std::optional<uint64_t> content_length;
  bool chunked = false;
};

absl::StatusOr<Head> ParseHead(const std::string& text) {
  std::string_view rest = text;
  auto next_line = [&rest]() {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  const std::string_view status_line = next_line();
  const size_t sp = status_line.find(' ');
  if (status_line.substr(0, 5) != "HTTP/" || sp == std::string_view::npos) {
    return Malformed(StrCat("malformed HTTP response \"", status_line.substr(0, 100), "\""));
  }
  const std::string_view code = status_line.substr(sp + 1, 3);
  if (code.size() != 3 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      (status_line.size() > sp + 4 && status_line[sp + 4] != ' ')) {
    return Malformed(StrCat("malformed HTTP status code \"", status_line.substr(sp + 1, 20), "\""));
  }
  Head head;
  head.status_code = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  while (!rest.empty()) {
    const std::string_view line = next_line();
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Malformed(StrCat("malformed MIME header line: ", line.substr(0, 100)));
    const std::string_view name = Trim(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Location") && !head.location) {
      head.location = std::string(value);
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      head.chunked = EqualsIgnoreCase(value, "chunked");
    } else if (EqualsIgnoreCase(name, "Content-Length")) {
      uint64_t n = 0;
      if (value.empty() || value.size() > 18 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Malformed(StrCat("bad Content-Length \"", value.substr(0, 30), "\""));
      }
      for (char c : value) n = n * 10 + static_cast<uint64_t>(c - '0');
      head.content_length = n;
    }
  }
  return head;
}

// Reads the body into `response`, stopping at `cap` bytes: what follows is never read (upstream's
// utilio.ReadAtMost, whose ErrLimitReached the prober logs and ignores).
absl::Status ReadBody(ResponseReader& reader, const Head& head, size_t cap, HttpGetResponse* response) {
  std::string& body = response->body;
  if (head.chunked) {
    while (body.size() < cap) {
      ASSIGN_OR_RETURN(std::string line, reader.ReadLine());
      const std::string_view size_text = Trim(std::string_view(line).substr(0, line.find(';')));
      if (size_text.empty() || size_text.size() > 15 ||
          !std::all_of(size_text.begin(), size_text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; })) {
        return Malformed(StrCat("malformed chunked encoding: bad chunk size \"", size_text.substr(0, 30), "\""));
      }
      uint64_t size = 0;
      for (char c : size_text) size = size * 16 + static_cast<uint64_t>(std::isdigit(c) ? c - '0' : std::tolower(c) - 'a' + 10);
      if (size == 0) return absl::OkStatus();  // trailers, if any, are not needed
      const uint64_t take = std::min<uint64_t>(size, cap - body.size());
      ASSIGN_OR_RETURN(bool complete, reader.Read(take, &body));
      if (!complete) return Malformed("unexpected EOF");
      if (take < size) break;
      ASSIGN_OR_RETURN(std::string end, reader.ReadLine());
      if (!end.empty()) return Malformed("malformed chunked encoding: missing CRLF after a chunk");
    }
  } else if (head.content_length) {
    ASSIGN_OR_RETURN(bool complete, reader.Read(std::min<uint64_t>(*head.content_length, cap), &body));
    if (!complete) return Malformed("unexpected EOF");
  } else {
    // Neither: the body is what comes until the server closes the connection.
    RETURN_IF_ERROR(reader.Read(cap, &body).status());
  }
  response->body_truncated = body.size() >= cap;
  return absl::OkStatus();
}

bool HasNoBody(int code) { return code == 204 || code == 304 || (code >= 100 && code < 200); }

absl::Status Timeout(const absl::Status& s, std::string_view while_what) {
  if (!absl::IsDeadlineExceeded(s)) return s;
  return absl::DeadlineExceededError(StrCat("context deadline exceeded (Client.Timeout ", while_what, ")"));
}

}  // namespace

absl::StatusOr<HttpGetResponse> HttpGet(const HttpGetRequest& request, Deadline deadline, size_t max_body_bytes) {
  constexpr std::string_view kAwaitingHeaders = "exceeded while awaiting headers";
  auto conn = Dial(request.host, request.port, request.tls, deadline);
  if (!conn.ok()) return Timeout(conn.status(), kAwaitingHeaders);
  std::string text = StrCat("GET ", request.path, " HTTP/1.1\r\nHost: ",
                            request.host_header.empty() ? JoinHostPort(request.host, request.port) : request.host_header,
                            "\r\n");
  for (const auto& [name, value] : request.headers) StrAppend(&text, name, ": ", value, "\r\n");
  text += "Connection: close\r\n\r\n";  // keep-alives are off, as upstream's probe transport
  if (absl::Status s = (*conn)->WriteAll(text); !s.ok()) return Timeout(s, kAwaitingHeaders);

  ResponseReader reader(**conn);
  Head head;
  while (true) {
    absl::StatusOr<std::string> text_head = reader.ReadHead();
    if (!text_head.ok()) return Timeout(text_head.status(), kAwaitingHeaders);
    ASSIGN_OR_RETURN(head, ParseHead(*text_head));
    // Informational answers (100 Continue, 103 Early Hints) precede the real one.
    if (head.status_code >= 200 || head.status_code == 101) break;
  }
  HttpGetResponse response;
  response.status_code = head.status_code;
  response.location = head.location;
  if (!HasNoBody(head.status_code)) {
    absl::Status s = ReadBody(reader, head, max_body_bytes, &response);
    if (!s.ok()) return Timeout(s, "or context cancellation while reading body");
  }
  return response;
}

}  // namespace cubelet::probes::internal
