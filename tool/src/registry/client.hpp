// The OCI distribution protocol, as registries implement it: the /v2/ ping
// (HTTPS; plain HTTP for loopback registries as Docker does, else only when
// insecure), Basic and Bearer authentication from WWW-Authenticate
// challenges, blob HEAD, cross-repository mount, POST then one streaming
// PUT, manifest HEAD and PUT; retries with backoff. Errors name the
// registry, the repository and the step, and say what to do.
#pragma once

#include "archive/blob_source.hpp"
#include "oci/model.hpp"
#include "registry/credentials.hpp"
#include "registry/http.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocipack::registry {

// One challenge of a WWW-Authenticate header: `Bearer realm="...",service="..."`.
struct Challenge {
  std::string scheme;                         // lower-case: "basic", "bearer"
  std::map<std::string, std::string> params;  // names lower-case, values unquoted
};

// Every challenge of a header (several may share one, comma-separated).
std::vector<Challenge> parse_challenges(std::string_view header);

// The URL a `Location` header names, relative to the request's URL.
std::string resolve_location(const std::string& request_url, const std::string& location);

// Retries: a request that got 408, 429, a 5xx or no answer (a dropped or
// refused connection) is tried again, at most kMaxAttempts times in all,
// waiting backoff(n) before the n-th retry; never an authentication error.
inline constexpr int kMaxAttempts = 4;
bool retryable(const Response& response);
std::chrono::milliseconds backoff(int retry);

// Whether Docker treats `host` ("host[:port]") as a loopback registry
// (localhost, 127.0.0.0/8): HTTPS first, then plain HTTP.
bool is_loopback(const std::string& host);

struct ClientOptions {
  std::string host;  // "host[:port]"
  Credential credential;
  Tls tls;  // tls.insecure also allows plain HTTP
  // Told before credentials go over plain HTTP to a host that is not loopback.
  std::function<void(const std::string&)> warn;
};

// How to reach registries, the same for push and pull: what cli/ read
// from the command line and the environment.
struct Access {
  bool insecure = false;  // plain HTTP allowed, any certificate accepted
  // Directories of <host[:port]>/ subdirectories: /etc/docker/certs.d, /etc/containers/certs.d.
  std::vector<std::filesystem::path> certs_d;
  std::vector<std::filesystem::path> cert_dirs;  // --cert-dir: ca.crt, client.cert, client.key for any registry
  CredentialSources credentials;
  // Warnings for the user (credentials over plain HTTP), before the step they are about.
  std::function<void(const std::string&)> warn;
};

// The options of a client of `host`: its credential (Docker's order) and TLS (certs.d).
ClientOptions client_options(const Access& access, const std::string& host);

class Client {
public:
  explicit Client(ClientOptions options);
  // A client for another thread: the same registry, scheme and tokens.
  Client fork() const;

  const std::string& host() const { return m_options.host; }

  // GET /v2/: picks the scheme and learns how the registry authenticates.
  void ping();
  bool blob_exists(const std::string& repo, const oci::Digest& digest);
  // Mounts the blob from `from` (same registry) when `from` is given and the
  // registry can, else uploads it from `open()` (read from its start for
  // each attempt). Returns true when mounted.
  bool push_blob(const std::string& repo, const oci::Descriptor& blob, const std::string& from,
                 const std::function<std::unique_ptr<archive::ByteReader>()>& open);
  // The digest `reference` (a tag) names there, or nullopt.
  std::optional<oci::Digest> manifest_digest(const std::string& repo, const std::string& reference,
                                             const std::string& media_type);
  // PUTs a manifest or index under `reference` (a tag or its digest) and
  // checks the digest the registry computed.
  // Returns whether the registry took it as a referrer of its `subject`
  // (it says so with OCI-Subject: it has the referrers API).
  bool put_manifest(const std::string& repo, const std::string& reference, const oci::Descriptor& d,
                    const std::string& bytes);
  // A manifest or index by tag or digest, nullopt when there is none.
  std::optional<std::string> find_manifest(const std::string& repo, const std::string& reference);
  // The referrers index of `subject` (OCI 1.1 referrers API), nullopt when
  // the registry has no such API.
  std::optional<std::string> referrers(const std::string& repo, const oci::Digest& subject);

  // Pulling. A manifest or index by tag or digest (any of the OCI and
  // Docker schema 2 types), not checked here.
  std::string get_manifest(const std::string& repo, const std::string& reference);
  // A blob's bytes, streamed to `sink` (started again by `restart` before
  // each retry); redirects (to a storage service) followed.
  void get_blob(const std::string& repo, const oci::Digest& digest, const std::function<void()>& restart,
                const std::function<void(const char*, std::size_t)>& sink);

private:
  struct Auth {
    std::string scheme;  // "", "basic", "bearer"
    std::string realm, service;
    std::map<std::string, std::string> tokens;  // by scope
  };

  Client(ClientOptions options, std::string base, Auth auth);
  std::string url(const std::string& repo, const std::string& rest) const;
  // One request with the credentials `scope` needs; a Bearer 401 asks the
  // token server again (with the scope the challenge names) and resends a
  // body given as a string.
  Response send(Request request, const std::string& scope);
  Response with_retries(const std::function<Response()>& attempt);
  std::string token(const std::string& scope);
  std::string fetch_token(const std::string& scope);
  void learn(const Response& unauthorized);
  [[noreturn]] void fail(const Response& r, const std::string& repo, const std::string& step) const;

  ClientOptions m_options;
  std::string m_base;  // "https://host:port"
  Auth m_auth;
  std::unique_ptr<Http> m_http;
};

}  // namespace ocipack::registry
