#include "build/cache.hpp"

#include "layer/compress.hpp"

#include "oci/json.hpp"
#include "util/chars.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <algorithm>
#include <sys/stat.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ocipack::build {

LayerCache::LayerCache(fs::path dir) : m_dir(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(m_dir, ec);
  if (ec) throw Error("cannot create the layer cache " + m_dir.string() + ": " + ec.message());
}

std::string LayerCache::key(const layer::Plan& plan, const layer::CompressionOptions& compression, std::int64_t mtime) {
  util::Sha256 h;
  auto add = [&](const std::string& s) { h.update(s.data(), s.size() + 1); };  // with the NUL
  auto stamp = [&](const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) throw_errno("cannot read " + p.string());
    add(std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
        std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
        std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec));
  };
  add("ocipack layer cache 1");
  stamp("/proc/self/exe");                       // a rebuilt tool may compress differently
  add(layer::compressor_identity(compression));  // ... and so may a new libdeflate
  add(std::to_string(mtime));
  for (const auto& e : plan.entries) {
    add(e.path);
    add(std::to_string(static_cast<int>(e.type)) + " " + std::to_string(e.mode) + " " + std::to_string(e.uid) + " " +
        std::to_string(e.gid) + " " + std::to_string(e.size));
    add(e.text);
    add(e.text);
    add(e.source);
    if (!e.source.empty()) stamp(e.source);
    add(std::to_string(e.patches.size()) + " patches");
    for (const auto& patch : e.patches) {
      add(std::to_string(patch.offset) + " " + std::to_string(patch.bytes.size()));
      h.update(patch.bytes.data(), patch.bytes.size());
    }
  }
  return h.finish_hex();
}

std::optional<CachedLayer> LayerCache::find(const std::string& key, const layer::Plan& plan, bool need_files) {
  m_used.insert(key);
  const fs::path blob = m_dir / (key + ".blob");
  const fs::path meta = m_dir / (key + ".json");
  std::error_code ec;
  if (!fs::exists(meta, ec) || !fs::exists(blob, ec)) return std::nullopt;
  try {
    CachedLayer out;
    out.blob = blob;
    json j = oci::parse_json(util::read_file(meta), "cache entry");
    out.written.descriptor = oci::descriptor_from_json(j.at("descriptor"));
    out.written.diff_id = oci::Digest::parse(j.at("diff_id").get<std::string>());
    // A cached layer has no streaming pass: its files' checksums (for the
    // SBOM) were kept beside the blob, when they were computed.
    // They are the plan's regular files, in its order (the key says so):
    // any other list is a damaged entry.
    if (auto files = j.find("files"); files != j.end()) {
      auto entry = plan.entries.begin();
      for (const auto& f : *files) {
        entry = std::find_if(entry, plan.entries.end(),
                             [](const layer::Entry& e) { return e.type == layer::Entry::Type::File; });
        if (entry == plan.entries.end() || f.at(0).get_ref<const std::string&>() != entry->path) return std::nullopt;
        out.written.files.push_back(
            {entry->path, util::FileDigests::from_hex(f.at(1).get<std::string>(), f.at(2).get<std::string>())});
        ++entry;
      }
      if (std::find_if(entry, plan.entries.end(), [](const layer::Entry& e) {
            return e.type == layer::Entry::Type::File;
          }) != plan.entries.end()) {
        return std::nullopt;
      }
      out.written.files_hashed = true;
    }
    if (need_files && !out.written.files_hashed) return std::nullopt;  // written again, hashed
    if (fs::file_size(blob) == out.written.descriptor.size) return out;
  } catch (const std::exception&) {
    // A damaged entry is rewritten.
  }
  return std::nullopt;
}

std::unique_ptr<util::ScratchFile> LayerCache::new_file() const { return std::make_unique<util::ScratchFile>(m_dir); }

void LayerCache::store(const std::string& key, util::ScratchFile& file, const layer::Written& written) {
  m_used.insert(key);
  file.persist(m_dir / (key + ".blob"));
  // Canonical JSON (keys in order), written file by file: a layer of
  // 100,000 files would otherwise be a JSON tree of 400,000 values first.
  util::OutputFile out(m_dir / (key + ".json"));
  std::string text = "{\"descriptor\":" + oci::canonical(oci::to_json(written.descriptor)) +
                     ",\"diff_id\":" + json(written.diff_id.str()).dump();
  if (written.files_hashed) {
    text += ",\"files\":[";
    for (std::size_t i = 0; i < written.files.size(); ++i) {
      const auto& f = written.files[i];
      text += (i == 0 ? "[" : ",[") + json(std::string(f.path)).dump() + ",\"" + f.digests.sha256_hex() + "\",\"" +
              f.digests.sha1_hex() + "\"]";
      if (text.size() >= 65536) {
        out.write(text.data(), text.size());
        text.clear();
      }
    }
    text += "]";
  }
  text += "}";
  out.write(text.data(), text.size());
  out.commit();
}

void LayerCache::prune() {
  // <64 hex>.blob and <64 hex>.json: the entries; anything else is kept.
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(m_dir, ec)) {
    const std::string name = f.path().filename().string();
    const std::string key = name.substr(0, 64);
    const std::string suffix = name.size() > 64 ? name.substr(64) : "";
    if (util::is_lower_hex(key, 64) && (suffix == ".blob" || suffix == ".json") && !m_used.count(key)) {
      fs::remove(f.path(), ec);
    }
  }
}

}  // namespace ocipack::build
