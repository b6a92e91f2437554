#include "build/runtime_data.hpp"

#include "deps/resolve.hpp"
#include "layer/plan.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace ocipack::build {

namespace {

// Where the CA bundle is on Debian, for OpenSSL, GnuTLS and curl alike.
const char* const kBundle = "/etc/ssl/certs/ca-certificates.crt";
const char* const kZoneinfo = "/usr/share/zoneinfo";
const char* const kLocaleDir = "/usr/lib/locale";

// The byte order and word size of the build machine, which the build
// machine's compiled locales are written in.
constexpr bool kHostLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
constexpr bool kHost64 = sizeof(void*) == 8;

std::string upper(std::string s) {
  // glibc compares charset names upper-cased in the C locale: ASCII only.
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

class Collector {
public:
  Collector(const fs::path& root, const fs::path& build_root, const elf::Header& target, std::set<std::string>& inputs)
      : m_root(root),
        m_build_root(build_root),
        m_cross(root.lexically_normal() != build_root.lexically_normal()),
        m_target(target),
        m_inputs(inputs) {}

  void certificates(const spec::RuntimeDataSpec& spec);
  void tzdata();
  void locale(const std::string& name);
  void iconv(const std::vector<std::string>& charsets);

  RuntimeData finish() {
    layer::Plan plan = layer::plan_layer(m_copies, m_inputs);
    m_out.entries = std::move(plan.entries);
    m_out.entries.insert(m_out.entries.end(), m_generated.begin(), m_generated.end());
    layer::finalize(m_out.entries);
    return std::move(m_out);
  }

private:
  // A tree copied as it is (symlinks kept) from `host` to `image_dir`.
  void copy_tree(const fs::path& host, const std::string& image_dir) {
    spec::FileSpec f;
    f.source = host.string() + "/";  // its contents, into image_dir
    f.destination = image_dir;
    m_copies.files.push_back(f);
  }
  void copy_file(const fs::path& host, const std::string& image_path) {
    spec::FileSpec f;
    f.source = host.string();
    f.destination = fs::path(image_path).parent_path().string();
    f.name = fs::path(image_path).filename().string();
    m_copies.files.push_back(f);
  }

  // Where architecture-independent data at `image_path` comes from: the
  // sysroot, else (a cross sysroot: Debian's cross packages carry none) the
  // build machine, with a note. Empty when neither has it.
  fs::path independent(const std::string& image_path, bool directory, const char* keyword) {
    auto present = [&](const fs::path& p) { return directory ? util::is_dir(p) : util::is_file(p); };
    if (fs::path p = util::in_root(m_root, image_path); present(p)) return p;
    if (fs::path p = util::in_root(m_build_root, image_path); m_cross && present(p)) {
      m_out.notes.push_back(std::string(keyword) + ": the sysroot " + m_root.string() + " has no " + image_path +
                            "; taken from the build machine (the same on every architecture)");
      return p;
    }
    return {};
  }

  std::string missing(const std::string& what, const char* package) const {
    return "no " + what + " in the sysroot " + m_root.string() + (m_cross ? " nor on the build machine" : "") +
           ": install the " + package + " package there";
  }

  const fs::path m_root, m_build_root;
  const bool m_cross;
  const elf::Header m_target;
  std::set<std::string>& m_inputs;
  spec::LayerSpec m_copies;               // what is copied as it is, planned at the end
  std::vector<layer::Entry> m_generated;  // the CA bundle
  std::set<std::string> m_locales;        // normalized names already copied
  RuntimeData m_out;
};

void Collector::certificates(const spec::RuntimeDataSpec& spec) {
  fs::path bundle = independent(kBundle, false, "CA_CERTIFICATES");
  if (bundle.empty()) {
    throw Error("CA_CERTIFICATES: " + missing(std::string("CA bundle ") + kBundle, "ca-certificates"));
  }
  m_inputs.insert(bundle);
  std::string content = util::read_file(bundle);
  for (const auto& file : spec.ca_files) {
    std::string pem = with_context("CA_CERTIFICATES " + file.string(), [&] { return util::read_file(file); });
    m_inputs.insert(file);
    if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      throw Error("CA_CERTIFICATES " + file.string() + ": not a PEM file (no -----BEGIN CERTIFICATE----- line)");
    }
    if (!content.empty() && content.back() != '\n') content += '\n';
    content += pem;
  }
  m_generated.push_back(layer::generated_file(fs::path(kBundle).relative_path().string(), content));
  // OpenSSL's own directory, as Debian's openssl package links it.
  m_copies.symlinks.push_back({"/usr/lib/ssl/cert.pem", kBundle});
  m_copies.symlinks.push_back({"/usr/lib/ssl/certs", "/etc/ssl/certs"});
}

void Collector::tzdata() {
  fs::path zoneinfo = independent(kZoneinfo, true, "TZDATA");
  if (zoneinfo.empty()) throw Error("TZDATA: " + missing(kZoneinfo, "tzdata"));
  copy_tree(zoneinfo, kZoneinfo);
}

void Collector::locale(const std::string& name) {
  // glibc's own locales, compiled into it.
  if (name == "C" || name == "POSIX") return;
  const std::string normalized = normalize_locale(name);
  if (!m_locales.insert(normalized).second) return;  // another spelling of one already copied
  const std::string image_dir = std::string(kLocaleDir) + "/" + normalized;
  if (fs::path dir = util::in_root(m_root, image_dir); util::is_dir(dir)) return copy_tree(dir, image_dir);

  // Compiled locale files are in the byte order and word size of the
  // machine that compiled them.
  const bool host_fits = m_target.little_endian == kHostLittleEndian && m_target.is_64 == kHost64;
  if (fs::path host = util::in_root(m_build_root, image_dir); m_cross && host_fits && util::is_dir(host)) {
    m_out.notes.push_back("LOCALES " + name + ": the sysroot " + m_root.string() + " has no " + image_dir +
                          "; taken from the build machine (same byte order and word size as the target)");
    return copy_tree(host, image_dir);
  }
  std::string why = "no compiled locale directory " + image_dir + " in the sysroot " + m_root.string();
  if (util::is_file(util::in_root(m_root, std::string(kLocaleDir) + "/locale-archive"))) {
    why += " (only a locale-archive, which ocipack does not unpack)";
  }
  if (m_cross && !host_fits) why += " (the build machine's locales do not fit the target's byte order or word size)";
  // localedef's input is the name without its codeset; its charmap, the codeset.
  // (language[_territory][.codeset][@modifier])
  const std::size_t at = std::min(name.find('@'), name.size()), dot = std::min(name.find('.'), at);
  const std::string input = name.substr(0, dot) + name.substr(at);
  const std::string charmap = dot == at ? "<charmap>" : name.substr(dot + 1, at - dot - 1);
  throw Error("LOCALES " + name + ": " + why +
              "; compile it as a directory in the sysroot with localedef --no-archive -i " + input + " -f " + charmap +
              " " + name + " (Debian: the locales package)");
}

// --- ICONV ---------------------------------------------------------------

// The charsets glibc converts without a module (gconv_builtin.h: its
// builtin transformations and their aliases), upper-cased with their "//".
const std::set<std::string>& builtin_charsets() {
  static const std::set<std::string> names = {
      "INTERNAL", "ISO-10646/UCS4/", "UCS-4LE//", "ISO-10646/UTF8/", "ISO-10646/UCS2/", "UNICODELITTLE//",
      "UNICODEBIG//", "ANSI_X3.4-1968//",
      // aliases
      "UCS4//", "UCS-4//", "UCS-4BE//", "CSUCS4//", "ISO-10646//", "10646-1:1993//", "10646-1:1993/UCS4/",
      "OSF00010104//", "OSF00010105//", "OSF00010106//", "WCHAR_T//", "UTF8//", "UTF-8//", "ISO-IR-193//",
      "OSF05010001//", "ISO-10646/UTF-8/", "UCS2//", "UCS-2//", "OSF00010100//", "OSF00010101//", "OSF00010102//",
      "ANSI_X3.4//", "ISO-IR-6//", "ANSI_X3.4-1986//", "ISO_646.IRV:1991//", "ASCII//", "ISO646-US//", "US-ASCII//",
      "US//", "IBM367//", "CP367//", "CSASCII//", "OSF00010020//", "UCS-2LE//", "UCS-2BE//"};
  return names;
}

// gconv-modules and gconv-modules.d/*.conf, as glibc reads them.
struct GconvConfig {
  std::vector<fs::path> files;                           // host paths of the files read
  std::map<std::string, std::string> aliases;            // "LATIN1//" -> "ISO-8859-1//"
  std::map<std::string, std::set<std::string>> modules;  // charset -> image paths of its modules to/from INTERNAL
};

// The module file of a `module` line: relative names are in the gconv
// directory, and ".so" is added unless given.
std::string module_path(const std::string& dir, const std::string& file) {
  std::string path = file[0] == '/' ? file : dir + "/" + file;
  if (path.size() < 3 || path.compare(path.size() - 3, 3, ".so") != 0) path += ".so";
  return path;
}

void parse_gconv_file(const std::string& text, const std::string& image_dir, GconvConfig& config) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string kind, from, to, file;
    words >> kind >> from >> to;
    if (kind == "alias" && !to.empty()) {
      config.aliases.emplace(upper(from), upper(to));  // the first definition wins, as in glibc
    } else if (kind == "module" && words >> file) {
      from = upper(from);
      to = upper(to);
      if (to == "INTERNAL") config.modules[from].insert(module_path(image_dir, file));
      if (from == "INTERNAL") config.modules[to].insert(module_path(image_dir, file));
    }
  }
}

