#include "archive/layout.hpp"

#include "oci/annotations.hpp"
#include "oci/json.hpp"
#include "oci/reference.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <exception>
#include <set>

namespace ocipack::archive {

namespace {

constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";

bool is_index(const std::string& media_type) {
  return media_type == oci::media_type::kIndex || media_type == kDockerList;
}

// Passes a stream on, hashing it.
class HashingReader final : public ByteReader {
public:
  explicit HashingReader(std::unique_ptr<ByteReader> in) : m_in(std::move(in)) {}

  std::size_t read(char* buffer, std::size_t size) override {
    const std::size_t n = m_in->read(buffer, size);
    m_hash.update(buffer, n);
    m_size += n;
    return n;
  }

  // Reads what the consumer left; the digest and size of the whole.
  StreamSum finish() {
    std::vector<char> buffer(1 << 20);
    while (read(buffer.data(), buffer.size()) > 0) {}
    return {oci::Digest{m_hash.finish_hex()}, m_size};
  }

private:
  std::unique_ptr<ByteReader> m_in;
  util::Sha256 m_hash;
  std::uint64_t m_size = 0;
};

void check_size(const oci::Descriptor& d, const char* what, std::uint64_t size) {
  if (size != d.size) {
    throw Error(std::string(what) + " blob " + d.digest.str() + " has " + std::to_string(size) +
                " bytes, its descriptor says " + std::to_string(d.size));
  }
}

void check_digest(const oci::Descriptor& d, const char* what, const std::string& hex) {
  if (hex != d.digest.hex) {
    throw Error(std::string(what) + " blob " + d.digest.str() +
                " does not match its digest (its content hashes to sha256:" + hex + ")");
  }
}

// `depth` indexes are open above the next one.
void check_depth(int depth) {
  if (depth >= kMaxNestedIndexes) {
    throw Error("image indexes nested more than " + std::to_string(kMaxNestedIndexes) + " deep");
  }
}

bool platform_matches(const oci::Platform& have, const oci::Platform& want) {
  return have.architecture == want.architecture && have.os == want.os &&
         (have.variant.empty() || want.variant.empty() || have.variant == want.variant);
}

std::string annotation_of(const oci::Descriptor& d, const char* key) {
  auto it = d.annotations.find(key);
  return it == d.annotations.end() ? std::string() : it->second;
}

bool tag_matches(const oci::Descriptor& d, const std::string& tag) {
  const std::string ref_name = annotation_of(d, oci::annotation::kRefName);
  const std::string image_name = annotation_of(d, oci::annotation::kImageName);
  if (tag == ref_name || tag == image_name) return true;
  try {
    oci::Reference r = oci::Reference::parse_tag(tag);
    if (!image_name.empty()) return r.full() == oci::Reference::parse_tag(image_name).full();
    return ref_name == r.tag && tag.find(':') != std::string::npos;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

std::string blob_path(const oci::Digest& digest) { return "blobs/sha256/" + digest.hex; }

std::string tag_list(const oci::Index& index) {
  std::set<std::string> names;
  for (const auto& d : index.manifests) {
    for (const char* key : {oci::annotation::kImageName, oci::annotation::kRefName}) {
      if (std::string name = annotation_of(d, key); !name.empty()) {
        names.insert(name);
        break;
      }
    }
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "(no tags)" : out;
}

Layout::Layout(std::shared_ptr<const BlobSource> source) : m_source(std::move(source)) {}

Layout Layout::open(const std::filesystem::path& path) { return Layout(open_blob_source(path)); }

bool Layout::has_index() const { return m_source->size("index.json").has_value(); }

oci::Index Layout::index() const {
  return with_context("index.json", [&] {
    return oci::index_from_json(oci::parse_json(m_source->read_document("index.json"), "index.json"));
  });
}

void Layout::check_present(const oci::Descriptor& d, const char* what) const {
  std::optional<std::uint64_t> size = m_source->size(blob_path(d.digest));
  if (!size) throw Error("missing " + std::string(what) + " blob " + d.digest.str());
  check_size(d, what, *size);
}

std::string Layout::document(const oci::Descriptor& d, const char* what) const {
  check_present(d, what);
  std::string bytes = m_source->read_document(blob_path(d.digest));
  check_digest(d, what, util::Sha256::hex_of(bytes));
  return bytes;
}

oci::Index Layout::nested_index(const oci::Descriptor& d) const {
  const std::string bytes = document(d, "index");
  return with_context("index " + d.digest.str(),
                      [&] { return oci::index_from_json(oci::parse_json(bytes, "the index")); });
}

oci::Manifest Layout::manifest(const oci::Descriptor& d) const {
  if (d.media_type != oci::media_type::kManifest && d.media_type != kDockerManifest) {
    throw Error("unsupported manifest media type " + d.media_type);
  }
  const std::string bytes = document(d, "manifest");
  return with_context("manifest " + d.digest.str(),
                      [&] { return oci::manifest_from_json(oci::parse_json(bytes, "the manifest")); });
}

oci::ImageConfig Layout::config(const oci::Descriptor& d) const {
  const std::string bytes = document(d, "config");
  return with_context("config " + d.digest.str(),
                      [&] { return oci::config_from_json(oci::parse_json(bytes, "the config")); });
}

void Layout::stream_blob(const oci::Descriptor& d, const char* what,
                         const std::function<void(ByteReader&)>& consume) const {
  check_present(d, what);
  HashingReader in(m_source->open(blob_path(d.digest)));
  std::exception_ptr failed;
  try {
    if (consume) consume(in);
  } catch (const Error&) {
    failed = std::current_exception();  // reported unless the blob itself is wrong
  }
  const StreamSum sum = in.finish();
  check_size(d, what, sum.size);
  check_digest(d, what, sum.digest.hex);
  if (failed) std::rethrow_exception(failed);
}

StreamSum Layout::stream_file(const std::string& path, const std::function<void(ByteReader&)>& consume) const {
  HashingReader in(m_source->open(path));
  consume(in);
  return in.finish();
}

Blob Layout::tarball_blob(const oci::Descriptor& d) const { return m_source->blob(blob_path(d.digest), d.digest); }

oci::Descriptor Layout::select(const std::string& tag) const {
  const oci::Index top = index();
  std::vector<const oci::Descriptor*> picked;
  std::set<std::string> digests;
  for (const auto& d : top.manifests) {
    if (tag.empty() || tag_matches(d, tag)) {
      if (digests.insert(d.digest.hex).second) picked.push_back(&d);
    }
  }
  if (picked.empty()) throw Error("no image tagged \"" + tag + "\"; it holds " + tag_list(top));
  if (picked.size() > 1) throw Error("it holds several images (" + tag_list(top) + "); pick one with BASE_TAG");
  return *picked.front();
}

oci::Descriptor Layout::for_platform(const oci::Descriptor& entry, const oci::Platform& platform) const {
  oci::Descriptor chosen = entry;
  for (int depth = 0; is_index(chosen.media_type); ++depth) {
    check_depth(depth);
    const oci::Index nested = nested_index(chosen);
    const oci::Descriptor* match = nullptr;
    std::string have;
    for (const auto& d : nested.manifests) {
      if (!d.platform) continue;
      have += (have.empty() ? "" : ", ") + d.platform->str();
      if (match == nullptr && platform_matches(*d.platform, platform)) match = &d;
    }
    if (match == nullptr) throw Error("no image for " + platform.str() + " in it (it has " + have + ")");
    chosen = *match;
  }
  return chosen;
}

std::vector<oci::Descriptor> Layout::manifests_under(const oci::Descriptor& entry) const {
  std::vector<oci::Descriptor> out;
  std::set<std::string> seen;
  collect(entry, 0, out, seen);
  for (auto& m : out) {
    for (const auto& [k, v] : entry.annotations) m.annotations.emplace(k, v);
  }
  return out;
}

void Layout::collect(const oci::Descriptor& d, int depth, std::vector<oci::Descriptor>& out,
                     std::set<std::string>& seen) const {
  if (!seen.insert(d.digest.hex).second) return;
  if (!is_index(d.media_type)) {
    out.push_back(d);
    return;
  }
  check_depth(depth);
  for (const auto& m : nested_index(d).manifests) collect(m, depth + 1, out, seen);
}

}  // namespace ocipack::archive
