// The build's side of the SBOM: the Debian packages of the image's files
// (the sysroot's database, the base's), the scanner metadata put into the
// image (PACKAGE_METADATA), and the document's assembly once the layers
// and the manifest are written.
#pragma once

#include "archive/base.hpp"
#include "build/rootfs.hpp"
#include "deps/resolve.hpp"
#include "layer/entry.hpp"
#include "layer/writer.hpp"
#include "sbom/document.hpp"
#include "sbom/dpkg.hpp"
#include "spec/spec.hpp"

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ocipack::build {

// For the packages owning the files of `bundled` (the system libraries'
// layer): /var/lib/dpkg/status.d/<package> (its status paragraph as dpkg
// wrote it) and <package>.md5sums (its own lines for the files bundled),
// and the sysroot's /etc/os-release unless the image has one (`files`):
// what scanners read in distroless images. None when no file is a package's.
std::vector<layer::Entry> package_metadata(const std::vector<layer::Entry>& bundled,
                                           const sbom::SysrootPackages& packages, const std::filesystem::path& sysroot,
                                           const RootFs& files);

// The packages of the base's dpkg database (var/lib/dpkg/status, or one
// status.d/<package> file each), as the merged file system has them; none,
// with a note, when it is damaged.
std::vector<sbom::ImagePackage> base_packages(const archive::BaseImage& base, const RootFs& files,
                                              std::vector<std::string>& notes);

// The packages owning the regular files of our layers (`layers[i]` is the
// document's layer `first + i`), each with its files.
std::vector<sbom::ImagePackage> bundled_packages(const std::vector<const std::vector<layer::Entry>*>& layers,
                                                 std::size_t first, const sbom::SysrootPackages& packages);

// What the build knows of the image once its manifest is written.
struct SbomInputs {
  const spec::BuildSpec& spec;
  std::filesystem::path output;  // the tarball: the SBOMs go beside it
  oci::Digest manifest;
  oci::Platform platform;
  std::int64_t source_date_epoch = 0;
  const archive::BaseImage* base = nullptr;  // its layers' files were hashed as they were read
  const RootFs& files;
  // Our layers, bottom first: their entries and the files hashed as they streamed.
  std::vector<std::pair<const std::vector<layer::Entry>*, std::vector<layer::HashedFile>*>> layers;
  std::vector<oci::Descriptor> manifest_layers;  // the manifest's layers: the base's, then ours
  const std::vector<layer::ElfFile>* targets = nullptr;
  const std::set<deps::Dependency>* dependencies = nullptr;
  const sbom::SysrootPackages* packages = nullptr;
};

// Writes each SBOM of the spec (its files' checksums are moved out of
// `in.layers`); notes (a damaged base database) go to `notes`.
void write_sboms(SbomInputs& in, std::vector<std::string>& notes);

// The SBOM of `format` for the tarball `output`: x.tar -> x.spdx.json, x.cdx.json.
std::filesystem::path sbom_path(const std::filesystem::path& output, spec::SbomSpec::Format format);

}  // namespace ocipack::build