GconvConfig read_gconv_config(const fs::path& host_dir, const std::string& image_dir) {
  GconvConfig config;
  if (util::is_file(host_dir / "gconv-modules")) config.files.push_back(host_dir / "gconv-modules");
  if (util::is_dir(host_dir / "gconv-modules.d")) {
    std::vector<fs::path> confs;
    for (const auto& e : fs::directory_iterator(host_dir / "gconv-modules.d")) {
      const std::string name = e.path().filename().string();
      if (name[0] != '.' && e.path().extension() == ".conf") confs.push_back(e.path());
    }
    std::sort(confs.begin(), confs.end());  // glibc reads them in name order
    config.files.insert(config.files.end(), confs.begin(), confs.end());
  }
  for (const auto& f : config.files) parse_gconv_file(util::read_file(f), image_dir, config);
  return config;
}

bool same_arch(const elf::Header& a, const elf::Header& b) {
  return a.machine == b.machine && a.is_64 == b.is_64 && a.little_endian == b.little_endian;
}

// The first NUL-terminated absolute path ending in "/gconv" in `bytes`:
// the directory glibc was built to load its modules from (GCONV_PATH aside).
std::string gconv_path_in(const std::string& bytes) {
  static const std::string suffix("/gconv\0", 7);
  for (std::size_t end = bytes.find(suffix); end != std::string::npos; end = bytes.find(suffix, end + 1)) {
    std::size_t start = end;
    while (start > 0 && bytes[start - 1] > ' ' && bytes[start - 1] < 0x7f) --start;
    if (bytes[start] == '/' && (start == 0 || bytes[start - 1] == '\0')) return bytes.substr(start, end + 6 - start);
  }
  return {};
}

