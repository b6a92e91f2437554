// `ocipack push`: an image read through archive::Layout (ocipack's
// tarballs, OCI archives, OCI layout directories) to registry references:
// every blob first (configs and layers, 2-4 at a time), then the manifests,
// then a multi-platform image's index, the tag last: nothing half-pushed
// is tagged. A blob pushed to another repository of the same registry in
// the same run, or in the base image the manifest names there, is mounted,
// not sent again.
#pragma once

#include "archive/layout.hpp"
#include "oci/model.hpp"
#include "oci/reference.hpp"
#include "registry/client.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ocipack::registry {

struct PushOptions {
  std::filesystem::path image;
  std::vector<std::string> references;  // empty: the image's own tags
  Access access;
  unsigned parallel = 3;  // blob uploads at a time
  // SBOMs attached as referrers: these files (--sbom), else those beside
  // the image (registry/referrers.hpp); none with attach_sboms false.
  std::vector<std::filesystem::path> sboms;
  bool attach_sboms = true;
};

// An SBOM attached to a manifest of the image.
struct AttachedSbom {
  std::filesystem::path file;
  oci::Digest subject;   // the manifest it describes
  oci::Digest artifact;  // the artifact manifest that carries it
  bool present = false;  // attached before: nothing sent
};

// What one reference got.
struct PushReport {
  std::string reference;  // the full name: "registry.example.com/team/app:1.4"
  oci::Digest digest;     // of the manifest or index the tag names
  unsigned uploaded = 0, present = 0, mounted = 0;
  std::uint64_t bytes = 0;  // blob bytes sent
  std::vector<AttachedSbom> sboms;
};

// A push destination: refuses a reference that names no registry host
// (`app:1` means Docker Hub), saying to write docker.io/... if meant.
oci::Reference push_reference(const std::string& text);

// The names index.json gives the image (io.containerd.image.name, else
// ref.name when it is a full reference), in order, each once.
std::vector<std::string> image_tags(const oci::Index& index);

std::vector<PushReport> push(const PushOptions& options);

}  // namespace ocipack::registry
