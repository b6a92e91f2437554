#include "sbom/dpkg.hpp"

#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/file.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace fs = std::filesystem;

namespace ocipack::sbom {

namespace {

std::string trim(const std::string& s) {
  const std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool blank(const std::string& line) { return trim(line).empty(); }

// One deb822 paragraph: its fields (the first line of each value; names as
// written) and its text.
struct Paragraph {
  std::map<std::string, std::string> fields;  // by lower-case name
  std::string text;
  std::size_t line = 0;  // where it starts, for errors
};

// The paragraphs of a deb822 file. A line that is neither "Name: value" nor
// a continuation, or a continuation with no field before it, is an Error.
std::vector<Paragraph> paragraphs(const std::string& text, const std::string& what) {
  std::vector<Paragraph> out;
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  bool open = false;
  while (std::getline(in, line)) {
    ++number;
    if (blank(line)) {
      open = false;
      continue;
    }
    if (!open) {
      out.emplace_back();
      out.back().line = number;
      open = true;
    }
    Paragraph& p = out.back();
    if (line[0] == ' ' || line[0] == '\t') {
      if (p.fields.empty())
        throw Error(what + " line " + std::to_string(number) + ": a continuation line with no field");
    } else {
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos || colon == 0 || line.find_first_of(" \t") < colon) {
        throw Error(what + " line " + std::to_string(number) + ": not a \"Field: value\" line: " + line);
      }
      p.fields[lower(line.substr(0, colon))] = trim(line.substr(colon + 1));
    }
    p.text += line + "\n";
  }
  return out;
}

std::string field(const Paragraph& p, const char* name) {
  auto it = p.fields.find(name);
  return it == p.fields.end() ? "" : it->second;
}

// The other spelling of a path under a merged /usr: /lib/x <-> /usr/lib/x.
std::string other_spelling(const std::string& path) {
  for (const char* dir : {"/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/"}) {
    const std::string d = dir;
    if (path.compare(0, d.size(), d) == 0) return "/usr" + path;
    if (path.compare(0, 4 + d.size(), "/usr" + d) == 0) return path.substr(4);
  }
  return "";
}

// purl components: what is not unreserved is percent-encoded (an epoch's
// ':' as %3A, '+' as %2B), as the purl specification says.
std::string purl_encode(const std::string& s) {
  return util::escape_bytes(
      s, [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~'; }, '%');
}

}  // namespace

bool is_status_file(const std::string& path) {
  const std::string dir = kStatusDir;
  const std::string suffix = ".md5sums";
  return path.compare(0, dir.size(), dir) == 0 && path.size() > dir.size() &&
         path.find('/', dir.size()) == std::string::npos &&
         !(path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0);
}

Distro parse_os_release(const std::string& text) {
  Distro d;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    const std::string key = trim(line.substr(0, eq));
    if (key == "ID") d.id = value;
    if (key == "VERSION_ID") d.version_id = value;
  }
  return d;
}

std::vector<Package> parse_status(const std::string& text, const std::string& what) {
  std::vector<Package> out;
  for (const Paragraph& p : paragraphs(text, what)) {
    // dpkg keeps removed packages' conffiles ("deinstall ok config-files"):
    // only what is installed is on the disk. status.d files have no Status.
    const std::string status = field(p, "status");
    if (!status.empty() && status.substr(status.rfind(' ') + 1) != "installed") continue;
    Package pkg;
    pkg.name = field(p, "package");
    pkg.version = field(p, "version");
    pkg.architecture = field(p, "architecture");
    if (pkg.name.empty() || pkg.version.empty()) {
      throw Error(what + " line " + std::to_string(p.line) + ": an installed package without Package or Version");
    }
    // "Source: glibc (2.36-9+deb12u4)" when the source's version differs.
    const std::string source = field(p, "source");
    const std::size_t paren = source.find('(');
    pkg.source_name = source.empty() ? pkg.name : trim(source.substr(0, paren));
    pkg.source_version =
        paren == std::string::npos ? pkg.version : trim(source.substr(paren + 1, source.find(')') - paren - 1));
    pkg.stanza = p.text;
    out.push_back(std::move(pkg));
  }
  return out;
}

std::string purl(const Package& package, const Distro& distro) {
  std::string out = "pkg:deb/" + purl_encode(distro.id.empty() ? "debian" : distro.id) + "/" +
                    purl_encode(package.name) + "@" + purl_encode(package.version);
  // Qualifiers sorted by key, as the purl specification orders them.
  std::vector<std::string> qualifiers;
  if (!package.architecture.empty()) qualifiers.push_back("arch=" + purl_encode(package.architecture));
  if (!distro.id.empty() && !distro.version_id.empty()) {
    qualifiers.push_back("distro=" + purl_encode(distro.id + "-" + distro.version_id));
  }
  for (std::size_t i = 0; i < qualifiers.size(); ++i) out += (i == 0 ? "?" : "&") + qualifiers[i];
  return out;
}

std::string spdx_license_id(const std::string& debian_name) {
  static const std::map<std::string, std::string> table = {{"gpl-1", "GPL-1.0-only"},
                                                           {"gpl-1+", "GPL-1.0-or-later"},
                                                           {"gpl-2", "GPL-2.0-only"},
                                                           {"gpl-2+", "GPL-2.0-or-later"},
                                                           {"gpl-3", "GPL-3.0-only"},
                                                           {"gpl-3+", "GPL-3.0-or-later"},
                                                           {"lgpl-2", "LGPL-2.0-only"},
                                                           {"lgpl-2+", "LGPL-2.0-or-later"},
                                                           {"lgpl-2.1", "LGPL-2.1-only"},
                                                           {"lgpl-2.1+", "LGPL-2.1-or-later"},
                                                           {"lgpl-3", "LGPL-3.0-only"},
                                                           {"lgpl-3+", "LGPL-3.0-or-later"},
                                                           {"agpl-3", "AGPL-3.0-only"},
                                                           {"agpl-3+", "AGPL-3.0-or-later"},
                                                           {"expat", "MIT"},
                                                           {"mit", "MIT"},
                                                           {"bsd-2-clause", "BSD-2-Clause"},
                                                           {"bsd-3-clause", "BSD-3-Clause"},
                                                           {"bsd-4-clause", "BSD-4-Clause"},
                                                           {"isc", "ISC"},
                                                           {"apache-2", "Apache-2.0"},
                                                           {"apache-2.0", "Apache-2.0"},
                                                           {"zlib", "Zlib"},
                                                           {"mpl-1.1", "MPL-1.1"},
                                                           {"mpl-2.0", "MPL-2.0"},
                                                           {"cc0-1.0", "CC0-1.0"},
                                                           {"openssl", "OpenSSL"},
                                                           {"curl", "curl"},
                                                           {"x11", "X11"},
                                                           {"psf-2", "Python-2.0"},
                                                           {"artistic", "Artistic-1.0-Perl"},
                                                           {"gfdl-1.3", "GFDL-1.3-only"},
                                                           {"gfdl-1.3+", "GFDL-1.3-or-later"},
                                                           {"public-domain", "LicenseRef-public-domain"}};
  const std::string name = trim(debian_name);
  if (auto it = table.find(lower(name)); it != table.end()) return it->second;
  // A LicenseRef may hold letters, digits, '.' and '-' only.
  std::string ref = "LicenseRef-";
  for (unsigned char c : name) ref += std::isalnum(c) || c == '.' || c == '-' ? static_cast<char>(c) : '-';
  return ref;
}

std::string copyright_license(const std::string& text) {
  std::vector<Paragraph> ps;
  try {
    ps = paragraphs(text, "copyright");
  } catch (const Error&) {
    return "NOASSERTION";  // free-form text: not machine-readable
  }
  if (ps.empty() || field(ps.front(), "format").find("copyright-format/1.0") == std::string::npos) {
    return "NOASSERTION";
  }
  for (const Paragraph& p : ps) {
    if (field(p, "files") != "*") continue;
    // "GPL-2+ or LGPL-2.1+", "BSD-3-clause and Expat": each name mapped,
    // the operators as SPDX writes them.
    std::istringstream words(field(p, "license"));
    std::string word, out, name;
    auto flush = [&] {
      if (!name.empty()) out += spdx_license_id(name);
      name.clear();
    };
    while (words >> word) {
      const std::string w = lower(word);
      if (w == "or" || w == "and") {
        flush();
        out += w == "or" ? " OR " : " AND ";
      } else {
        name += (name.empty() ? "" : "-") + word;  // "with X exception" stays one reference
      }
    }
    flush();
    return out.empty() ? "NOASSERTION" : out;
  }
  return "NOASSERTION";
}

Database Database::read(const fs::path& root) {
  Database db;
  db.m_root = root;
  const fs::path status = root / "var/lib/dpkg/status";
  db.m_packages = parse_status(util::read_file(status), status.string());
  for (const char* release : {"etc/os-release", "usr/lib/os-release"}) {
    if (util::is_file(root / release)) {
      db.m_distro = parse_os_release(util::read_file(root / release));
      break;
    }
  }
  return db;
}

void Database::want(const std::vector<std::string>& paths) const {
  for (const auto& path : paths) {
    for (const std::string& p : {path, other_spelling(path)}) {
      if (p.empty()) continue;
      if (auto [it, added] = m_wanted.insert(p); added) m_wanted_views.insert(*it);
    }
  }
}

void Database::read_lists() const {
  m_owners.clear();
  for (std::size_t i = 0; i < m_packages.size(); ++i) {
    const fs::path list = info_file(m_packages[i], ".list");
    if (list.empty()) {
      if (!m_lists_read) {
        m_notes.push_back("the dpkg database of " + m_root.string() + " has no file list for " + m_packages[i].name +
                          ": its files are not named as the package's");
      }
      continue;
    }
    const std::string text = util::read_file(list);
    for (std::size_t at = 0; at < text.size();) {
      std::size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      const std::string_view line(text.data() + at, end - at);
      if (auto it = m_wanted_views.find(line); it != m_wanted_views.end()) {
        m_owners.emplace(*it, i);  // a diverted path: its first lister
      }
      at = end + 1;
    }
  }
  m_lists_read = true;
  m_lists_read_for = m_wanted.size();
}

fs::path Database::info_file(const Package& package, const char* suffix) const {
  const fs::path info = m_root / "var/lib/dpkg/info";
  // Multi-Arch: same packages are named with their architecture.
  for (const std::string& stem : {package.name + ":" + package.architecture, package.name}) {
    if (util::is_file(info / (stem + suffix))) return info / (stem + suffix);
  }
  return {};
}

const Package* Database::owner(const std::string& path) const {
  want({path});
  if (!m_lists_read || m_lists_read_for != m_wanted.size()) read_lists();
  for (const std::string& p : {path, other_spelling(path)}) {
    if (auto it = m_owners.find(p); !p.empty() && it != m_owners.end()) return &m_packages[it->second];
  }
  return nullptr;
}

std::vector<std::string> Database::md5sums(const Package& package, const std::set<std::string>& paths) const {
  std::vector<std::string> out;
  const fs::path file = info_file(package, ".md5sums");
  if (file.empty()) return out;
  std::istringstream in(util::read_file(file));
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t gap = line.find("  ");  // "<md5>  <path without '/'>"
    if (gap == std::string::npos) continue;
    const std::string path = "/" + line.substr(gap + 2);
    if (paths.count(path) || paths.count(other_spelling(path))) out.push_back(line);
  }
  return out;
}

std::string Database::read_license(const Package& package) const {
  const fs::path copyright = m_root / "usr/share/doc" / package.name / "copyright";
  return util::is_file(copyright) ? copyright_license(util::read_file(copyright)) : "NOASSERTION";
}

SysrootPackages::SysrootPackages(const fs::path& sysroot) : m_sysroot(sysroot.lexically_normal()) {
  fs::path root = m_sysroot;
  if (root != "/" && !fs::exists(root / "var/lib/dpkg")) {
    root = "/";
    m_host_paths = true;
  }
  try {
    m_db = Database::read(root);
  } catch (const Error& e) {
    m_notes.push_back(std::string("no Debian packages named for the files of ") + m_sysroot.string() +
                      " (the SBOM lists them without packages): " + e.what());
  }
}

std::string SysrootPackages::database_path(const fs::path& source) const {
  const fs::path host = source.lexically_normal();
  if (m_host_paths) return host.string();
  const fs::path relative = host.lexically_relative(m_sysroot);
  if (relative.empty() || *relative.begin() == "..") return "";
  return "/" + relative.string();
}

std::vector<std::string> SysrootPackages::notes() const {
  std::vector<std::string> out = m_notes;
  if (m_db) out.insert(out.end(), m_db->notes().begin(), m_db->notes().end());
  return out;
}

void SysrootPackages::want(const std::vector<fs::path>& sources) const {
  if (!m_db) return;
  std::vector<std::string> paths;
  for (const auto& source : sources) {
    if (std::string path = database_path(source); !path.empty()) paths.push_back(std::move(path));
  }
  m_db->want(paths);
}

const Package* SysrootPackages::owner(const fs::path& source) const {
  if (!m_db) return nullptr;
  const std::string path = database_path(source);
  return path.empty() ? nullptr : m_db->owner(path);
}

}  // namespace ocipack::sbom
