// Pulling (BASE docker://...): an image named by digest in a registry, read
// through archive::Layout like a local OCI layout. Its blobs come from the
// cache (registry/cache.hpp) when it has them, else from the registry, which
// is asked only for what the layout reader touches: the manifest or index
// named, the manifest of the platform picked, its config and its layers.
// A rebuild, or a build in another build directory, sends no request.
#pragma once

#include "archive/layout.hpp"
#include "oci/reference.hpp"
#include "registry/client.hpp"

#include <filesystem>
#include <string>

namespace ocipack::registry {

struct PullOptions {
  Access access;
  std::filesystem::path cache_dir;
};

// "docker://host/repo:tag@sha256:..." or "host/repo@sha256:...": the
// reference, which must name its registry host and a digest.
oci::Reference pull_reference(const std::string& text);

// The image `ref` names by digest, as a layout whose index.json holds that
// one manifest or index (named `ref.full()`).
archive::Layout open_pulled(const oci::Reference& ref, const PullOptions& options);

// A reference to resolve: [docker://][host/]repo[:tag] (Docker Hub without a host).
oci::Reference resolve_reference(const std::string& text);

// `ocipack resolve`: the digest a tag names now (of the index, for a
// multi-platform image), as `crane digest` prints it.
oci::Digest resolve(const oci::Reference& ref, const PullOptions& options);

}  // namespace ocipack::registry
