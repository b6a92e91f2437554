// The OCI image data model: plain values, no I/O. JSON (de)serialisation is
// in oci/json.hpp; the on-disk formats live in archive/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocipack::oci {

namespace media_type {
inline constexpr const char* kIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
// OCI 1.1: the config of an artifact manifest, the two bytes "{}".
inline constexpr const char* kEmpty = "application/vnd.oci.empty.v1+json";
inline constexpr const char* kSpdx = "application/spdx+json";
inline constexpr const char* kCycloneDx = "application/vnd.cyclonedx+json";
}  // namespace media_type

// A content address: "sha256:<64 lower-case hex>".
struct Digest {
  std::string hex;

  std::string str() const { return "sha256:" + hex; }
  // Throws Error unless `text` is "sha256:" followed by 64 lower-case hex digits.
  static Digest parse(std::string_view text);
  bool operator==(const Digest& o) const { return hex == o.hex; }
  bool operator<(const Digest& o) const { return hex < o.hex; }
};

struct Platform {
  std::string architecture;  // GOARCH spelling: amd64, arm64, arm, 386, ...
  std::string os = "linux";
  std::string variant;  // "v7", "v8", ... or empty

  std::string str() const;  // "linux/arm/v7"
  bool operator==(const Platform& o) const {
    return architecture == o.architecture && os == o.os && variant == o.variant;
  }
  bool operator!=(const Platform& o) const { return !(*this == o); }
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  std::uint64_t size = 0;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
};

// The runtime part of the image config ("config" in the JSON).
struct ContainerConfig {
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;
  std::string working_dir;
  std::string user;
  std::vector<std::string> exposed_ports;  // "8080/tcp"
  std::map<std::string, std::string> labels;
  std::vector<std::string> volumes;  // "/data"
  std::string stop_signal;
};

struct History {
  std::string created;
  std::string created_by;
  bool empty_layer = false;
};

struct ImageConfig {
  Platform platform;
  std::string created;  // RFC 3339 UTC
  ContainerConfig config;
  // Members of "config" this model does not name (Healthcheck, Shell, ...),
  // kept as they were in a base image's config: a JSON object text or empty.
  std::string other_config;
  std::vector<Digest> diff_ids;
  std::vector<History> history;
};

struct Manifest {
  Descriptor config;
  std::vector<Descriptor> layers;
  std::map<std::string, std::string> annotations;
};

struct Index {
  std::vector<Descriptor> manifests;
};

// The config of an image built FROM `base` with the settings `ours`, as a
// Dockerfile does: Env merged by name (ours win), Labels merged (ours win),
// ExposedPorts and Volumes united; Entrypoint, Cmd, WorkingDir, User and
// StopSignal kept unless set, and a new Entrypoint drops the inherited Cmd.
ContainerConfig inherit(const ContainerConfig& base, const ContainerConfig& ours);

// Adds Docker's default PATH unless `env` sets PATH.
void add_default_path(std::vector<std::string>& env);

// RFC 3339 UTC ("1970-01-01T00:00:00Z") of seconds since the epoch.
std::string rfc3339(std::int64_t epoch_seconds);

}  // namespace ocipack::oci
