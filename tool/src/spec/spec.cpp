#include "spec/spec.hpp"

#include "oci/json.hpp"
#include "util/chars.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

#include <algorithm>
#include <set>

namespace ocipack::spec {

using nlohmann::json;

namespace {

// Each throws Error naming the value.
void validate_env(const std::string& entry) {
  std::size_t eq = entry.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw Error("env \"" + entry + "\" is not of the form NAME=value");
  }
}

void validate_port(const std::string& port) {
  // <1-5 digits>/<tcp|udp|sctp>
  const std::size_t slash = port.find('/');
  const std::string_view number = std::string_view(port).substr(0, slash);
  const std::string protocol = slash == std::string::npos ? "" : port.substr(slash + 1);
  if (!util::is_digits(number, 1, 5) || (protocol != "tcp" && protocol != "udp" && protocol != "sctp") ||
      std::stoul(std::string(number)) < 1 || std::stoul(std::string(number)) > 65535) {
    throw Error("exposed port \"" + port + "\" is not <1-65535>/<tcp|udp|sctp>");
  }
}

// Checked by hand, not with std::regex: libstdc++'s matcher recurses once
// per character of a `+`, so a long value overflowed the stack (fuzzing).
void validate_user(const std::string& user) {
  // [^:\s]+(:[^:\s]+)?
  auto valid_part = [](const std::string& part) {
    return !part.empty() && part.find_first_of(": \t\n\v\f\r") == std::string::npos;
  };
  const std::size_t colon = user.find(':');
  const bool valid = colon == std::string::npos
                         ? valid_part(user)
                         : valid_part(user.substr(0, colon)) && valid_part(user.substr(colon + 1));
  if (!valid) {
    throw Error("user \"" + user + "\" is not <user>[:<group>]");
  }
}

}  // namespace

std::string normalize_image_dir(const std::string& dir, const char* what) {
  auto fail = [&](const std::string& why) { return Error(std::string(what) + " \"" + printable(dir) + "\" " + why); };
  if (dir.find('\0') != std::string::npos) throw fail("contains a NUL byte");
  if (dir.empty() || dir[0] != '/') throw fail("is not an absolute path");
  // Linux's limits: PATH_MAX 4096 with the NUL, NAME_MAX 255 per component.
  if (dir.size() > 4095) throw fail("is longer than 4095 bytes");
  std::string out;
  std::size_t i = 0;
  while (i < dir.size()) {
    std::size_t j = dir.find('/', i);
    if (j == std::string::npos) j = dir.size();
    std::string comp = dir.substr(i, j - i);
    if (comp == "." || comp == "..") throw fail("contains a \"" + comp + "\" component");
    if (comp.size() > 255) throw fail("has a component longer than 255 bytes");
    if (!comp.empty()) out += "/" + comp;
    i = j + 1;
  }
  return out.empty() ? "/" : out;
}

namespace {

const json& require(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) throw Error(std::string("missing field \"") + name + "\"");
  return *it;
}

std::string string_of(const json& v, const std::string& name) {
  if (!v.is_string()) throw Error("field \"" + name + "\" is not a string");
  return v.get<std::string>();
}

std::vector<std::string> strings_of(const json& v, const std::string& name) {
  if (!v.is_array()) throw Error("field \"" + name + "\" is not an array of strings");
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(string_of(e, name + "[]"));
  return out;
}

std::map<std::string, std::string> key_values(const json& v, const std::string& name) {
  std::map<std::string, std::string> out;
  for (const auto& kv : strings_of(v, name)) {
    std::size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error(name + " entry \"" + kv + "\" is not of the form key=value");
    }
    std::string key = kv.substr(0, eq);
    if (!out.emplace(key, kv.substr(eq + 1)).second) {
      throw Error(name + " key \"" + key + "\" is given twice");
    }
  }
  return out;
}

