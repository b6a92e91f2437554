#include "oci/json.hpp"

#include "util/error.hpp"

#include <algorithm>

namespace ocipack::oci {

using nlohmann::json;

json to_json(const Platform& p) {
  json j = {{"architecture", p.architecture}, {"os", p.os}};
  if (!p.variant.empty()) j["variant"] = p.variant;
  return j;
}

json to_json(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform) j["platform"] = to_json(*d.platform);
  return j;
}

json to_json(const ImageConfig& c) {
  json config = json::object();
  const ContainerConfig& cc = c.config;
  if (cc.entrypoint) config["Entrypoint"] = *cc.entrypoint;
  if (cc.cmd) config["Cmd"] = *cc.cmd;
  if (!cc.env.empty()) config["Env"] = cc.env;
  if (!cc.working_dir.empty()) config["WorkingDir"] = cc.working_dir;
  if (!cc.user.empty()) config["User"] = cc.user;
  if (!cc.exposed_ports.empty()) {
    json ports = json::object();
    for (const auto& p : cc.exposed_ports) ports[p] = json::object();
    config["ExposedPorts"] = ports;
  }
  if (!cc.labels.empty()) config["Labels"] = cc.labels;
  if (!cc.volumes.empty()) {
    json volumes = json::object();
    for (const auto& v : cc.volumes) volumes[v] = json::object();
    config["Volumes"] = volumes;
  }
  if (!cc.stop_signal.empty()) config["StopSignal"] = cc.stop_signal;
  if (!c.other_config.empty()) {
    json other = json::parse(c.other_config);
    for (auto it = other.begin(); it != other.end(); ++it) {
      if (!config.contains(it.key())) config[it.key()] = it.value();
    }
  }

  json diff_ids = json::array();
  for (const auto& d : c.diff_ids) diff_ids.push_back(d.str());
  json history = json::array();
  for (const auto& h : c.history) {
    json e = {{"created", h.created}, {"created_by", h.created_by}};
    if (h.empty_layer) e["empty_layer"] = true;
    history.push_back(e);
  }
  json j = {{"architecture", c.platform.architecture},
            {"os", c.platform.os},
            {"created", c.created},
            {"config", config},
            {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
            {"history", history}};
  if (!c.platform.variant.empty()) j["variant"] = c.platform.variant;
  return j;
}

json to_json(const Manifest& m) {
  json layers = json::array();
  for (const auto& l : m.layers) layers.push_back(to_json(l));
  json j = {
      {"schemaVersion", 2}, {"mediaType", media_type::kManifest}, {"config", to_json(m.config)}, {"layers", layers}};
  if (!m.annotations.empty()) j["annotations"] = m.annotations;
  return j;
}

json to_json(const Index& i) {
  json manifests = json::array();
  for (const auto& d : i.manifests) manifests.push_back(to_json(d));
  return {{"schemaVersion", 2}, {"mediaType", media_type::kIndex}, {"manifests", manifests}};
}

std::string canonical(const json& j) {
  // Invalid UTF-8 is an error here (nlohmann's strict default), never mangled.
  try {
    return j.dump();
  } catch (const json::exception& e) {
    throw Error(std::string("cannot serialise JSON: ") + e.what());
  }
}

namespace {
// Far deeper than any spec or OCI document; deep enough nesting would
// overflow the stack of a recursive consumer, so it is refused up front.
constexpr int kMaxDepth = 64;

void check_depth(const std::string& text, const std::string& what) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) throw Error(what + " is nested more than " + std::to_string(kMaxDepth) + " levels deep");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}
}  // namespace

json parse_json(const std::string& text, const std::string& what) {
  check_depth(text, what);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(what + " is not valid JSON: " + e.what());
  }
}

namespace {

const json& field(const json& j, const char* name) {
  if (!j.is_object()) throw Error("expected a JSON object");
  auto it = j.find(name);
  if (it == j.end()) throw Error(std::string("missing field \"") + name + "\"");
  return *it;
}

std::string string_field(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_string()) throw Error(std::string("field \"") + name + "\" is not a string");
  return v.get<std::string>();
}

std::string optional_string(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) throw Error(std::string("field \"") + name + "\" is not a string");
  return it->get<std::string>();
}

std::vector<std::string> string_list(const json& v, const char* name) {
  if (!v.is_array()) throw Error(std::string("field \"") + name + "\" is not an array");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) throw Error(std::string("field \"") + name + "\" has a non-string element");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> string_map(const json& v, const char* name) {
  if (!v.is_object()) throw Error(std::string("field \"") + name + "\" is not an object");
  std::map<std::string, std::string> out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!it.value().is_string()) throw Error(std::string("field \"") + name + "\" has a non-string value");
    out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

}  // namespace

