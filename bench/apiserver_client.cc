#include "apiserver_client.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <exception>
#include <fstream>
#include <sstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/strings.h"

namespace cubelet::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

absl::Status Failed(std::string_view what, const boost::system::error_code& ec) {
  return absl::UnavailableError(StrCat(what, ": ", ec.message()));
}

absl::StatusOr<std::string> DecodeBase64(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return absl::InvalidArgumentError("invalid base64");
  out.resize(static_cast<size_t>(n));
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  out.resize(out.size() - std::min(padding, out.size()));
  return out;
}

// The value of `key: value` on the first line that has it, quotes removed.
std::string Field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t at = line.find(key + ":");
    if (at == std::string::npos) continue;
    std::string value = line.substr(at + key.size() + 1);
    value.erase(0, value.find_first_not_of(" \t\""));
    value.erase(value.find_last_not_of(" \t\"\r") + 1);
    return value;
  }
  return "";
}

http::verb Verb(const std::string& method) {
  if (method == "POST") return http::verb::post;
  if (method == "PUT") return http::verb::put;
  if (method == "PATCH") return http::verb::patch;
  if (method == "DELETE") return http::verb::delete_;
  return http::verb::get;
}

}  // namespace

absl::StatusOr<Credentials> ReadKubeconfigCredentials(const std::string& path) {
  std::ifstream f(path);
  if (!f) return absl::NotFoundError(StrCat("cannot read ", path));
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  Credentials c;
  struct {
    const char* key;
    std::string* out;
  } fields[] = {{"certificate-authority-data", &c.ca_pem},
                {"client-certificate-data", &c.cert_pem},
                {"client-key-data", &c.key_pem}};
  for (auto& [key, out] : fields) {
    std::string encoded = Field(text, key);
    if (encoded.empty()) return absl::NotFoundError(StrCat(path, " has no ", key));
    absl::StatusOr<std::string> decoded = DecodeBase64(encoded);
    if (!decoded.ok()) return absl::InvalidArgumentError(StrCat(path, ": ", key, ": ", decoded.status().message()));
    *out = std::move(*decoded);
  }
  return c;
}

ClientLoop::ClientLoop() : tls_(asio::ssl::context::tls_client), work_(asio::make_work_guard(io_)) {}

absl::StatusOr<std::unique_ptr<ClientLoop>> ClientLoop::Create(const Credentials& credentials) {
  std::unique_ptr<ClientLoop> loop(new ClientLoop());
  boost::system::error_code ec;
  loop->tls_.add_certificate_authority(asio::buffer(credentials.ca_pem), ec);
  if (ec) return Failed("load the CA certificate", ec);
  loop->tls_.use_certificate_chain(asio::buffer(credentials.cert_pem), ec);
  if (ec) return Failed("load the client certificate", ec);
  loop->tls_.use_private_key(asio::buffer(credentials.key_pem), asio::ssl::context::pem, ec);
  if (ec) return Failed("load the client key", ec);
  loop->tls_.set_verify_mode(asio::ssl::verify_peer, ec);
  if (ec) return Failed("set verify mode", ec);
  loop->thread_ = std::thread([l = loop.get()] {
    l->tid_ = static_cast<pid_t>(::gettid());
    l->io_.run();
  });
  while (loop->tid_ == 0) std::this_thread::yield();
  return loop;
}

ClientLoop::~ClientLoop() {
  work_.reset();
  io_.stop();
  thread_.join();
}

void ClientLoop::Spawn(std::function<asio::awaitable<void>()> coroutine, std::function<void(absl::Status)> done) {
  asio::co_spawn(io_, std::move(coroutine), [done = std::move(done)](std::exception_ptr e) {
    absl::Status status;
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        status = absl::InternalError(StrCat("client coroutine threw: ", ex.what()));
      } catch (...) {
        status = absl::InternalError("client coroutine threw");
      }
    }
    if (done) done(status);
  });
}

