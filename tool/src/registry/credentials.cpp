#include "registry/credentials.hpp"

#include "util/error.hpp"
#include "util/file.hpp"
#include "util/process.hpp"

#include <nlohmann/json.hpp>

#include <openssl/evp.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ocipack::registry {

namespace {

constexpr const char* kDockerHubKey = "https://index.docker.io/v1/";

json read_config(const fs::path& path) {
  return with_context(path.string(), [&] {
    json j = json::parse(util::read_file(path), nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error("not a JSON object");
    return j;
  });
}

std::string string_member(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string base64_decode(const std::string& text) {
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) throw Error("an \"auth\" value is not base64");
  out.resize(static_cast<std::size_t>(n));
  // EVP_DecodeBlock counts the padding's zero bytes in.
  for (std::size_t pad = text.size(); pad > 0 && text[pad - 1] == '='; --pad) out.pop_back();
  return out;
}

// The server URL a helper is asked for: Docker Hub's legacy key, else the host.
std::string server_url(const std::string& registry) { return registry == "docker.io" ? kDockerHubKey : registry; }

Credential from_helper(const std::string& name, const std::string& registry, const std::string& search_path) {
  const std::string program = "docker-credential-" + name;
  const auto path = util::find_program(program, search_path);
  if (!path) throw Error(program + " (the config's credential helper for " + registry + ") is not on PATH");
  const util::ProgramOutput out = util::run_program_captured({path->string(), "get"}, server_url(registry));
  if (out.exit_status != 0) {
    // "credentials not found in native keychain": anonymous, as Docker does.
    if (out.out.find("credentials not found") != std::string::npos) return {};
    throw Error(program + " get failed for " + registry + " with exit status " + std::to_string(out.exit_status));
  }
  json j = json::parse(out.out, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(program + " get: its output is not a JSON object");
  Credential c;
  const std::string user = string_member(j, "Username");
  // "<token>" as the user name: the secret is an identity token.
  if (user == "<token>") {
    c.identity_token = string_member(j, "Secret");
  } else {
    c.username = user;
    c.password = string_member(j, "Secret");
  }
  return c;
}

// The "auths" entry for `registry`, if any.
std::optional<Credential> from_auths(const json& config, const std::string& registry) {
  auto auths = config.find("auths");
  if (auths == config.end() || !auths->is_object()) return std::nullopt;
  for (const auto& [key, entry] : auths->items()) {
    if (normalize_auth_key(key) != registry || !entry.is_object()) continue;
    Credential c;
    c.identity_token = string_member(entry, "identitytoken");
    if (const std::string auth = string_member(entry, "auth"); !auth.empty()) {
      const std::string pair = base64_decode(auth);
      const auto colon = pair.find(':');
      if (colon == std::string::npos) throw Error("the \"auth\" of " + key + " is not base64 of user:password");
      c.username = pair.substr(0, colon);
      c.password = pair.substr(colon + 1);
    }
    if (!c.anonymous()) return c;
  }
  return std::nullopt;
}

}  // namespace

std::string normalize_auth_key(const std::string& key) {
  std::string host = key;
  for (const char* scheme : {"https://", "http://"}) {
    if (host.rfind(scheme, 0) == 0) host = host.substr(std::string(scheme).size());
  }
  host = host.substr(0, host.find('/'));
  if (host == "index.docker.io" || host == "registry-1.docker.io") return "docker.io";
  return host;
}

Credential find_credential(const CredentialSources& sources, const std::string& registry) {
  std::error_code ec;
  if (sources.docker_config && fs::exists(*sources.docker_config, ec)) {
    const json config = read_config(*sources.docker_config);
    const auto found = with_context(sources.docker_config->string(), [&]() -> std::optional<Credential> {
      if (auto helpers = config.find("credHelpers"); helpers != config.end() && helpers->is_object()) {
        for (const auto& [key, name] : helpers->items()) {
          if (normalize_auth_key(key) == registry && name.is_string()) {
            return from_helper(name.get<std::string>(), registry, sources.helper_path);
          }
        }
      }
      if (const std::string store = string_member(config, "credsStore"); !store.empty()) {
        Credential c = from_helper(store, registry, sources.helper_path);
        if (!c.anonymous()) return c;
      }
      return from_auths(config, registry);
    });
    if (found) return *found;
  }
  for (const auto& file : sources.auth_files) {
    if (!fs::exists(file, ec)) continue;
    const json config = read_config(file);
    if (auto found = with_context(file.string(), [&] { return from_auths(config, registry); })) return *found;
  }
  return {};
}

}  // namespace ocipack::registry
