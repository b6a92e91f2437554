#include "registry/push.hpp"

#include "oci/annotations.hpp"
#include "registry/client.hpp"
#include "registry/referrers.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace ocipack::registry {

namespace {

constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";

bool is_index(const std::string& media_type) {
  return media_type == oci::media_type::kIndex || media_type == kDockerList;
}

// A manifest or index to PUT, with its bytes as they are in the image.
struct Document {
  oci::Descriptor descriptor;
  std::string bytes;
};

// What an image is in a registry: its blobs, then its documents, the top
// one (the tag's) last.
struct Blob {
  oci::Descriptor descriptor;
  std::string base;  // the manifest's base image name, if it gives one: where to mount from
};

struct Image {
  std::vector<Blob> blobs;
  std::vector<Document> documents;
};

void collect(const archive::Layout& layout, const oci::Descriptor& d, int depth, Image& image,
             std::set<std::string>& seen) {
  if (!seen.insert(d.digest.hex).second) return;
  if (is_index(d.media_type)) {
    if (depth >= archive::kMaxNestedIndexes) throw Error("image indexes nested too deep");
    for (const auto& m : layout.nested_index(d).manifests) collect(layout, m, depth + 1, image, seen);
    image.documents.push_back({d, layout.document(d, "index")});
    return;
  }
  const oci::Manifest manifest = layout.manifest(d);
  std::vector<oci::Descriptor> blobs{manifest.config};
  blobs.insert(blobs.end(), manifest.layers.begin(), manifest.layers.end());
  const auto base = manifest.annotations.find(oci::annotation::kBaseName);
  for (const auto& b : blobs) {
    if (!seen.insert(b.digest.hex).second) continue;
    layout.check_present(b, b.digest == manifest.config.digest ? "config" : "layer");
    image.blobs.push_back({b, base == manifest.annotations.end() ? std::string() : base->second});
  }
  image.documents.push_back({d, layout.document(d, "manifest")});
}

// The one image index.json holds (under one or more names).
oci::Descriptor the_image(const oci::Index& index) {
  std::set<std::string> digests;
  for (const auto& d : index.manifests) digests.insert(d.digest.hex);
  if (digests.empty()) throw Error("index.json names no image");
  if (digests.size() > 1) throw Error("it holds several images (" + archive::tag_list(index) + "); push one image");
  return index.manifests.front();
}

// Where each blob already is in this run: registry host -> digest -> repository.
class Whereabouts {
public:
  void note(const std::string& host, const oci::Digest& d, const std::string& repo) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_repo[host].emplace(d.hex, repo);
  }
  // A repository of `host` other than `repo` that has the blob, or "".
  std::string elsewhere(const std::string& host, const oci::Digest& d, const std::string& repo) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto h = m_repo.find(host);
    if (h == m_repo.end()) return {};
    auto it = h->second.find(d.hex);
    return it == h->second.end() || it->second == repo ? std::string() : it->second;
  }

private:
  mutable std::mutex m_mutex;
  std::map<std::string, std::map<std::string, std::string>> m_repo;
};

class Pusher {
public:
  Pusher(const PushOptions& options, const archive::Layout& layout, const Image& image)
      : m_options(options), m_layout(layout), m_image(image) {}

  PushReport push(const oci::Reference& ref) {
    Client& client = client_for(ref.domain);
    const Document& top = m_image.documents.back();
    PushReport report;
    report.reference = ref.full();
    report.digest = top.descriptor.digest;
    // An image already under this tag: nothing to send.
    if (client.manifest_digest(ref.path, ref.tag, top.descriptor.media_type) == top.descriptor.digest) {
      report.present = static_cast<unsigned>(m_image.blobs.size());
      for (const auto& b : m_image.blobs) m_where.note(ref.domain, b.descriptor.digest, ref.path);
      attach_sboms(client, ref.path, report);
      return report;
    }
    push_blobs(client, ref.path, report);
    for (const auto& doc : m_image.documents) {
      // Each by digest first: the SBOMs refer to them before the tag is there.
      if (&doc != &top || !m_sboms.empty()) {
        client.put_manifest(ref.path, doc.descriptor.digest.str(), doc.descriptor, doc.bytes);
      }
    }
    attach_sboms(client, ref.path, report);
    // The tag last, and only on the top document: nothing half-pushed is tagged.
    client.put_manifest(ref.path, ref.tag, top.descriptor, top.bytes);
    return report;
  }