// (SIG)?[A-Z][A-Z0-9+-]* (a name: SIGTERM, SIGRTMIN+3) or [1-9][0-9]? (a
// number), by hand for the reason given at validate_user().
bool valid_stop_signal(const std::string& s) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.empty()) return false;
  if (digit(s[0])) return s[0] != '0' && (s.size() == 1 || (s.size() == 2 && digit(s[1])));
  if (!upper(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(), [&](char c) { return upper(c) || digit(c) || c == '+' || c == '-'; });
}

oci::ContainerConfig parse_config(const json& j) {
  if (!j.is_object()) throw Error("field \"config\" is not an object");
  oci::ContainerConfig c;
  if (auto it = j.find("entrypoint"); it != j.end()) c.entrypoint = strings_of(*it, "entrypoint");
  if (auto it = j.find("cmd"); it != j.end()) c.cmd = strings_of(*it, "cmd");
  if (auto it = j.find("env"); it != j.end()) c.env = strings_of(*it, "env");
  if (auto it = j.find("workdir"); it != j.end()) {
    c.working_dir = normalize_image_dir(string_of(*it, "workdir"), "workdir");
  }
  if (auto it = j.find("user"); it != j.end()) {
    c.user = string_of(*it, "user");
    validate_user(c.user);
  }
  if (auto it = j.find("exposed_ports"); it != j.end()) {
    std::set<std::string> seen;
    for (auto p : strings_of(*it, "exposed_ports")) {
      if (p.find('/') == std::string::npos) p += "/tcp";
      validate_port(p);
      if (seen.insert(p).second) c.exposed_ports.push_back(p);
    }
  }
  if (auto it = j.find("labels"); it != j.end()) c.labels = key_values(*it, "labels");
  if (auto it = j.find("volumes"); it != j.end()) {
    for (const auto& v : strings_of(*it, "volumes")) {
      std::string dir = normalize_image_dir(v, "volume");
      if (std::find(c.volumes.begin(), c.volumes.end(), dir) == c.volumes.end()) c.volumes.push_back(dir);
    }
  }
  if (auto it = j.find("stop_signal"); it != j.end()) {
    c.stop_signal = string_of(*it, "stop_signal");
    if (!valid_stop_signal(c.stop_signal)) {
      throw Error("stop signal \"" + c.stop_signal + "\" is not a signal name (SIGTERM) or number");
    }
  }

  // Environment: later entries replace earlier ones of the same name, as in
  // a Dockerfile. (The default PATH is added once a base image is merged.)
  std::vector<std::string> env;
  for (const auto& e : c.env) {
    validate_env(e);
    std::string name = e.substr(0, e.find('='));
    bool replaced = false;
    for (auto& existing : env) {
      if (existing.compare(0, name.size() + 1, name + "=") == 0) {
        existing = e;
        replaced = true;
      }
    }
    if (!replaced) env.push_back(e);
  }
  c.env = env;
  return c;
}

std::optional<unsigned> parse_mode(const json& j) {
  auto it = j.find("mode");
  if (it == j.end()) return std::nullopt;
  std::string mode = string_of(*it, "mode");
  const bool octal = std::all_of(mode.begin(), mode.end(), [](char c) { return c >= '0' && c <= '7'; });
  if (!octal || mode.size() < 3 || mode.size() > 4) throw Error("mode \"" + mode + "\" is not an octal mode like 0644");
  return static_cast<unsigned>(std::stoul(mode, nullptr, 8));
}

std::optional<Owner> parse_owner(const json& j) {
  auto it = j.find("owner");
  if (it == j.end()) return std::nullopt;
  std::string owner = string_of(*it, "owner");
  // <1-10 digits>[:<1-10 digits>]
  const std::size_t colon = owner.find(':');
  const std::string uid = owner.substr(0, colon);
  const std::string gid = colon == std::string::npos ? uid : owner.substr(colon + 1);
  if (!util::is_digits(uid, 1, 10) || !util::is_digits(gid, 1, 10) || std::stoull(uid) > 0xfffffffeull ||
      std::stoull(gid) > 0xfffffffeull) {
    throw Error("owner \"" + owner + "\" is not <uid>[:<gid>] (numbers)");
  }
  Owner o;
  o.uid = static_cast<unsigned>(std::stoul(uid));
  o.gid = static_cast<unsigned>(std::stoul(gid));
  return o;
}

