#include "registry/http.hpp"

#include "util/error.hpp"
#include "util/escape.hpp"

#include <curl/curl.h>
#include <dlfcn.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <system_error>

namespace fs = std::filesystem;

namespace ocipack::registry {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

// libcurl is loaded when the first request is made, not when ocipack
// starts: Debian's libcurl brings 30 libraries of its own (Kerberos, LDAP,
// GnuTLS through librtmp, ...) whose loading cost 5 ms of every start, and
// only push and pull speak HTTP.
struct Curl {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_reset) easy_reset;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

constexpr const char* kLibcurl = "libcurl.so.4";  // libcurl's soname since 7.16 (2006)

template <typename F>
void bind(void* library, F& function, const char* name) {
  function = reinterpret_cast<F>(dlsym(library, name));
  if (function == nullptr)
    throw Error(std::string(kLibcurl) + " has no " + name + ": install libcurl4 (apt-get install libcurl4)");
}

Curl load_curl() {
  void* library = dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    throw Error(std::string("cannot load ") + kLibcurl + " (" + (why ? why : "not found") +
                "): it speaks HTTP to registries; install it (apt-get install libcurl4)");
  }
  Curl c{};
  bind(library, c.global_init, "curl_global_init");
  bind(library, c.easy_init, "curl_easy_init");
  bind(library, c.easy_cleanup, "curl_easy_cleanup");
  bind(library, c.easy_reset, "curl_easy_reset");
  bind(library, c.easy_setopt, "curl_easy_setopt");
  bind(library, c.easy_perform, "curl_easy_perform");
  bind(library, c.easy_getinfo, "curl_easy_getinfo");
  bind(library, c.easy_strerror, "curl_easy_strerror");
  bind(library, c.slist_append, "curl_slist_append");
  bind(library, c.slist_free_all, "curl_slist_free_all");
  if (c.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error("cannot initialize libcurl");
  return c;  // never unloaded: its handles live until exit
}

// libcurl, loaded and initialized once (thread-safe: a function-local static).
const Curl& curl() {
  static const Curl loaded = load_curl();
  return loaded;
}

struct Call {
  const Request* request;
  Response* response;
  std::uint64_t sent = 0;
  long status = 0;         // of the response whose headers came last
  std::string read_error;  // the body reader's or sink's Error, rethrown after curl returns
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  Call& call = *static_cast<Call*>(user);
  Response& r = *call.response;
  const std::size_t len = size * n;
  if (call.request->body_sink && call.status / 100 == 2) {
    try {
      call.request->body_sink(data, len);
    } catch (const Error& e) {
      call.read_error = e.what();
      return 0;  // curl stops: CURLE_WRITE_ERROR
    }
    return len;
  }
  if (r.body.size() < kMaxBody) r.body.append(data, std::min(len, kMaxBody - r.body.size()));
  return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  Call& call = *static_cast<Call*>(user);
  Response& r = *call.response;
  const std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    r.headers.clear();  // a new response (a redirect followed, 100 Continue)
    const auto space = line.find(' ');
    call.status = space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    r.headers.emplace_back(lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
  }
  return size * n;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t n, void* user) {
  Call& call = *static_cast<Call*>(user);
  const std::uint64_t left = call.request->body_size - call.sent;
  if (left == 0) return 0;
  try {
    const std::size_t got =
        call.request->body_reader->read(buffer, static_cast<std::size_t>(std::min<std::uint64_t>(size * n, left)));
    if (got == 0) throw Error("the blob ended " + std::to_string(left) + " bytes early");
    call.sent += got;
    return got;
  } catch (const Error& e) {
    call.read_error = e.what();
    return CURL_READFUNC_ABORT;
  }
}

// Adds the registry's own CAs to the store that holds the system's.
CURLcode add_cas(CURL*, void* ssl_ctx, void* user) {
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
  for (const auto& file : static_cast<const Tls*>(user)->ca_files) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(file.c_str(), "r"), BIO_free);
    if (!bio) return CURLE_SSL_CACERT_BADFILE;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, cert);  // a certificate already there is no error worth stopping for
      X509_free(cert);
    }
  }
  return CURLE_OK;
}

Failure failure_of(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT: return Failure::Unreachable;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return Failure::Dropped;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE: return Failure::Certificate;
    case CURLE_SSL_CONNECT_ERROR: return Failure::Tls;
    default: return Failure::Other;
  }
}

template <typename T>
void set(CURL* handle, CURLoption option, T value) {
  if (curl().easy_setopt(handle, option, value) != CURLE_OK) throw Error("libcurl refused an option");
}

}  // namespace

