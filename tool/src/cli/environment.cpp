#include "cli/environment.hpp"

#include "util/chars.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>

namespace ocipack::cli {

std::optional<std::int64_t> source_date_epoch_from_env() {
  const char* value = std::getenv("SOURCE_DATE_EPOCH");
  if (value == nullptr || *value == '\0') return std::nullopt;
  if (!util::is_digits(value, 1, 12)) {
    throw Error(std::string("SOURCE_DATE_EPOCH \"") + value + "\" is not a non-negative number of seconds");
  }
  return std::stoll(value);
}

unsigned threads_from_env() {
  const char* value = std::getenv("OCIPACK_THREADS");
  if (value == nullptr || *value == '\0') return 0;
  const std::string text(value);
  const bool digits =
      text.size() <= 4 && std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  const unsigned n = digits ? static_cast<unsigned>(std::stoul(text)) : 0;
  if (n == 0) throw Error("OCIPACK_THREADS must be a number from 1, not \"" + text + "\"");
  return n;
}

bool timings_from_env() {
  const char* value = std::getenv("OCIPACK_TIMINGS");
  return value != nullptr && *value != '\0' && std::string(value) != "0";
}

std::optional<std::vector<std::string>> push_tags_from_env() {
  const char* value = std::getenv("OCIPACK_PUSH_TAGS");
  if (value == nullptr) return std::nullopt;
  std::istringstream words(value);
  std::vector<std::string> tags;
  for (std::string w; words >> w;) tags.push_back(w);
  if (tags.empty()) return std::nullopt;
  return tags;
}

namespace {
std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : value;
}
}  // namespace

registry::CredentialSources credential_sources_from_env() {
  registry::CredentialSources s;
  const std::string home = env("HOME");
  if (!env("DOCKER_CONFIG").empty()) {
    s.docker_config = std::filesystem::path(env("DOCKER_CONFIG")) / "config.json";
  } else if (!home.empty()) {
    s.docker_config = std::filesystem::path(home) / ".docker/config.json";
  }
  if (!env("REGISTRY_AUTH_FILE").empty()) s.auth_files.emplace_back(env("REGISTRY_AUTH_FILE"));
  if (!env("XDG_RUNTIME_DIR").empty()) {
    s.auth_files.push_back(std::filesystem::path(env("XDG_RUNTIME_DIR")) / "containers/auth.json");
  }
  if (!home.empty()) s.auth_files.push_back(std::filesystem::path(home) / ".config/containers/auth.json");
  s.helper_path = env("PATH");
  return s;
}

std::filesystem::path cache_dir_from_env() {
  if (!env("OCIPACK_CACHE_DIR").empty()) return env("OCIPACK_CACHE_DIR");
  if (!env("XDG_CACHE_HOME").empty()) return std::filesystem::path(env("XDG_CACHE_HOME")) / "ocipack";
  if (!env("HOME").empty()) return std::filesystem::path(env("HOME")) / ".cache/ocipack";
  return {};
}

}  // namespace ocipack::cli