  void set_sboms(std::vector<Sbom> sboms) { m_sboms = std::move(sboms); }

private:
  Client& client_for(const std::string& host) {
    auto it = m_clients.find(host);
    if (it != m_clients.end()) return *it->second;
    auto client = std::make_unique<Client>(client_options(m_options.access, host));
    client->ping();
    return *m_clients.emplace(host, std::move(client)).first->second;
  }

  // Each SBOM as a referrer of its manifest (registry/referrers.hpp): its
  // blob and the empty config, the artifact manifest by digest, then,
  // without a referrers API, the subject's fallback tag. One already
  // listed there is not sent again.
  void attach_sboms(Client& client, const std::string& repo, PushReport& report) {
    for (const auto& sbom : m_sboms) {
      const std::string bytes = util::read_file(sbom.file);
      const oci::Descriptor blob{sbom.artifact_type, oci::Digest{util::Sha256::hex_of(bytes)}, bytes.size(), {}, {}};
      const std::string manifest = artifact_manifest(sbom, blob);
      const oci::Descriptor artifact{
          oci::media_type::kManifest, oci::Digest{util::Sha256::hex_of(manifest)}, manifest.size(), {}, {}};
      AttachedSbom attached{sbom.file, sbom.subject.digest, artifact.digest, false};
      const std::optional<std::string> api = client.referrers(repo, sbom.subject.digest);
      const std::optional<std::string> fallback =
          api ? std::nullopt : client.find_manifest(repo, fallback_tag(sbom.subject.digest));
      attached.present =
          api ? lists_referrer(*api, artifact.digest) : fallback && lists_referrer(*fallback, artifact.digest);
      if (!attached.present) {
        with_context("attaching " + sbom.file.string(), [&] {
          send_bytes(client, repo, {oci::media_type::kEmpty, oci::Digest{util::Sha256::hex_of("{}")}, 2, {}, {}}, "{}");
          send_bytes(client, repo, blob, bytes);
          const bool referred = client.put_manifest(repo, artifact.digest.str(), artifact, manifest);
          if (!referred) {
            if (std::optional<std::string> index = with_referrer(fallback.value_or(""), artifact, sbom.artifact_type)) {
              const oci::Descriptor d{
                  oci::media_type::kIndex, oci::Digest{util::Sha256::hex_of(*index)}, index->size(), {}, {}};
              client.put_manifest(repo, fallback_tag(sbom.subject.digest), d, *index);
            }
          }
        });
      }
      report.sboms.push_back(attached);
    }
  }

  // A small blob from memory, unless the repository has it.
  void send_bytes(Client& client, const std::string& repo, const oci::Descriptor& d, const std::string& bytes) {
    if (client.blob_exists(repo, d.digest)) return;
    client.push_blob(repo, d, "", [&] { return std::make_unique<archive::StringReader>(bytes); });
  }

  // One blob: there already, mounted from another repository, or uploaded.
  void push_blob(Client& client, const std::string& repo, const Blob& blob, PushReport& report, std::mutex& mutex) {
    const oci::Descriptor& b = blob.descriptor;
    if (client.blob_exists(repo, b.digest)) {
      std::lock_guard<std::mutex> lock(mutex);
      ++report.present;
    } else {
      const std::string from = mount_source(client.host(), repo, blob);
      const bool mounted =
          client.push_blob(repo, b, from, [&] { return m_layout.source().open(archive::blob_path(b.digest)); });
      std::lock_guard<std::mutex> lock(mutex);
      if (mounted) {
        ++report.mounted;
      } else {
        ++report.uploaded;
        report.bytes += b.size;
      }
    }
    m_where.note(client.host(), b.digest, repo);
  }

