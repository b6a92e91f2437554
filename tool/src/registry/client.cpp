#include "registry/client.hpp"

#include "util/error.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <thread>

using nlohmann::json;

namespace ocipack::registry {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string push_scope(const std::string& repo) { return "repository:" + repo + ":pull,push"; }
std::string pull_scope(const std::string& repo) { return "repository:" + repo + ":pull"; }

// "?" or "&": how one more query parameter joins `url`.
char joiner(const std::string& url) { return url.find('?') == std::string::npos ? '?' : '&'; }

const char* const kAcceptManifests =
    "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

// The registry's error codes ({"errors":[{"code":..., "message":...}]}), "CODE: message; ...".
std::string registry_errors(const Response& r, std::vector<std::string>& codes) {
  json j = json::parse(r.body, nullptr, false);
  std::string out;
  if (j.is_object() && j.contains("errors") && j["errors"].is_array()) {
    for (const auto& e : j["errors"]) {
      if (!e.is_object()) continue;
      const std::string code = e.value("code", "");
      codes.push_back(code);
      out +=
          (out.empty() ? "" : "; ") + code +
          (e.contains("message") && e["message"].is_string() ? ": " + e["message"].get<std::string>() : std::string());
    }
  }
  return printable(out.substr(0, 300));
}

// A 401 that says the token was good but grants too little: denied, not unauthorized.
bool insufficient_scope(const Response& r) {
  if (r.status != 401) return false;
  for (const auto& c : parse_challenges(r.header("www-authenticate"))) {
    auto it = c.params.find("error");
    if (it != c.params.end() && it->second == "insufficient_scope") return true;
  }
  return false;
}

bool has(const std::vector<std::string>& codes, const char* code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace

std::vector<Challenge> parse_challenges(std::string_view s) {
  std::vector<Challenge> out;
  std::size_t i = 0;
  const auto skip = [&](const char* chars) {
    while (i < s.size() && std::strchr(chars, s[i]) != nullptr) ++i;
  };
  const auto token = [&] {
    const std::size_t start = i;
    while (i < s.size() && std::strchr(" \t,=\"", s[i]) == nullptr) ++i;
    return std::string(s.substr(start, i - start));
  };
  while (i < s.size()) {
    skip(" \t,");
    Challenge c;
    c.scheme = lower(token());
    if (c.scheme.empty()) {
      if (i < s.size()) ++i;  // a stray '=' or '"'
      continue;
    }
    for (;;) {
      const std::size_t save = i;
      skip(" \t,");
      const std::string name = lower(token());
      skip(" \t");
      if (name.empty() || i >= s.size() || s[i] != '=') {
        i = save;  // the next challenge's scheme
        break;
      }
      ++i;
      skip(" \t");
      std::string value;
      if (i < s.size() && s[i] == '"') {
        for (++i; i < s.size() && s[i] != '"'; ++i) {
          if (s[i] == '\\' && i + 1 < s.size()) ++i;
          value += s[i];
        }
        ++i;
      } else {
        value = token();
      }
      c.params[name] = value;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string resolve_location(const std::string& request_url, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  const std::size_t scheme_end = request_url.find("://");
  const std::size_t path_start = request_url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  const std::string origin = request_url.substr(0, path_start);
  if (location.rfind("//", 0) == 0) return request_url.substr(0, scheme_end + 1) + location;
  if (location.rfind('/', 0) == 0) return origin + location;
  const std::string path = request_url.substr(0, request_url.find('?'));
  return path.substr(0, path.rfind('/') + 1) + location;
}

bool retryable(const Response& r) {
  if (r.failure == Failure::Dropped || r.failure == Failure::Unreachable) return true;
  if (r.failure != Failure::None) return false;
  return r.status == 408 || r.status == 429 || (r.status >= 500 && r.status <= 599);
}

std::chrono::milliseconds backoff(int retry) { return std::chrono::milliseconds(500) * (1 << std::min(retry, 4)); }

bool is_loopback(const std::string& host) {
  const std::string name = host.substr(0, host.rfind(':'));
  const bool ipv4 = std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(c) || c == '.'; });
  return name == "localhost" || (ipv4 && name.rfind("127.", 0) == 0);
}

ClientOptions client_options(const Access& access, const std::string& host) {
  ClientOptions o;
  o.host = host;
  o.credential = find_credential(access.credentials, host);
  o.tls = tls_for(host, access.certs_d, access.cert_dirs, access.insecure);
  o.warn = access.warn;
  return o;
}

Client::Client(ClientOptions options) : Client(std::move(options), std::string(), Auth{}) {}

Client::Client(ClientOptions options, std::string base, Auth auth)
    : m_options(std::move(options)),
      m_base(std::move(base)),
      m_auth(std::move(auth)),
      m_http(std::make_unique<Http>(m_options.tls)) {}

Client Client::fork() const { return Client(m_options, m_base, m_auth); }

std::string Client::url(const std::string& repo, const std::string& rest) const {
  return m_base + "/v2/" + repo + "/" + rest;
}

Response Client::with_retries(const std::function<Response()>& attempt) {
  for (int retry = 0;; ++retry) {
    Response r = attempt();
    if (!retryable(r) || retry + 1 >= kMaxAttempts) return r;
    std::this_thread::sleep_for(backoff(retry));
  }
}

void Client::ping() {
  const std::string& host = m_options.host;
  // Docker's rule: loopback registries may speak plain HTTP, others only
  // when insecure (and then HTTPS first). On loopback plain HTTP is asked
  // first: it costs one local round trip, where a TLS attempt first loads
  // the system's CA store (about 50 ms, most of a re-push); a TLS registry
  // answers it 400 (Go: "Client sent an HTTP request to an HTTPS server")
  // before any credential is sent, and is then asked over HTTPS.
  const bool loopback = is_loopback(host);
  std::vector<std::string> schemes{"https"};
  if (loopback) {
    schemes.insert(schemes.begin(), "http");
  } else if (m_options.tls.insecure) {
    schemes.push_back("http");
  }
  Response r;
  for (const auto& scheme : schemes) {
    // Docker Hub's registry API is not served at docker.io itself.
    m_base = scheme + "://" + (host == "docker.io" ? "registry-1.docker.io" : host);
    Request ping;
    ping.url = m_base + "/v2/";
    r = with_retries([&] { return m_http->send(ping); });
    const bool http_refused = scheme == "http" && (r.failure != Failure::None || r.status == 400);
    const bool tls_failed = scheme == "https" && r.failure == Failure::Tls;  // maybe plain HTTP
    if (!http_refused && !tls_failed) break;
  }
  if (m_base.rfind("http:", 0) == 0 && !is_loopback(host) && !m_options.credential.anonymous() && m_options.warn) {
    m_options.warn("the credentials for " + host + " go over plain HTTP (--insecure): anyone on the way can read them");
  }
  if (r.status == 401) {
    learn(r);
  } else if (r.failure != Failure::None || r.status != 200) {
    fail(r, "", "checking the registry (GET /v2/)");
  }
}

void Client::learn(const Response& unauthorized) {
  for (const auto& c : parse_challenges(unauthorized.header("www-authenticate"))) {
    if (c.scheme == "bearer") {
      m_auth.scheme = "bearer";
      if (auto it = c.params.find("realm"); it != c.params.end()) m_auth.realm = it->second;
      if (auto it = c.params.find("service"); it != c.params.end()) m_auth.service = it->second;
      return;
    }
    if (c.scheme == "basic") m_auth.scheme = "basic";
  }
}

std::string Client::token(const std::string& scope) {
  auto it = m_auth.tokens.find(scope);
  if (it != m_auth.tokens.end()) return it->second;
  return m_auth.tokens[scope] = fetch_token(scope);
}

std::string Client::fetch_token(const std::string& scope) {
  const Credential& cred = m_options.credential;
  Request r;
  r.follow_redirects = true;
  const std::string query = "service=" + url_encode(m_auth.service) + "&scope=" + url_encode(scope);
  if (!cred.identity_token.empty()) {
    // An identity token is an OAuth2 refresh token: POSTed, never a Basic password.
    r.method = "POST";
    r.url = m_auth.realm;
    r.headers.push_back("Content-Type: application/x-www-form-urlencoded");
    r.body =
        "grant_type=refresh_token&client_id=ocipack&" + query + "&refresh_token=" + url_encode(cred.identity_token);
  } else {
    r.url = m_auth.realm + joiner(m_auth.realm) + query;
    if (!cred.username.empty())
      r.headers.push_back("Authorization: Basic " + base64(cred.username + ":" + cred.password));
  }
  const Response resp = with_retries([&] { return m_http->send(r); });
  if (resp.failure != Failure::None || resp.status != 200) fail(resp, "", "getting a token from " + m_auth.realm);
  json j = json::parse(resp.body, nullptr, false);
  for (const char* key : {"token", "access_token"}) {
    if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  }
  throw Error(m_options.host + ": the token server " + m_auth.realm + " answered no token");
}

Response Client::send(Request request, const std::string& scope) {
  const std::size_t plain_headers = request.headers.size();
  for (int auth_round = 0;; ++auth_round) {
    request.headers.resize(plain_headers);
    const Credential& cred = m_options.credential;
    if (m_auth.scheme == "bearer") {
      request.headers.push_back("Authorization: Bearer " + token(scope));
    } else if (m_auth.scheme == "basic" && !cred.username.empty()) {
      request.headers.push_back("Authorization: Basic " + base64(cred.username + ":" + cred.password));
    }
    Response r = m_http->send(request);
    // One more round with a new token (or Basic) unless a streamed body is spent.
    if (r.status != 401 || auth_round > 0 || request.body_reader != nullptr) return r;
    const std::string before = m_auth.scheme;
    learn(r);
    if (m_auth.scheme == "basic" && (before == "basic" || cred.username.empty())) return r;
    if (m_auth.scheme == "bearer") {
      std::string wider = scope;
      for (const auto& c : parse_challenges(r.header("www-authenticate"))) {
        auto it = c.params.find("scope");
        if (c.scheme == "bearer" && it != c.params.end() && scope.find(it->second) == std::string::npos) {
          wider += " " + it->second;  // insufficient_scope: ask for what the registry names
        }
      }
      if (before == "bearer" && wider == scope) return r;  // the token server gave what it will
      m_auth.tokens[scope] = fetch_token(wider);
    }
  }
}

bool Client::blob_exists(const std::string& repo, const oci::Digest& digest) {
  Request head;
  head.method = "HEAD";
  head.url = url(repo, "blobs/" + digest.str());
  const Response r = with_retries([&] { return send(head, push_scope(repo)); });
  if (r.failure == Failure::None && r.status == 200) return true;
  if (r.failure == Failure::None && r.status == 404) return false;
  fail(r, repo, "checking blob " + digest.str());
}

bool Client::push_blob(const std::string& repo, const oci::Descriptor& blob, const std::string& from,
                       const std::function<std::unique_ptr<archive::ByteReader>()>& open) {
  const std::string scope = push_scope(repo) + (from.empty() ? "" : " repository:" + from + ":pull");
  bool mounted = false;
  std::string step;
  const auto attempt = [&] {
    // A new upload for each attempt: a broken one cannot be resumed reliably.
    Request post;
    post.method = "POST";
    post.url = url(repo, "blobs/uploads/");
    if (!from.empty()) post.url += "?mount=" + blob.digest.str() + "&from=" + url_encode(from);
    step = from.empty() ? "starting the upload of blob " + blob.digest.str()
                        : "mounting blob " + blob.digest.str() + " from " + from;
    Response p = send(post, scope);
    mounted = p.failure == Failure::None && p.status == 201 && !from.empty();
    const std::string location = p.header("location");
    if (p.failure != Failure::None || p.status != 202 || location.empty()) return p;
    std::unique_ptr<archive::ByteReader> body = open();
    Request put;
    put.method = "PUT";
    put.url = resolve_location(post.url, location);
    put.url += joiner(put.url) + std::string("digest=") + url_encode(blob.digest.str());
    // Without it the registry reads the body as a form and loses the blob.
    put.headers.push_back("Content-Type: application/octet-stream");
    put.body_reader = body.get();
    put.body_size = blob.size;
    step = "uploading blob " + blob.digest.str();
    return send(put, scope);
  };
  Response r = with_retries(attempt);
  // send() cannot send a spent streamed body again: a token that expired
  // during the upload (a long push outlives a registry's short-lived tokens)
  // is fetched again and the upload starts over from a new POST, once.
  if (r.failure == Failure::None && r.status == 401 && m_auth.scheme == "bearer" && !insufficient_scope(r) &&
      step.rfind("uploading", 0) == 0) {
    m_auth.tokens.erase(scope);
    r = with_retries(attempt);
  }
  if (r.failure == Failure::None && r.status == 201) return mounted;
  fail(r, repo, step);
}

std::optional<oci::Digest> Client::manifest_digest(const std::string& repo, const std::string& reference,
                                                   const std::string& media_type) {
  Request head;
  head.method = "HEAD";
  head.url = url(repo, "manifests/" + reference);
  head.headers = {"Accept: " + media_type, kAcceptManifests};
  const Response r = with_retries([&] { return send(head, push_scope(repo)); });
  if (r.failure == Failure::None && r.status == 404) return std::nullopt;
  if (r.failure != Failure::None || r.status != 200) fail(r, repo, "checking manifest " + reference);
  try {
    return oci::Digest::parse(r.header("docker-content-digest"));
  } catch (const Error&) {
    return std::nullopt;  // no digest said: push it again
  }
}

bool Client::put_manifest(const std::string& repo, const std::string& reference, const oci::Descriptor& d,
                          const std::string& bytes) {
  Request put;
  put.method = "PUT";
  put.url = url(repo, "manifests/" + reference);
  put.headers.push_back("Content-Type: " + d.media_type);
  put.body = bytes;
  const std::string step = "putting manifest " + reference;
  const Response r = with_retries([&] { return send(put, push_scope(repo)); });
  if (r.failure != Failure::None || (r.status != 201 && r.status != 200)) fail(r, repo, step);
  const std::string said = r.header("docker-content-digest");
  if (!said.empty() && said != d.digest.str()) {
    throw Error(m_options.host + "/" + repo + ": " + step + ": the registry stored it as " + printable(said) +
                ", not " + d.digest.str());
  }
  return !r.header("oci-subject").empty();
}

std::optional<std::string> Client::find_manifest(const std::string& repo, const std::string& reference) {
  Request get;
  get.url = url(repo, "manifests/" + reference);
  get.headers = {kAcceptManifests};
  const Response r = with_retries([&] { return send(get, pull_scope(repo)); });
  if (r.failure == Failure::None && r.status == 404) return std::nullopt;
  if (r.failure != Failure::None || r.status != 200) fail(r, repo, "getting manifest " + reference);
  if (r.body.size() >= kMaxBody) throw Error(m_options.host + "/" + repo + ": manifest " + reference + " is too large");
  return r.body;
}

std::optional<std::string> Client::referrers(const std::string& repo, const oci::Digest& subject) {
  Request get;
  get.url = url(repo, "referrers/" + subject.str());
  get.headers = {"Accept: application/vnd.oci.image.index.v1+json"};
  const Response r = with_retries([&] { return send(get, pull_scope(repo)); });
  // A registry with the API answers an index, empty when nothing refers.
  if (r.failure == Failure::None && r.status == 200 && r.header("content-type").find("index") != std::string::npos) {
    return r.body;
  }
  if (r.failure == Failure::None && (r.status == 404 || r.status == 200 || r.status == 405)) return std::nullopt;
  fail(r, repo, "getting the referrers of " + subject.str());
}

std::string Client::get_manifest(const std::string& repo, const std::string& reference) {
  std::optional<std::string> found = find_manifest(repo, reference);
  if (!found) {
    throw Error(m_options.host + "/" + repo + ": there is no manifest " + reference +
                (reference.rfind("sha256:", 0) == 0 ? "; check the digest (`ocipack resolve " + m_options.host + "/" +
                                                          repo + ":<tag>` prints the current one)"
                                                    : "; check the repository and tag"));
  }
  return *found;
}

void Client::get_blob(const std::string& repo, const oci::Digest& digest, const std::function<void()>& restart,
                      const std::function<void(const char*, std::size_t)>& sink) {
  Request get;
  get.url = url(repo, "blobs/" + digest.str());
  get.follow_redirects = true;  // registries hand blobs to a storage service
  get.body_sink = sink;
  const Response r = with_retries([&] {
    restart();
    return send(get, pull_scope(repo));
  });
  if (r.failure != Failure::None || r.status != 200) fail(r, repo, "getting blob " + digest.str());
}

void Client::fail(const Response& r, const std::string& repo, const std::string& step) const {
  const std::string& host = m_options.host;
  const std::string where = host + (repo.empty() ? "" : "/" + repo) + ": " + step + ": ";
  switch (r.failure) {
    case Failure::Unreachable:
      throw Error(where + "host unreachable (" + r.error + " after " + std::to_string(kMaxAttempts) +
                  " attempts): check the host name and port, that the registry runs, and the proxy variables");
    case Failure::Dropped:
      throw Error(where + "the connection dropped (" + r.error + ") " + std::to_string(kMaxAttempts) + " times");
    case Failure::Certificate:
      throw Error(where + "certificate not trusted (" + r.error +
                  "): put the CA that signed it in /etc/docker/certs.d/" + host +
                  "/ca.crt (or /etc/containers/certs.d/" + host +
                  "/ca.crt, or a --cert-dir DIR holding ca.crt), or push with --insecure");
    case Failure::Tls:
    case Failure::Other: throw Error(where + r.error);
    case Failure::None: break;
  }
  std::vector<std::string> codes;
  const std::string detail = registry_errors(r, codes);
  const std::string said = detail.empty() ? "" : " (" + detail + ")";
  if (r.status == 401 && !insufficient_scope(r)) {
    throw Error(where + "unauthorized" + said + ": " +
                (m_options.credential.anonymous()
                     ? "no credentials for " + host + "; run `docker login " + host + "`"
                     : "the credentials for " + host + " were refused; run `docker login " + host + "` again"));
  }
  if (r.status == 403 || has(codes, "DENIED") || insufficient_scope(r)) {
    throw Error(where + "denied" + said + ": these credentials may not " +
                (step.rfind("getting", 0) == 0
                     ? "pull from " + host + "/" + repo + "; ask for pull access"
                     : "push to " + host + "/" + repo + "; ask for push access, or push elsewhere"));
  }
  if (has(codes, "NAME_INVALID"))
    throw Error(where + "name invalid" + said + ": the registry refuses the name " + repo);
  if (has(codes, "BLOB_UNKNOWN") || has(codes, "MANIFEST_BLOB_UNKNOWN")) {
    throw Error(where + "unknown blob" + said + ": the registry lacks a blob the manifest names; push again");
  }
  throw Error(where + "HTTP " + std::to_string(r.status) + said +
              (retryable(r) ? " after " + std::to_string(kMaxAttempts) + " attempts" : ""));
}

}  // namespace ocipack::registry