FileSpec parse_file(const json& j) {
  if (!j.is_object()) throw Error("a file entry is not an object");
  FileSpec f;
  f.source = string_of(require(j, "source"), "source");
  if (f.source.empty() || f.source[0] != '/') {
    throw Error("source \"" + f.source + "\" is not an absolute path");
  }
  f.destination = normalize_image_dir(string_of(require(j, "destination"), "destination"), "destination");
  f.mode = parse_mode(j);
  f.owner = parse_owner(j);
  if (auto it = j.find("elf"); it != j.end()) {
    if (!it->is_boolean()) throw Error("field \"elf\" is not a boolean");
    f.elf = it->get<bool>();
  }
  if (auto it = j.find("name"); it != j.end()) {
    f.name = string_of(*it, "name");
    if (f.name.empty() || f.name == "." || f.name == ".." ||
        f.name.find_first_of(std::string("/\0", 2)) != std::string::npos) {
      throw Error("name \"" + f.name + "\" is not a file name");
    }
    if (f.source.back() == '/') throw Error("name \"" + f.name + "\" is given for the contents of " + f.source);
  }
  return f;
}

std::uint32_t parse_id(const json& j, const char* name) {
  // 4294967295 is (uid_t)-1, "no id" to the kernel's set*id calls.
  if (!j.is_number_unsigned() || j.get<std::uint64_t>() > 4294967294u) {
    throw Error(std::string("field \"") + name + "\" is not a number from 0 to 4294967294");
  }
  return static_cast<std::uint32_t>(j.get<std::uint64_t>());
}

// YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), by hand like validate_user.
// "sbom": {"formats": ["spdx"|"cyclonedx"...],
// "package_metadata": bool, "project": {"name", "version", "homepage", "revision"}}
SbomSpec parse_sbom(const json& j) {
  if (!j.is_object()) throw Error("field \"sbom\" is not an object");
  SbomSpec s;
  if (auto it = j.find("formats"); it != j.end()) {
    if (!it->is_array()) throw Error("field \"formats\" is not an array");
    for (const auto& f : *it) {
      const std::string format = string_of(f, "format");
      if (format == "spdx") {
        s.formats.push_back(SbomSpec::Format::Spdx);
      } else if (format == "cyclonedx") {
        s.formats.push_back(SbomSpec::Format::CycloneDx);
      } else {
        throw Error("format \"" + format + "\" is neither spdx nor cyclonedx");
      }
    }
  }
  if (auto it = j.find("package_metadata"); it != j.end()) {
    if (!it->is_boolean()) throw Error("field \"package_metadata\" is not a boolean");
    s.package_metadata = it->get<bool>();
  }
  if (auto it = j.find("project"); it != j.end()) {
    if (!it->is_object()) throw Error("field \"project\" is not an object");
    const std::pair<const char*, std::string*> fields[] = {{"name", &s.project_name},
                                                           {"version", &s.project_version},
                                                           {"homepage", &s.project_homepage},
                                                           {"revision", &s.project_revision}};
    for (const auto& [name, value] : fields) {
      if (auto f = it->find(name); f != it->end()) *value = string_of(*f, name);
    }
  }
  return s;
}

bool is_rfc3339(const std::string& t) {
  auto digits = [&](std::size_t at, std::size_t n) {
    if (at + n > t.size()) return false;
    for (std::size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
    }
    return true;
  };
  if (t.size() < 20 || t.size() > 40 || !digits(0, 4) || t[4] != '-' || !digits(5, 2) || t[7] != '-' || !digits(8, 2) ||
      (t[10] != 'T' && t[10] != 't') || !digits(11, 2) || t[13] != ':' || !digits(14, 2) || t[16] != ':' ||
      !digits(17, 2)) {
    return false;
  }
  std::size_t i = 19;
  if (t[i] == '.') {
    std::size_t start = ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) return i + 1 == t.size();
  return i + 6 == t.size() && (t[i] == '+' || t[i] == '-') && digits(i + 1, 2) && t[i + 3] == ':' && digits(i + 4, 2);
}