void Collector::iconv(const std::vector<std::string>& charsets) {
  // The sysroot's libc.so.6 of the target, in its default directories.
  fs::path libc;
  std::string searched;
  for (const auto& d : deps::default_directories(m_target)) {
    fs::path candidate = util::in_root(m_root, d) / "libc.so.6";
    searched += (searched.empty() ? "" : ", ") + d;
    if (util::is_file(candidate) && same_arch(elf::read_header(candidate), m_target)) {
      libc = candidate;
      break;
    }
  }
  if (libc.empty()) {
    throw Error("ICONV: no libc.so.6 of the target in the sysroot " + m_root.string() + " (searched " + searched + ")");
  }
  m_inputs.insert(libc);
  const std::string found = gconv_path_in(util::read_file(libc));
  if (found.empty()) throw Error("ICONV: " + libc.string() + " names no gconv directory");
  const std::string image_dir = spec::normalize_image_dir(found, "gconv directory");
  const fs::path host_dir = util::in_root(m_root, image_dir);

  GconvConfig config = read_gconv_config(host_dir, image_dir);
  if (config.files.empty()) {
    // Modules are machine code of the target's architecture: the build
    // machine's are never a substitute.
    throw Error("ICONV: the sysroot's glibc loads gconv modules from " + image_dir + ", but " + host_dir.string() +
                " has no gconv-modules (they are never taken from the build machine): install the target's libc6 "
                "package in the sysroot " +
                m_root.string());
  }
  m_inputs.insert(config.files.begin(), config.files.end());

  std::set<std::string> chosen;
  if (charsets == std::vector<std::string>{"ALL"}) {
    for (const auto& [charset, files] : config.modules) chosen.insert(files.begin(), files.end());
  }
  for (const auto& name : charsets) {
    if (name == "ALL") continue;
    const std::string key = upper(name) + "//";
    auto alias = config.aliases.find(key);
    const std::string real = alias == config.aliases.end() ? key : alias->second;
    if (builtin_charsets().count(key) != 0 || builtin_charsets().count(real) != 0) continue;  // in libc itself
    auto modules = config.modules.find(real);
    if (modules == config.modules.end()) {
      throw Error("ICONV " + name + ": unknown charset (neither glibc nor the gconv configuration in " +
                  host_dir.string() + " knows it)");
    }
    chosen.insert(modules->second.begin(), modules->second.end());
  }

  // The text configuration, not gconv-modules.cache: the cache describes
  // every module of the sysroot, and without it glibc reads the text files.
  if (util::is_file(host_dir / "gconv-modules")) copy_file(host_dir / "gconv-modules", image_dir + "/gconv-modules");
  if (util::is_dir(host_dir / "gconv-modules.d")) {
    copy_tree(host_dir / "gconv-modules.d", image_dir + "/gconv-modules.d");
  }
  for (const auto& image_path : chosen) {
    fs::path host = util::in_root(m_root, image_path);
    if (!util::is_file(host)) {
      throw Error("ICONV: the module " + image_path + " of the gconv configuration is not in the sysroot " +
                  m_root.string());
    }
    copy_file(host, image_path);
    m_out.modules.push_back({host, image_path});
  }
}

}  // namespace