  // Where to mount a blob from: a repository of this registry it went to in
  // this run, else the base image's when it is on this registry (a mount of
  // a blob it lacks starts a plain upload: nothing lost).
  std::string mount_source(const std::string& host, const std::string& repo, const Blob& blob) const {
    std::string from = m_where.elsewhere(host, blob.descriptor.digest, repo);
    if (!from.empty() || blob.base.empty()) return from;
    try {
      const oci::Reference base = oci::Reference::parse_push(blob.base);
      if (base.explicit_domain && base.domain == host && base.path != repo) from = base.path;
    } catch (const Error&) {
      // A base name we cannot read names nowhere to mount from.
    }
    return from;
  }

  // The blobs, m_options.parallel at a time, each thread with its own
  // connection; the first error stops the others before their next blob.
  void push_blobs(Client& client, const std::string& repo, PushReport& report) {
    const std::size_t threads =
        std::clamp<std::size_t>(m_options.parallel, 1, std::max<std::size_t>(m_image.blobs.size(), 1));
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::exception_ptr failed;
    const auto work = [&](Client& c) {
      try {
        for (std::size_t i; !stop && (i = next++) < m_image.blobs.size();) {
          push_blob(c, repo, m_image.blobs[i], report, mutex);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failed) failed = std::current_exception();
        stop = true;
      }
    };
    std::vector<std::thread> helpers;
    std::vector<std::unique_ptr<Client>> forks;
    for (std::size_t t = 1; t < threads; ++t) {
      forks.push_back(std::make_unique<Client>(client.fork()));
      helpers.emplace_back(work, std::ref(*forks.back()));
    }
    work(client);
    for (auto& h : helpers) h.join();
    if (failed) std::rethrow_exception(failed);
  }

  const PushOptions& m_options;
  const archive::Layout& m_layout;
  const Image& m_image;
  std::vector<Sbom> m_sboms;
  std::map<std::string, std::unique_ptr<Client>> m_clients;
  Whereabouts m_where;
};

}  // namespace

oci::Reference push_reference(const std::string& text) {
  oci::Reference ref = oci::Reference::parse_push(text);
  if (!ref.explicit_domain) {
    throw Error("\"" + text + "\" names no registry host, so it would mean Docker Hub: write docker.io/" + ref.path +
                ":" + ref.tag + " if Docker Hub is meant, else <host>/" + text);
  }
  return ref;
}

std::vector<std::string> image_tags(const oci::Index& index) {
  std::vector<std::string> out;
  for (const auto& d : index.manifests) {
    std::string name;
    if (auto it = d.annotations.find(oci::annotation::kImageName); it != d.annotations.end()) {
      name = it->second;
    } else if (auto ref = d.annotations.find(oci::annotation::kRefName);
               ref != d.annotations.end() && ref->second.find('/') != std::string::npos) {
      name = ref->second;
    }
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

std::vector<PushReport> push(const PushOptions& options) {
  const archive::Layout layout = archive::Layout::open(options.image);
  const oci::Index index = layout.index();
  std::vector<std::string> texts = options.references.empty() ? image_tags(index) : options.references;
  if (texts.empty()) throw Error("the image has no tags; give the references to push to");
  std::vector<oci::Reference> refs;
  for (const auto& t : texts) {
    refs.push_back(push_reference(t));
    // io.containerd.image.name spells out docker.io also when the tag did not.
    if (options.references.empty() && refs.back().domain == "docker.io") {
      throw Error("the image's tag " + t + " may mean Docker Hub only by default; give " + t +
                  " as a reference to push to if Docker Hub is meant");
    }
  }

  Image image;
  std::set<std::string> seen;
  with_context(options.image.string(), [&] { collect(layout, the_image(index), 0, image, seen); });
  Pusher pusher(options, layout, image);
  if (options.attach_sboms) {
    std::vector<oci::Descriptor> manifests;
    for (const auto& doc : image.documents) {
      if (!is_index(doc.descriptor.media_type)) manifests.push_back(doc.descriptor);
    }
    pusher.set_sboms(find_sboms(options.image, options.sboms, manifests, options.access.warn));
  }
  std::vector<PushReport> reports;
  for (const auto& ref : refs) {
    reports.push_back(with_context("pushing " + ref.full(), [&] { return pusher.push(ref); }));
  }
  return reports;
}

}  // namespace ocipack::registry