UserSpec parse_user(const json& j) {
  if (!j.is_object()) throw Error("a user entry is not an object");
  UserSpec u;
  u.name = string_of(require(j, "name"), "name");
  if (!is_account_name(u.name)) throw Error("user name \"" + u.name + "\" is not a valid account name");
  if (auto it = j.find("uid"); it != j.end()) u.uid = parse_id(*it, "uid");
  if (auto it = j.find("gid"); it != j.end()) u.gid = parse_id(*it, "gid");
  if (auto it = j.find("group"); it != j.end()) {
    u.group = string_of(*it, "group");
    if (!is_account_name(u.group)) throw Error("group name \"" + u.group + "\" is not a valid account name");
  }
  if (auto it = j.find("home"); it != j.end()) u.home = normalize_image_dir(string_of(*it, "home"), "home");
  if (auto it = j.find("shell"); it != j.end()) {
    u.shell = string_of(*it, "shell");
    if (u.shell.empty() || u.shell[0] != '/' || u.shell.find_first_of(std::string(":\n\0", 3)) != std::string::npos) {
      throw Error("shell \"" + u.shell + "\" is not an absolute path");
    }
  }
  return u;
}

RuntimeDependencies parse_runtime(const json& j) {
  if (!j.is_object()) throw Error("field \"runtime_dependencies\" is not an object");
  RuntimeDependencies r;
  std::string mode = string_of(require(j, "mode"), "mode");
  if (mode == "auto") {
    r.automatic = true;
  } else if (mode != "none") {
    throw Error("runtime_dependencies mode \"" + mode + "\" is not one of auto, none");
  }
  if (auto it = j.find("sysroot"); it != j.end()) {
    std::string root = string_of(*it, "sysroot");
    if (root.empty() || root[0] != '/') throw Error("sysroot \"" + root + "\" is not an absolute path");
    r.sysroot = root;
  }
  if (auto it = j.find("build_dir"); it != j.end()) {
    std::string dir = string_of(*it, "build_dir");
    if (dir.empty() || dir[0] != '/') throw Error("build_dir \"" + dir + "\" is not an absolute path");
    r.build_dir = dir;
  }
  if (auto it = j.find("libraries"); it != j.end()) {
    for (const auto& lib : strings_of(*it, "libraries")) {
      if (lib.empty() || (lib.find('/') != std::string::npos && lib[0] != '/')) {
        throw Error("runtime library \"" + lib + "\" is neither a file name nor an absolute path");
      }
      r.libraries.push_back(lib);
    }
  }
  if (auto it = j.find("library_files"); it != j.end()) {
    for (const auto& file : strings_of(*it, "library_files")) {
      if (file.empty() || file[0] != '/') throw Error("library file \"" + file + "\" is not an absolute path");
      r.library_files.push_back(file);
    }
  }
  return r;
}

// A name given to LOCALES or ICONV: printable, no blanks, no '/' (it
// becomes a file name or a lookup key).
void validate_data_name(const std::string& name, const char* field) {
  const bool valid = !name.empty() && name[0] != '.' && std::all_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) > ' ' && c != '\x7f' && c != '/';
  });
  if (!valid) throw Error(std::string(field) + " entry \"" + printable(name) + "\" is not a name");
}

bool boolean_of(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return false;
  if (!it->is_boolean()) throw Error(std::string("field \"") + name + "\" is not a boolean");
  return it->get<bool>();
}