Tls tls_for(const std::string& host, const std::vector<fs::path>& certs_d, const std::vector<fs::path>& cert_dirs,
            bool insecure) {
  Tls tls;
  tls.insecure = insecure;
  std::vector<fs::path> dirs;
  for (const auto& d : certs_d) dirs.push_back(d / host);
  dirs.insert(dirs.end(), cert_dirs.begin(), cert_dirs.end());
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<fs::path> cas;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".crt") cas.push_back(e.path());
    }
    std::sort(cas.begin(), cas.end());
    tls.ca_files.insert(tls.ca_files.end(), cas.begin(), cas.end());
    if (tls.client_cert.empty() && fs::exists(dir / "client.cert", ec) && fs::exists(dir / "client.key", ec)) {
      tls.client_cert = dir / "client.cert";
      tls.client_key = dir / "client.key";
    }
  }
  return tls;
}

std::string Response::header(std::string_view name) const {
  const std::string key = lower(name);
  for (const auto& [k, v] : headers) {
    if (k == key) return v;
  }
  return {};
}

std::vector<std::string> Response::headers_named(std::string_view name) const {
  const std::string key = lower(name);
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (k == key) out.push_back(v);
  }
  return out;
}

Http::Http(Tls tls) : m_curl(nullptr), m_tls(std::move(tls)) {
  m_curl = curl().easy_init();
  if (m_curl == nullptr) throw Error("cannot create a libcurl handle");
}

Http::~Http() { curl().easy_cleanup(static_cast<CURL*>(m_curl)); }

Response Http::send(const Request& request) {
  CURL* handle = static_cast<CURL*>(m_curl);
  curl().easy_reset(handle);
  Response response;
  Call call{&request, &response, 0, 0, {}};
  set(handle, CURLOPT_URL, request.url.c_str());
  set(handle, CURLOPT_NOSIGNAL, 1L);
  set(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  set(handle, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  set(handle, CURLOPT_MAXREDIRS, 5L);
  set(handle, CURLOPT_USERAGENT, "ocipack");
  // Bounded waits: a registry that stops answering fails the step, to be retried.
  set(handle, CURLOPT_CONNECTTIMEOUT, 30L);
  set(handle, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  set(handle, CURLOPT_LOW_SPEED_TIME, 60L);
  set(handle, CURLOPT_WRITEFUNCTION, on_body);
  set(handle, CURLOPT_WRITEDATA, &call);
  set(handle, CURLOPT_HEADERFUNCTION, on_header);
  set(handle, CURLOPT_HEADERDATA, &call);
  if (m_tls.insecure) {
    set(handle, CURLOPT_SSL_VERIFYPEER, 0L);
    set(handle, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!m_tls.ca_files.empty()) {
    set(handle, CURLOPT_SSL_CTX_FUNCTION, add_cas);
    set(handle, CURLOPT_SSL_CTX_DATA, &m_tls);
  }
  if (!m_tls.client_cert.empty()) {
    set(handle, CURLOPT_SSLCERT, m_tls.client_cert.c_str());
    set(handle, CURLOPT_SSLKEY, m_tls.client_key.c_str());
  }

  if (request.method == "HEAD") {
    set(handle, CURLOPT_NOBODY, 1L);
  } else if (request.body_reader != nullptr) {
    set(handle, CURLOPT_UPLOAD, 1L);
    set(handle, CURLOPT_READFUNCTION, on_read);
    set(handle, CURLOPT_READDATA, &call);
    set(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_size));
    set(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method != "GET") {
    set(handle, CURLOPT_POSTFIELDS, request.body.data());
    set(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl_slist* headers = nullptr;
  // No "Expect: 100-continue" wait before a body: registries answer at once.
  std::vector<std::string> lines = request.headers;
  lines.push_back("Expect:");
  if (request.method != "GET" && request.method != "HEAD" && request.body_reader == nullptr &&
      std::none_of(lines.begin(), lines.end(),
                   [](const std::string& h) { return lower(h).rfind("content-type:", 0) == 0; })) {
    lines.push_back("Content-Type:");  // not curl's default of a form
  }
  for (const auto& h : lines) headers = curl().slist_append(headers, h.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl().slist_free_all);
  set(handle, CURLOPT_HTTPHEADER, headers);

  char detail[CURL_ERROR_SIZE] = "";
  set(handle, CURLOPT_ERRORBUFFER, detail);
  const CURLcode code = curl().easy_perform(handle);
  if (!call.read_error.empty()) throw Error(call.read_error);
  if (code != CURLE_OK) {
    response.failure = failure_of(code);
    // curl's detail ("unable to get local issuer certificate") names no credential.
    response.error = *detail != '\0' ? detail : curl().easy_strerror(code);
    return response;
  }
  curl().easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::string url_encode(std::string_view value) {
  // RFC 3986's unreserved characters stay, every other byte is %XX.
  return util::escape_bytes(
      value, [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; }, '%');
}

}  // namespace ocipack::registry