HttpsConnection::HttpsConnection(ClientLoop& loop, int port) : port_(port), stream_(loop.io(), loop.tls()) {}

asio::awaitable<absl::Status> HttpsConnection::Connect() {
  tcp::endpoint server(asio::ip::make_address_v4("127.0.0.1"), static_cast<uint16_t>(port_));
  auto [connect_ec] = co_await stream_.next_layer().async_connect(server, kNoThrow);
  if (connect_ec) co_return Failed("connect", connect_ec);
  boost::system::error_code ec;
  stream_.next_layer().set_option(tcp::no_delay(true), ec);
  auto [handshake_ec] = co_await stream_.async_handshake(asio::ssl::stream_base::client, kNoThrow);
  if (handshake_ec) co_return Failed("TLS handshake", handshake_ec);
  co_return absl::OkStatus();
}

http::request<http::string_body> HttpsConnection::MakeRequest(const HttpRequest& request) const {
  http::request<http::string_body> req{Verb(request.method), request.target, 11};
  req.set(http::field::host, StrCat("127.0.0.1:", port_));
  req.set(http::field::user_agent, "cubelet-apiserver-bench");
  req.set(http::field::accept, request.accept);
  if (!request.body.empty() || req.method() != http::verb::get) {
    req.set(http::field::content_type, request.content_type);
    req.body() = request.body;
  }
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

asio::awaitable<absl::StatusOr<HttpResult>> HttpsConnection::Send(const HttpRequest& request) {
  http::request<http::string_body> req = MakeRequest(request);
  auto [write_ec, written] = co_await http::async_write(stream_, req, kNoThrow);
  if (write_ec) co_return Failed(StrCat("write ", request.method, " ", request.target), write_ec);
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 31);  // a list of 10,000 pods is tens of megabytes
  auto [read_ec, read] = co_await http::async_read(stream_, buffer_, parser, kNoThrow);
  if (read_ec) co_return Failed(StrCat("read the response to ", request.method, " ", request.target), read_ec);
  http::response<http::string_body> res = parser.release();
  co_return HttpResult{.status = static_cast<int>(res.result_int()), .body = std::move(res.body())};
}

asio::awaitable<absl::Status> HttpsConnection::Stream(const HttpRequest& request,
                                                      const std::function<void(int)>& on_head,
                                                      const std::function<void(std::string_view)>& on_line) {
  http::request<http::string_body> req = MakeRequest(request);
  auto [write_ec, written] = co_await http::async_write(stream_, req, kNoThrow);
  if (write_ec) co_return Failed(StrCat("write ", request.target), write_ec);
  http::response_parser<http::empty_body> parser;
  parser.body_limit(boost::none);
  auto [head_ec, head_bytes] = co_await http::async_read_header(stream_, buffer_, parser, kNoThrow);
  if (head_ec) co_return Failed(StrCat("read the head of ", request.target), head_ec);
  const int status = static_cast<int>(parser.get().result_int());
  on_head(status);
  if (status != 200) co_return absl::UnavailableError(StrCat(request.target, ": status ", status));
  // Chunk boundaries need not be line boundaries: complete lines are handed on, the rest waits.
  std::string pending;
  auto on_chunk = [&](std::uint64_t, std::string_view data, boost::system::error_code&) -> std::size_t {
    pending.append(data);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (nl > start) on_line(std::string_view(pending).substr(start, nl - start));
    }
    pending.erase(0, start);
    return data.size();
  };
  parser.on_chunk_body(on_chunk);
  while (!parser.is_done()) {
    auto [ec, n] = co_await http::async_read_some(stream_, buffer_, parser, kNoThrow);
    if (ec) co_return Failed(StrCat("read the stream of ", request.target), ec);
  }
  co_return absl::OkStatus();
}

void HttpsConnection::Close() {
  boost::system::error_code ec;
  stream_.next_layer().shutdown(tcp::socket::shutdown_both, ec);
  stream_.next_layer().close(ec);
}

}  // namespace cubelet::bench