Platform platform_from_json(const json& j) {
  Platform p;
  p.architecture = string_field(j, "architecture");
  p.os = string_field(j, "os");
  p.variant = optional_string(j, "variant");
  return p;
}

Descriptor descriptor_from_json(const json& j) {
  Descriptor d;
  d.media_type = string_field(j, "mediaType");
  d.digest = Digest::parse(string_field(j, "digest"));
  const json& size = field(j, "size");
  if (!size.is_number_unsigned()) throw Error("field \"size\" is not a non-negative integer");
  d.size = size.get<std::uint64_t>();
  if (auto it = j.find("annotations"); it != j.end() && !it->is_null()) {
    d.annotations = string_map(*it, "annotations");
  }
  if (auto it = j.find("platform"); it != j.end() && !it->is_null()) {
    d.platform = with_context("platform", [&] { return platform_from_json(*it); });
  }
  return d;
}

ImageConfig config_from_json(const json& j) {
  ImageConfig c;
  c.platform.architecture = string_field(j, "architecture");
  c.platform.os = string_field(j, "os");
  c.platform.variant = optional_string(j, "variant");
  c.created = optional_string(j, "created");
  if (auto it = j.find("config"); it != j.end() && !it->is_null()) {
    const json& cj = *it;
    if (!cj.is_object()) throw Error("field \"config\" is not an object");
    ContainerConfig& cc = c.config;
    if (auto e = cj.find("Entrypoint"); e != cj.end() && !e->is_null()) cc.entrypoint = string_list(*e, "Entrypoint");
    if (auto e = cj.find("Cmd"); e != cj.end() && !e->is_null()) cc.cmd = string_list(*e, "Cmd");
    if (auto e = cj.find("Env"); e != cj.end() && !e->is_null()) cc.env = string_list(*e, "Env");
    cc.working_dir = optional_string(cj, "WorkingDir");
    cc.user = optional_string(cj, "User");
    if (auto e = cj.find("ExposedPorts"); e != cj.end() && !e->is_null()) {
      if (!e->is_object()) throw Error("field \"ExposedPorts\" is not an object");
      for (auto p = e->begin(); p != e->end(); ++p) cc.exposed_ports.push_back(p.key());
    }
    if (auto e = cj.find("Labels"); e != cj.end() && !e->is_null()) cc.labels = string_map(*e, "Labels");
    if (auto e = cj.find("Volumes"); e != cj.end() && !e->is_null()) {
      if (!e->is_object()) throw Error("field \"Volumes\" is not an object");
      for (auto p = e->begin(); p != e->end(); ++p) cc.volumes.push_back(p.key());
    }
    cc.stop_signal = optional_string(cj, "StopSignal");
    json other = json::object();
    static const char* const modelled[] = {"Entrypoint",   "Cmd",    "Env",     "WorkingDir", "User",
                                           "ExposedPorts", "Labels", "Volumes", "StopSignal"};
    for (auto it = cj.begin(); it != cj.end(); ++it) {
      if (std::find(std::begin(modelled), std::end(modelled), it.key()) == std::end(modelled) &&
          !it.value().is_null()) {
        other[it.key()] = it.value();
      }
    }
    if (!other.empty()) c.other_config = other.dump();
  }
  const json& rootfs = field(j, "rootfs");
  for (const auto& d : string_list(field(rootfs, "diff_ids"), "diff_ids")) {
    c.diff_ids.push_back(Digest::parse(d));
  }
  if (auto it = j.find("history"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) throw Error("field \"history\" is not an array");
    for (const auto& h : *it) {
      History e;
      e.created = optional_string(h, "created");
      e.created_by = optional_string(h, "created_by");
      if (auto el = h.find("empty_layer"); el != h.end() && el->is_boolean()) e.empty_layer = el->get<bool>();
      c.history.push_back(e);
    }
  }
  return c;
}

Manifest manifest_from_json(const json& j) {
  Manifest m;
  m.config = with_context("config", [&] { return descriptor_from_json(field(j, "config")); });
  const json& layers = field(j, "layers");
  if (!layers.is_array()) throw Error("field \"layers\" is not an array");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    m.layers.push_back(with_context("layer " + std::to_string(i + 1), [&] { return descriptor_from_json(layers[i]); }));
  }
  if (auto it = j.find("annotations"); it != j.end() && !it->is_null()) {
    m.annotations = string_map(*it, "annotations");
  }
  return m;
}

Index index_from_json(const json& j) {
  Index i;
  const json& manifests = field(j, "manifests");
  if (!manifests.is_array()) throw Error("field \"manifests\" is not an array");
  for (std::size_t k = 0; k < manifests.size(); ++k) {
    i.manifests.push_back(
        with_context("manifest " + std::to_string(k + 1), [&] { return descriptor_from_json(manifests[k]); }));
  }
  return i;
}

}  // namespace ocipack::oci