RuntimeDataSpec parse_runtime_data(const json& j) {
  if (!j.is_object()) throw Error("field \"runtime_data\" is not an object");
  RuntimeDataSpec r;
  r.ca_certificates = boolean_of(j, "ca_certificates");
  r.tzdata = boolean_of(j, "tzdata");
  if (auto it = j.find("ca_files"); it != j.end()) {
    for (const auto& file : strings_of(*it, "ca_files")) {
      if (file.empty() || file[0] != '/') throw Error("ca_files entry \"" + file + "\" is not an absolute path");
      r.ca_files.push_back(file);
    }
  }
  if (!r.ca_files.empty() && !r.ca_certificates) {
    throw Error("ca_files \"" + r.ca_files.front().string() + "\" is given but ca_certificates is false");
  }
  if (auto it = j.find("locales"); it != j.end()) r.locales = strings_of(*it, "locales");
  for (const auto& l : r.locales) validate_data_name(l, "locales");
  if (auto it = j.find("iconv"); it != j.end()) r.iconv = strings_of(*it, "iconv");
  for (const auto& c : r.iconv) {
    validate_data_name(c, "iconv");
    if (c == "ALL" && r.iconv.size() > 1) throw Error("iconv entry \"ALL\" is given with other charsets");
  }
  return r;
}

}  // namespace

