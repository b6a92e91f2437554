#include "registry/referrers.hpp"

#include "oci/json.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <fstream>
#include <system_error>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ocipack::registry {

namespace {

// Where a document names the image it describes: ocipack's SPDX and
// CycloneDX writers put the manifest digest in their first lines (the
// document name, the image component's version).
constexpr std::size_t kHeadBytes = 64 << 10;
// The digest of "{}", the empty config of OCI 1.1 artifacts.
constexpr const char* kEmptyDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

std::string head_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("cannot read " + file.string());
  std::string head(kHeadBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string artifact_type_of(const fs::path& file, const std::string& head) {
  const std::string name = file.filename().string();
  if (ends_with(name, ".spdx.json") || head.find("\"spdxVersion\"") != std::string::npos) return oci::media_type::kSpdx;
  if (ends_with(name, ".cdx.json") || head.find("\"bomFormat\"") != std::string::npos) {
    return oci::media_type::kCycloneDx;
  }
  throw Error(file.string() + " is neither an SPDX nor a CycloneDX JSON document");
}

// The files the build wrote beside `image`: <stem>.spdx.json, <stem>.cdx.json,
// <stem>.<platform>.spdx.json ..., in name order.
std::vector<fs::path> beside(const fs::path& image) {
  std::string stem = image.filename().string();
  if (ends_with(stem, ".tar")) stem.resize(stem.size() - 4);
  std::vector<fs::path> out;
  std::error_code ec;
  const fs::path dir = image.has_parent_path() ? image.parent_path() : fs::path(".");
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(stem + ".", 0) != 0) continue;
    if (ends_with(name, ".spdx.json") || ends_with(name, ".cdx.json")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<Sbom> find_sboms(const fs::path& image, const std::vector<fs::path>& given,
                             const std::vector<oci::Descriptor>& manifests,
                             const std::function<void(const std::string&)>& warn) {
  std::vector<Sbom> out;
  const bool explicit_files = !given.empty();
  for (const auto& file : explicit_files ? given : beside(image)) {
    const std::string head = head_of(file);
    const auto subject = std::find_if(manifests.begin(), manifests.end(), [&](const oci::Descriptor& m) {
      return head.find(m.digest.str()) != std::string::npos;
    });
    if (subject == manifests.end()) {
      const std::string why = file.string() + " describes none of the image's manifests (" +
                              (manifests.empty() ? std::string("none") : manifests.front().digest.str()) +
                              (manifests.size() > 1 ? ", ..." : "") + ")";
      if (explicit_files) throw Error("--sbom " + why + "; build the image and its SBOM again");
      if (warn) warn(why + ": it is from another build, and is not attached");
      continue;
    }
    out.push_back({file, artifact_type_of(file, head), *subject});
  }
  return out;
}

std::string artifact_manifest(const Sbom& sbom, const oci::Descriptor& blob) {
  json layer = oci::to_json(blob);
  layer["annotations"] = {{"org.opencontainers.image.title", sbom.file.filename().string()}};
  json subject = {
      {"mediaType", sbom.subject.media_type}, {"digest", sbom.subject.digest.str()}, {"size", sbom.subject.size}};
  return oci::canonical(
      json{{"schemaVersion", 2},
           {"mediaType", oci::media_type::kManifest},
           {"artifactType", sbom.artifact_type},
           {"config", {{"mediaType", oci::media_type::kEmpty}, {"digest", kEmptyDigest}, {"size", 2}}},
           {"layers", json::array({layer})},
           {"subject", subject}});
}

std::string fallback_tag(const oci::Digest& subject) { return "sha256-" + subject.hex; }

namespace {

json referrers_index(const std::string& index) {
  json j = index.empty()
               ? json{{"schemaVersion", 2}, {"mediaType", oci::media_type::kIndex}, {"manifests", json::array()}}
               : oci::parse_json(index, "the referrers index");
  if (!j.is_object() || !j.contains("manifests") || !j["manifests"].is_array()) {
    throw Error("the referrers index is not an image index");
  }
  return j;
}

}  // namespace

bool lists_referrer(const std::string& index, const oci::Digest& artifact) {
  const json j = referrers_index(index);
  for (const auto& m : j["manifests"]) {
    if (m.is_object() && m.value("digest", "") == artifact.str()) return true;
  }
  return false;
}

std::optional<std::string> with_referrer(const std::string& index, const oci::Descriptor& artifact,
                                         const std::string& artifact_type) {
  if (!index.empty() && lists_referrer(index, artifact.digest)) return std::nullopt;
  json j = referrers_index(index);
  json entry = oci::to_json(artifact);
  entry["artifactType"] = artifact_type;
  j["manifests"].push_back(entry);
  return oci::canonical(j);
}

}  // namespace ocipack::registry
