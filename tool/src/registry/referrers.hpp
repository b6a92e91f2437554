// SBOMs pushed beside an image as OCI 1.1 referrers of its manifests: each
// file becomes a blob of an artifact manifest (artifactType
// application/spdx+json or application/vnd.cyclonedx+json, the empty
// config, `subject` the image manifest it describes), found through the
// registry's referrers API, or, where the registry has none (distribution
// 2.8), through the fallback tag `sha256-<subject hex>`: an index of the
// subject's referrers, which this keeps (what others attached stays).
#pragma once

#include "oci/model.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::registry {

struct Sbom {
  std::filesystem::path file;
  std::string artifact_type;  // application/spdx+json, application/vnd.cyclonedx+json
  oci::Descriptor subject;    // the image manifest it describes
};

// The SBOMs to attach to the image manifests `manifests`: the `given`
// files (--sbom), else those the build wrote beside `image`
// (<stem>.spdx.json, <stem>.cdx.json, and <stem>.<platform>.* from
// `ocipack index`). Each is matched to the manifest whose digest it names;
// a given file that names none is an Error, a found one is left out with
// a warning (`warn`): it is from another build.
std::vector<Sbom> find_sboms(const std::filesystem::path& image, const std::vector<std::filesystem::path>& given,
                             const std::vector<oci::Descriptor>& manifests,
                             const std::function<void(const std::string&)>& warn);

// The artifact manifest of `sbom` whose single layer is the file's blob
// `blob` (canonical JSON: the same SBOM gives the same digest).
std::string artifact_manifest(const Sbom& sbom, const oci::Descriptor& blob);

// The fallback tag of a subject: "sha256-<hex>".
std::string fallback_tag(const oci::Digest& subject);

// `index` (the bytes of the subject's referrers index, or empty when
// there is none) with `artifact` listed: nullopt when it is listed already.
std::optional<std::string> with_referrer(const std::string& index, const oci::Descriptor& artifact,
                                         const std::string& artifact_type);

// Whether the referrers index `index` lists `artifact`.
bool lists_referrer(const std::string& index, const oci::Digest& artifact);

}  // namespace ocipack::registry
