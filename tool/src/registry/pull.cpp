#include "registry/pull.hpp"

#include "oci/annotations.hpp"
#include "registry/cache.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ocipack::registry {

namespace {

constexpr std::string_view kTransport = "docker://";
constexpr std::string_view kBlobs = "blobs/sha256/";

std::string read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A manifest's or index's media type from its own bytes (the cache keeps
// only those): its mediaType, else what its members say it is.
std::string media_type_of(const json& j) {
  if (j.is_object() && j.contains("mediaType") && j["mediaType"].is_string()) return j["mediaType"];
  return j.is_object() && j.contains("manifests") ? oci::media_type::kIndex : oci::media_type::kManifest;
}

// The blobs of one image in a registry, through the cache.
class RegistrySource final : public archive::BlobSource {
public:
  RegistrySource(oci::Reference ref, const PullOptions& options)
      : m_ref(std::move(ref)), m_options(options), m_cache(options.cache_dir) {
    if (options.cache_dir.empty()) {
      throw Error("no cache directory for " + where() + ": set OCIPACK_CACHE_DIR (or XDG_CACHE_HOME or HOME)");
    }
    const oci::Digest& top = *m_ref.digest;
    m_manifests.insert(top.hex);
    const fs::path path = ensure(top);
    m_dir = archive::open_blob_source(m_cache.dir());
    const std::string bytes = read_whole(path);
    json entry = {{"mediaType", media_type_of(json::parse(bytes, nullptr, false))},
                  {"digest", top.str()},
                  {"size", bytes.size()},
                  {"annotations", {{oci::annotation::kImageName, where()}}}};
    m_index = json{{"schemaVersion", 2}, {"manifests", json::array({entry})}}.dump();
  }

  std::optional<std::uint64_t> size(const std::string& path) const override {
    if (path == "index.json") return m_index.size();
    const std::optional<oci::Digest> d = digest_of(path);
    if (!d) return std::nullopt;
    return fs::file_size(ensure(*d));
  }

  std::unique_ptr<archive::ByteReader> open(const std::string& path, std::uint64_t offset) const override {
    if (path == "index.json")
      return std::make_unique<archive::StringReader>(m_index.substr(std::min<std::size_t>(offset, m_index.size())));
    const std::optional<oci::Digest> d = digest_of(path);
    if (!d) throw Error(where() + " has no " + path);
    ensure(*d);
    return m_dir->open(path, offset);
  }

  archive::Blob blob(const std::string& path, const oci::Digest& digest) const override {
    ensure(digest);
    return m_dir->blob(path, digest);
  }

private:
  std::string where() const { return m_ref.name() + "@" + m_ref.digest->str(); }

  static std::optional<oci::Digest> digest_of(const std::string& path) {
    if (path.rfind(kBlobs, 0) != 0) return std::nullopt;
    try {
      return oci::Digest::parse("sha256:" + path.substr(kBlobs.size()));
    } catch (const Error&) {
      return std::nullopt;
    }
  }

  // The blob in the cache, fetched first when it is not there (or damaged).
  fs::path ensure(const oci::Digest& d) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    const bool manifest = m_manifests.count(d.hex) > 0;
    std::optional<fs::path> path = m_cache.find(d);
    if (!path) {
      BlobCache::Incoming in(m_cache, d);
      if (manifest) {
        const std::string doc = client().get_manifest(m_ref.path, d.str());
        in.write(doc.data(), doc.size());
      } else {
        client().get_blob(
            m_ref.path, d, [&] { in.restart(); }, [&](const char* p, std::size_t n) { in.write(p, n); });
      }
      path = with_context(m_ref.domain + "/" + m_ref.path + ": " + (manifest ? "manifest " : "blob ") + d.str(),
                          [&] { return in.commit(std::nullopt); });
    }
    if (manifest) {
      // An index's members are manifests too: asked for at /manifests/.
      const json j = json::parse(read_whole(*path), nullptr, false);
      if (j.is_object() && j.contains("manifests") && j["manifests"].is_array()) {
        for (const auto& m : j["manifests"]) {
          if (m.is_object() && m.contains("digest") && m["digest"].is_string()) {
            const std::string digest = m["digest"];
            if (digest.rfind("sha256:", 0) == 0) m_manifests.insert(digest.substr(7));
          }
        }
      }
    }
    return *path;
  }

  Client& client() const {
    if (!m_client) {
      m_client = std::make_unique<Client>(client_options(m_options.access, m_ref.domain));
      m_client->ping();
    }
    return *m_client;
  }

  oci::Reference m_ref;
  const PullOptions& m_options;
  BlobCache m_cache;
  std::shared_ptr<const archive::BlobSource> m_dir;  // the cache, read as an OCI layout's blobs
  std::string m_index;
  mutable std::mutex m_mutex;
  mutable std::set<std::string> m_manifests;  // digests to ask for at /manifests/
  mutable std::unique_ptr<Client> m_client;   // made at the first request: a cached image needs none
};

}  // namespace

oci::Reference pull_reference(const std::string& text) {
  std::string_view ref = text;
  if (ref.rfind(kTransport, 0) == 0) ref.remove_prefix(kTransport.size());
  oci::Reference parsed = [&] {
    try {
      return oci::Reference::parse_digested(ref);
    } catch (const Error& e) {
      if (ref.find('@') != std::string_view::npos) throw;
      throw Error("\"" + text +
                  "\" names no digest: pin it, so that every build uses the same base (`ocipack resolve " + text +
                  "` prints " + text + "@sha256:...)");
    }
  }();
  if (parsed.domain.empty()) throw Error("\"" + text + "\" names no registry host");
  return parsed;
}

oci::Reference resolve_reference(const std::string& text) {
  std::string_view ref = text;
  if (ref.rfind(kTransport, 0) == 0) ref.remove_prefix(kTransport.size());
  const std::size_t at = ref.find('@');
  oci::Reference parsed = oci::Reference::parse_tag(ref.substr(0, at));
  if (parsed.domain.empty()) throw Error("\"" + text + "\" names no registry host");
  return parsed;
}

archive::Layout open_pulled(const oci::Reference& ref, const PullOptions& options) {
  return archive::Layout(std::make_shared<RegistrySource>(ref, options));
}

oci::Digest resolve(const oci::Reference& ref, const PullOptions& options) {
  Client client(client_options(options.access, ref.domain));
  client.ping();
  // Hashed here: a registry's Docker-Content-Digest is not required to be there.
  const std::string doc = client.get_manifest(ref.path, ref.tag.empty() ? "latest" : ref.tag);
  return oci::Digest::parse("sha256:" + util::Sha256::hex_of(doc));
}

}  // namespace ocipack::registry
