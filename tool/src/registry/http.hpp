// HTTP through libcurl, behind one small RAII class: a request (a body from
// a string, or streamed from a ByteReader of known length: blobs are never
// copied to temporary files), its response (status, headers, a bounded
// body). TLS with the system's CA store plus a registry's own CA and client
// certificate (certs.d, as Docker and podman read it); proxies from the
// environment, as curl reads them.
#pragma once

#include "archive/blob_source.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ocipack::registry {

// How to trust a registry, and which client certificate to show it.
struct Tls {
  bool insecure = false;                        // accept any certificate
  std::vector<std::filesystem::path> ca_files;  // trusted beside the system's CAs
  std::filesystem::path client_cert, client_key;
};

// The certs.d directories Docker and podman read for `host` ("host[:port]"):
// <dir>/<host>/ for each of `certs_d` (/etc/docker/certs.d, ...), then each
// of `cert_dirs` itself (--cert-dir): every *.crt a CA, client.cert and
// client.key a client certificate.
Tls tls_for(const std::string& host, const std::vector<std::filesystem::path>& certs_d,
            const std::vector<std::filesystem::path>& cert_dirs, bool insecure);

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  // A streamed body instead: `body_size` bytes read from `body_reader`.
  archive::ByteReader* body_reader = nullptr;
  std::uint64_t body_size = 0;
  bool follow_redirects = false;
  // A 2xx answer's body goes here as it comes (a blob pulled into the
  // cache), not into Response::body; it may throw Error to stop.
  std::function<void(const char*, std::size_t)> body_sink;
};

// Why a request got no HTTP answer.
enum class Failure { None, Unreachable, Dropped, Certificate, Tls, Other };

struct Response {
  Failure failure = Failure::None;
  std::string error;  // curl's words for a failure
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in order
  std::string body;                                          // at most kMaxBody bytes

  // The first header named `name` (any case), or "".
  std::string header(std::string_view name) const;
  std::vector<std::string> headers_named(std::string_view name) const;
};

inline constexpr std::size_t kMaxBody = 4 << 20;

// One connection cache (a curl easy handle); one per thread.
class Http {
public:
  explicit Http(Tls tls);
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  Response send(const Request& request);

private:
  void* m_curl;
  Tls m_tls;
};

// "a b&c" -> "a%20b%26c": a query parameter's value.
std::string url_encode(std::string_view value);

}  // namespace ocipack::registry
