// The one reader of OCI image layouts (index.json + blobs/sha256/<hex>), the
// shape of OCI archives, OCI layout directories, Docker 25+ saves and
// ocipack's own tarballs, over any BlobSource. Every document is checked
// against its descriptor (size, then digest) before it is parsed; a blob
// streamed through a consumer is checked once consumed. BASE
// (archive/base.*), `ocipack inspect` (archive/reader.*) and `ocipack
// index` (build/index.*) read through it.
#pragma once

#include "archive/blob_source.hpp"
#include "archive/tarball.hpp"
#include "oci/model.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace ocipack::archive {

// Image indexes within image indexes, below index.json: more is refused.
inline constexpr int kMaxNestedIndexes = 4;

// "blobs/sha256/<hex>": where a layout keeps a blob.
std::string blob_path(const oci::Digest& digest);

// The names index.json gives its entries, sorted: "a:1, b:2" or "(no tags)".
std::string tag_list(const oci::Index& index);

// The digest and size of a stream, as read.
struct StreamSum {
  oci::Digest digest;
  std::uint64_t size = 0;
};

class Layout {
public:
  explicit Layout(std::shared_ptr<const BlobSource> source);
  // A tarball or a directory.
  static Layout open(const std::filesystem::path& path);

  const BlobSource& source() const { return *m_source; }
  bool has_index() const;    // index.json: an OCI layout
  oci::Index index() const;  // index.json, parsed

  // Refuses a blob that is missing or whose size is not its descriptor's.
  // `what` names it in errors: "missing layer blob sha256:...".
  void check_present(const oci::Descriptor& d, const char* what) const;
  // A small blob, checked against `d` (size, then digest).
  std::string document(const oci::Descriptor& d, const char* what) const;
  oci::Index nested_index(const oci::Descriptor& d) const;
  // Image manifests only (OCI or Docker v2), else an Error.
  oci::Manifest manifest(const oci::Descriptor& d) const;
  oci::ImageConfig config(const oci::Descriptor& d) const;

  // Streams the blob of `d` through `consume` (which may stop early), then
  // checks all of it against `d`. A blob that does not match is reported as
  // such, also when `consume` failed on its bytes.
  void stream_blob(const oci::Descriptor& d, const char* what, const std::function<void(ByteReader&)>& consume) const;
  // The same for any file of the source: its digest and size, as read.
  StreamSum stream_file(const std::string& path, const std::function<void(ByteReader&)>& consume) const;
  // The blob as one of an image tarball (copied, not checked again).
  Blob tarball_blob(const oci::Descriptor& d) const;

  // The index.json entry that `tag` names (a name, a full name, or the
  // ref.name); with an empty tag, index.json must hold one image.
  oci::Descriptor select(const std::string& tag) const;
  // The image manifest for `platform` under `entry`, through nested indexes.
  oci::Descriptor for_platform(const oci::Descriptor& entry, const oci::Platform& platform) const;
  // Every image manifest under `entry` (itself, or the manifests of its
  // nested indexes), once each, carrying `entry`'s annotations.
  std::vector<oci::Descriptor> manifests_under(const oci::Descriptor& entry) const;

private:
  void collect(const oci::Descriptor& d, int depth, std::vector<oci::Descriptor>& out,
               std::set<std::string>& seen) const;

  std::shared_ptr<const BlobSource> m_source;
};

}  // namespace ocipack::archive
