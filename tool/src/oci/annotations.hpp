// The annotation keys ocipack writes or reads, each spelled once.
#pragma once

namespace ocipack::oci::annotation {

// Index entry: the full image name, "docker.io/library/hello:1"
// (containerd and podman name the image from it).
inline constexpr const char* kImageName = "io.containerd.image.name";
// Index entry: the tag, "1" (the OCI image layout's name of the manifest;
// skopeo, umoci and oci-image-tool pick the image by it).
inline constexpr const char* kRefName = "org.opencontainers.image.ref.name";
// Manifest: the base image's name ("registry.example/base:1"), as image
// builders record it; a push mounts the blobs from there when it can.
inline constexpr const char* kBaseName = "org.opencontainers.image.base.name";
// Manifest: the digest of the base image's manifest (a BASE from a registry).
inline constexpr const char* kBaseDigest = "org.opencontainers.image.base.digest";
// Layer descriptor: where each file of the runtime dependencies layer came
// from ("<image path> <- <host path> (<why>)", one per line).
inline constexpr const char* kOrigins = "dev.ocipack.origins";

}  // namespace ocipack::oci::annotation
