// A registry's credentials where Docker and podman users keep them, looked
// up in Docker's order: the Docker config's credHelpers[host], its
// credsStore, its auths; then podman's auth files; anonymous when none
// matches. The files and the helpers' search path are given (cli/ reads
// the environment). Credentials go to the registry only: never into
// output, errors or files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::registry {

struct Credential {
  std::string username;
  std::string password;
  std::string identity_token;  // an OAuth2 refresh token (`docker login` to some registries)

  bool anonymous() const { return username.empty() && password.empty() && identity_token.empty(); }
};

struct CredentialSources {
  // $DOCKER_CONFIG/config.json or ~/.docker/config.json; may be absent.
  std::optional<std::filesystem::path> docker_config;
  // $REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json,
  // ~/.config/containers/auth.json, read in this order.
  std::vector<std::filesystem::path> auth_files;
  // Where docker-credential-<name> helpers are looked for (PATH's form).
  std::string helper_path;
};

// "https://index.docker.io/v1/" -> "docker.io", "http://host:5000/v2/" ->
// "host:5000": the registry an auths key names (Docker strips the scheme
// and the path).
std::string normalize_auth_key(const std::string& key);

// The credentials for `registry` ("docker.io" or host[:port]). Throws Error
// (naming the file or the helper, never a secret) when a file or helper is
// broken.
Credential find_credential(const CredentialSources& sources, const std::string& registry);

}  // namespace ocipack::registry