std::string normalize_locale(const std::string& name) {
  const std::size_t dot = name.find('.');
  if (dot == std::string::npos) return name;
  const std::size_t at = name.find('@', dot);
  const std::string codeset = name.substr(dot + 1, at == std::string::npos ? at : at - dot - 1);
  // glibc's _nl_normalize_codeset: letters and digits only, letters in
  // lower case, "iso" before a codeset of digits only.
  std::string out;
  bool letters = false;
  for (char c : codeset) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
      out += static_cast<char>(c | 0x20);  // ASCII lower case
      letters = true;
    } else if (c >= '0' && c <= '9') {
      out += c;
    }
  }
  if (out.empty()) return name;
  if (!letters) out = "iso" + out;
  return name.substr(0, dot + 1) + out + (at == std::string::npos ? "" : name.substr(at));
}

RuntimeData collect_runtime_data(const spec::RuntimeDataSpec& spec, const fs::path& sysroot, const elf::Header& target,
                                 std::set<std::string>& inputs, const fs::path& build_root) {
  Collector c(sysroot, build_root, target, inputs);
  if (spec.ca_certificates) c.certificates(spec);
  if (spec.tzdata) c.tzdata();
  for (const auto& l : spec.locales) c.locale(l);
  if (!spec.iconv.empty()) c.iconv(spec.iconv);
  return c.finish();
}

}  // namespace ocipack::build