BuildSpec parse(const std::string& text) {
  json j = oci::parse_json(text, "the spec");
  if (!j.is_object()) throw Error("the spec is not a JSON object");
  const json& version = require(j, "version");
  if (!version.is_number_integer() || version.get<long long>() != kVersion) {
    throw Error("unsupported spec version " + version.dump() + " (this ocipack reads version " +
                std::to_string(kVersion) + "; rebuild the project with the module of the same ocipack)");
  }
  BuildSpec s;
  s.image = string_of(require(j, "image"), "image");
  for (const auto& t : strings_of(require(j, "tags"), "tags")) {
    s.tags.push_back(oci::Reference::parse_tag(t));
    s.tag_texts.push_back(t);
  }
  if (s.tags.empty()) throw Error("field \"tags\" is empty: an image needs at least one tag");

  std::string compression = "gzip";
  if (auto it = j.find("compression"); it != j.end()) compression = string_of(*it, "compression");
  if (compression == "gzip") {
    s.compression.method = layer::Compression::Gzip;
  } else if (compression == "zstd") {
    s.compression.method = layer::Compression::Zstd;
  } else if (compression == "none") {
    s.compression.method = layer::Compression::None;
  } else {
    throw Error("compression \"" + compression + "\" is not one of gzip, zstd, none");
  }
  if (auto it = j.find("compression_level"); it != j.end() && !it->is_null()) {
    if (s.compression.method == layer::Compression::None) {
      throw Error("compression_level " + it->dump() + " is given but compression is none");
    }
    const bool zstd = s.compression.method == layer::Compression::Zstd;
    const long long low = zstd ? layer::kMinZstdLevel : layer::kMinGzipLevel,
                    high = zstd ? layer::kMaxZstdLevel : layer::kMaxGzipLevel;
    if (!it->is_number_integer() || it->get<long long>() < low || it->get<long long>() > high) {
      throw Error("compression_level " + it->dump() + " is not a " + compression + " level from " +
                  std::to_string(low) + " (fastest) to " + std::to_string(high) + " (smallest)");
    }
    s.compression.level = it->get<int>();
  }

  s.config = with_context("config", [&] {
    auto it = j.find("config");
    return parse_config(it == j.end() ? json::object() : *it);
  });
  if (auto it = j.find("annotations"); it != j.end()) s.annotations = key_values(*it, "annotations");

  if (auto it = j.find("runtime_dependencies"); it != j.end()) s.runtime = parse_runtime(*it);
  if (auto it = j.find("base"); it != j.end()) {
    if (!it->is_object()) throw Error("field \"base\" is not an object");
    BaseSpec base;
    if (auto r = it->find("reference"); r != it->end()) {
      base.reference = string_of(*r, "base reference");
    } else {
      std::string path = string_of(require(*it, "path"), "base path");
      if (path.empty() || path[0] != '/') throw Error("base \"" + path + "\" is not an absolute path");
      base.path = path;
    }
    if (auto t = it->find("tag"); t != it->end()) base.tag = string_of(*t, "base tag");
    s.base = base;
  }
  if (auto it = j.find("skeleton"); it != j.end()) {
    if (!it->is_boolean()) throw Error("field \"skeleton\" is not a boolean");
    s.skeleton = it->get<bool>();
  }

  if (auto it = j.find("users"); it != j.end()) {
    if (!it->is_array()) throw Error("field \"users\" is not an array");
    std::set<std::string> names;
    for (const auto& u : *it) {
      s.users.push_back(with_context("users", [&] { return parse_user(u); }));
      if (!names.insert(s.users.back().name).second) {
        throw Error("user \"" + s.users.back().name + "\" is added twice");
      }
    }
  }
  if (auto it = j.find("created"); it != j.end()) {
    if (it->is_number_integer() && it->get<long long>() >= 0 && it->get<long long>() <= 253402300799LL) {
      s.created_epoch = it->get<std::int64_t>();
    } else if (it->is_string() && is_rfc3339(it->get<std::string>())) {
      s.created_text = it->get<std::string>();
    } else {
      throw Error("created " + it->dump() + " is neither seconds since 1970 nor an RFC 3339 time");
    }
  }
  if (auto it = j.find("strip"); it != j.end()) {
    const std::string strip = string_of(*it, "strip");
    if (strip.empty() || strip[0] != '/') throw Error("strip \"" + strip + "\" is not an absolute path");
    s.strip = strip;
  }
  if (auto it = j.find("dlopen_note"); it != j.end()) {
    if (!it->is_boolean()) throw Error("field \"dlopen_note\" is not a boolean");
    s.dlopen_note = it->get<bool>();
  }
  if (auto it = j.find("runtime_data"); it != j.end()) {
    s.runtime_data = with_context("runtime_data", [&] { return parse_runtime_data(*it); });
  }
  if (auto it = j.find("sbom"); it != j.end()) s.sbom = with_context("sbom", [&] { return parse_sbom(*it); });

  const json& layers = require(j, "layers");
  if (!layers.is_array()) throw Error("field \"layers\" is not an array");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    s.layers.push_back(with_context("layer " + std::to_string(i + 1), [&] {
      const json& l = layers[i];
      if (!l.is_object()) throw Error("not an object");
      LayerSpec layer;
      if (auto it = l.find("created_by"); it != l.end()) layer.created_by = string_of(*it, "created_by");
      const json& files = require(l, "files");
      if (!files.is_array()) throw Error("field \"files\" is not an array");
      for (const auto& f : files) layer.files.push_back(parse_file(f));
      if (auto it = l.find("directories"); it != l.end()) {
        if (!it->is_array()) throw Error("field \"directories\" is not an array");
        for (const auto& d : *it) {
          if (!d.is_object()) throw Error("a directory entry is not an object");
          DirectorySpec dir;
          dir.path = normalize_image_dir(string_of(require(d, "path"), "path"), "directory");
          if (dir.path == "/") throw Error("directory \"/\" cannot be added");
          dir.mode = parse_mode(d);
          dir.owner = parse_owner(d);
          layer.directories.push_back(dir);
        }
      }
      if (auto it = l.find("symlinks"); it != l.end()) {
        if (!it->is_array()) throw Error("field \"symlinks\" is not an array");
        for (const auto& sl : *it) {
          if (!sl.is_object()) throw Error("a symlink entry is not an object");
          SymlinkSpec link;
          link.path = normalize_image_dir(string_of(require(sl, "path"), "path"), "symlink");
          link.target = string_of(require(sl, "target"), "target");
          if (link.path == "/") throw Error("symlink \"/\" cannot be added");
          if (link.target.empty() || link.target.find('\0') != std::string::npos) {
            throw Error("symlink " + link.path + " has an empty or invalid target");
          }
          layer.symlinks.push_back(link);
        }
      }
      return layer;
    }));
  }
  return s;
}

bool is_account_name(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!lower(name[0]) && name[0] != '_') return false;
  const std::size_t end = name.back() == '$' ? name.size() - 1 : name.size();
  for (std::size_t i = 1; i < end; ++i) {
    if (!lower(name[i]) && !digit(name[i]) && name[i] != '_' && name[i] != '-') return false;
  }
  return true;
}

BuildSpec load(const std::filesystem::path& path) {
  return with_context("spec " + path.string(), [&] { return parse(util::read_file(path)); });
}

}  // namespace ocipack::spec
