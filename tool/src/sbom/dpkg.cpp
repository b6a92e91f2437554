#include "sbom/dpkg.hpp"

#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/file.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <dirent.h>
#include <sys/stat.h>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

namespace fs = std::filesystem;
using nlohmann::json;

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

// Without the spaces, tabs and carriage returns at both ends.
std::string_view trim_view(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

bool same_name(std::string_view a, const char* b) {
  const std::size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// One deb822 paragraph, as views of the text it was read from (which must
// outlive it): its fields (names as written, the first line of each
// value) and its text, its lines without the blank ones around it.
struct Paragraph {
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  std::string_view text;
  std::size_t line = 0;  // where it starts, for errors
};

// The paragraphs of a deb822 file. A line that is neither "Name: value" nor
// a continuation, or a continuation with no field before it, is an Error.
// Views, not copies: a status file is 800 KB of 900 paragraphs, read by
// every first build with an SBOM.
std::vector<Paragraph> paragraphs(const std::string& text, const std::string& what) {
  std::vector<Paragraph> out;
  std::size_t number = 0;
  bool open = false;
  std::size_t start = 0;  // of the open paragraph's first line
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + at, end - at);
    const std::size_t begin = at;
    at = end + 1;
    ++number;
    if (trim_view(line).empty()) {
      open = false;
      continue;
    }
    if (!open) {
      out.emplace_back();
      out.back().line = number;
      start = begin;
      open = true;
    }
    Paragraph& p = out.back();
    if (line[0] == ' ' || line[0] == '\t') {
      if (p.fields.empty())
        throw Error(what + " line " + std::to_string(number) + ": a continuation line with no field");
    } else {
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0 || line.find_first_of(" \t") < colon) {
        throw Error(what + " line " + std::to_string(number) + ": not a \"Field: value\" line: " + std::string(line));
      }
      p.fields.emplace_back(line.substr(0, colon), trim_view(line.substr(colon + 1)));
    }
    // The paragraph's lines are contiguous in the text: it grows to this one.
    p.text = std::string_view(text.data() + start, begin + line.size() - start);
  }
  return out;
}

// The value of field `name` (lower case; field names are matched without
// case), the last one given; empty when there is none.
std::string field(const Paragraph& p, const char* name) {
  for (auto it = p.fields.rbegin(); it != p.fields.rend(); ++it) {
    if (same_name(it->first, name)) return std::string(it->second);
  }
  return "";
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
    pkg.stanza.reserve(p.text.size() + 1);
    pkg.stanza.assign(p.text);
    pkg.stanza += '\n';  // every line '\n'-terminated, the last one too
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

namespace {

// FNV-1a, 64 bits: what the answers file keeps of a path no package owns
// (a name per path would make the file as large as the image's file list).
std::uint64_t path_hash(std::string_view path) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : path) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// What says the status file is the one answers were found in: dpkg writes
// a new one (a new inode, a new time) on every change to the packages.
std::string status_identity(const fs::path& status) {
  struct stat st {};
  if (::stat(status.c_str(), &st) != 0) return "";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

Distro read_distro(const fs::path& root) {
  for (const char* release : {"etc/os-release", "usr/lib/os-release"}) {
    if (util::is_file(root / release)) return parse_os_release(util::read_file(root / release));
  }
  return {};
}

constexpr int kAnswersVersion = 1;

}  // namespace

Database Database::read(const fs::path& root) {
  Database db;
  db.m_root = root;
  db.parse();
  db.m_distro = read_distro(root);
  return db;
}

Database Database::open(const fs::path& root, const fs::path& answers) {
  Database db;
  db.m_root = root;
  db.m_answers_file = answers;
  db.m_identity = status_identity(root / "var/lib/dpkg/status");
  if (!db.m_identity.empty() && !answers.empty()) db.load_answers(db.m_identity);
  // The status file is read at the first question the answers leave open
  // (780 KB and 13 ms here): an image that asks none, such as one with
  // SBOM NONE and no runtime dependencies, never reads it.
  db.m_lazy = true;
  db.m_notes = db.m_kept_notes;
  db.m_distro = read_distro(root);
  return db;
}

void Database::parse() const {
  if (m_parsed) return;
  const fs::path status = m_root / "var/lib/dpkg/status";
  try {
    m_packages = parse_status(util::read_file(status), status.string());
  } catch (const Error& e) {
    if (!m_lazy) throw;
    // Read in the middle of a build: no owners, and failure() says why.
    m_packages.clear();
    m_failure = e.what();
  }
  m_parsed = true;
}

void Database::load_answers(const std::string& identity) {
  try {
    std::error_code ec;
    if (!fs::is_regular_file(m_answers_file, ec)) return;
    const json j = json::parse(util::read_file(m_answers_file));
    if (j.at("version") != kAnswersVersion || j.at("root") != m_root.string() || j.at("status") != identity) return;
    std::deque<Package> packages;
    for (const auto& stanza : j.at("packages")) {
      std::vector<Package> one = parse_status(stanza.get<std::string>(), m_answers_file.string());
      if (one.size() != 1) return;
      packages.push_back(std::move(one.front()));
    }
    std::unordered_map<std::string, std::size_t> owners;
    for (const auto& [path, index] : j.at("owners").items()) {
      if (index.get<std::size_t>() >= packages.size()) return;
      owners.emplace(path, index.get<std::size_t>());
    }
    const std::string hex = j.at("unowned").get<std::string>();
    if (hex.size() % 16 != 0) return;
    std::vector<std::uint64_t> unowned;
    for (std::size_t i = 0; i < hex.size(); i += 16) unowned.push_back(std::stoull(hex.substr(i, 16), nullptr, 16));
    if (!std::is_sorted(unowned.begin(), unowned.end())) return;
    std::vector<std::string> notes = j.at("notes").get<std::vector<std::string>>();
    m_kept_packages = std::move(packages);
    m_kept_owners = std::move(owners);
    m_kept_unowned = std::move(unowned);
    m_kept_notes = std::move(notes);
  } catch (const std::exception&) {
    // Damaged: every path is looked up again and the file written anew.
  }
}

bool Database::kept_answer(std::string_view path, const Package*& package) const {
  if (auto it = m_kept_owners.find(std::string(path)); it != m_kept_owners.end()) {
    package = &m_kept_packages[it->second];
    return true;
  }
  if (std::binary_search(m_kept_unowned.begin(), m_kept_unowned.end(), path_hash(path))) {
    package = nullptr;
    return true;
  }
  return false;
}

bool Database::is_wanted(std::string_view path) const {
  // Most listed lines have no wanted path's length: those are not hashed.
  if (path.size() < m_wanted_lengths.size() && !m_wanted_lengths[path.size()]) return false;
  return std::binary_search(m_wanted.begin(), m_wanted.end(), path_hash(path));
}

void Database::want_length(std::size_t length) const {
  if (length < m_wanted_lengths.size()) m_wanted_lengths[length] = true;
}

void Database::want(const std::vector<std::string_view>& paths) const {
  const std::size_t before = m_wanted.size();
  for (std::string_view path : paths) {
    const Package* kept = nullptr;
    if (kept_answer(path, kept)) continue;
    m_wanted.push_back(path_hash(path));
    want_length(path.size());
    const std::string other = other_spelling(std::string(path));
    if (!other.empty()) {
      m_wanted.push_back(path_hash(other));
      want_length(other.size());
    }
  }
  if (m_wanted.size() == before) return;
  std::sort(m_wanted.begin() + static_cast<std::ptrdiff_t>(before), m_wanted.end());
  std::inplace_merge(m_wanted.begin(), m_wanted.begin() + static_cast<std::ptrdiff_t>(before), m_wanted.end());
  m_wanted.erase(std::unique(m_wanted.begin(), m_wanted.end()), m_wanted.end());
}

void Database::read_lists() const {
  parse();
  m_owners.clear();
  for (std::size_t i = 0; i < m_packages.size(); ++i) {
    const fs::path list = info_file(m_packages[i], ".list");
    if (list.empty()) {
      std::string note = "the dpkg database of " + m_root.string() + " has no file list for " + m_packages[i].name +
                         ": its files are not named as the package's";
      if (std::find(m_notes.begin(), m_notes.end(), note) == m_notes.end()) m_notes.push_back(std::move(note));
      continue;
    }
    // In pieces: a package may list 100,000 paths (megabytes).
    util::for_each_line(list, [&](std::string_view line) {
      if (is_wanted(line)) m_owners.emplace(line, i);  // a diverted path: its first lister
    });
  }
  m_lists_read = true;
  m_lists_read_for = m_wanted.size();
}

fs::path Database::info_file(const Package& package, const char* suffix) const {
  const fs::path info = m_root / "var/lib/dpkg/info";
  if (!m_info_files) {
    // One listing, not two stat() calls for each of 900 packages.
    m_info_files.emplace();
    if (DIR* dir = ::opendir(info.c_str())) {
      while (const dirent* d = ::readdir(dir)) {
        const bool regular = d->d_type == DT_REG ||
                             ((d->d_type == DT_LNK || d->d_type == DT_UNKNOWN) && util::is_file(info / d->d_name));
        if (regular) m_info_files->insert(d->d_name);
      }
      ::closedir(dir);
    }
  }
  // Multi-Arch: same packages are named with their architecture.
  for (const std::string& stem : {package.name + ":" + package.architecture, package.name}) {
    if (m_info_files->count(stem + suffix)) return info / (stem + suffix);
  }
  return {};
}

const Package* Database::owner(const std::string& path) const {
  const Package* kept = nullptr;
  if (kept_answer(path, kept)) return kept;
  if (!is_wanted(path)) want({path});
  if (!m_lists_read || m_lists_read_for != m_wanted.size()) read_lists();
  if (!m_failure.empty()) return nullptr;  // nothing learnt from a status file that cannot be read
  const Package* found = nullptr;
  for (const std::string& p : {path, other_spelling(path)}) {
    if (auto it = m_owners.find(p); !p.empty() && it != m_owners.end()) {
      found = &m_packages[it->second];
      break;
    }
  }
  if (!m_answers_file.empty()) {
    // Remembered for the next build (a question asked again in this one is
    // answered from the lists already read).
    if (found != nullptr) {
      m_learnt_owners.emplace_back(path, found);
    } else {
      m_learnt_unowned.push_back(path_hash(path));
    }
    m_learnt = true;
  }
  return found;
}

void Database::save_answers() const {
  if (!m_learnt || m_answers_file.empty() || !m_failure.empty()) return;
  // The packages named, each once; owners and unowned of earlier builds
  // and of this one.
  json packages = json::array();
  json owners = json::object();
  std::map<std::string, std::size_t> index;  // stanza -> its place
  const auto add_owner = [&](const std::string& path, const Package& package) {
    auto [it, added] = index.emplace(package.stanza, index.size());
    if (added) packages.push_back(package.stanza);
    owners[path] = it->second;
  };
  for (const auto& [path, i] : m_kept_owners) add_owner(path, m_kept_packages[i]);
  for (const auto& [path, package] : m_learnt_owners) add_owner(path, *package);
  std::vector<std::uint64_t> unowned = m_learnt_unowned;
  std::sort(unowned.begin(), unowned.end());
  const std::size_t learnt = unowned.size();
  unowned.insert(unowned.end(), m_kept_unowned.begin(), m_kept_unowned.end());
  std::inplace_merge(unowned.begin(), unowned.begin() + static_cast<std::ptrdiff_t>(learnt), unowned.end());
  unowned.erase(std::unique(unowned.begin(), unowned.end()), unowned.end());
  // Streamed: at 100,000 files the hashes alone are 1.6 MB of text. Keys
  // in the order a JSON object dump gives them ("unowned", "version" last).
  const json head{{"notes", m_notes},
                  {"owners", std::move(owners)},
                  {"packages", std::move(packages)},
                  {"root", m_root.string()},
                  {"status", m_identity}};
  util::OutputFile out(m_answers_file);
  std::string text = head.dump();
  text.back() = ',';
  text += "\"unowned\":\"";
  char digits[17];
  for (std::uint64_t h : unowned) {
    std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(h));
    text += digits;
    if (text.size() >= 65536) {
      out.write(text.data(), text.size());
      text.clear();
    }
  }
  text += "\",\"version\":" + std::to_string(kAnswersVersion) + "}\n";
  out.write(text.data(), text.size());
  out.commit();
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

namespace {

// An absolute path with no empty, "." or ".." component: its own normal form.
bool is_normal_absolute(std::string_view p) {
  if (p.empty() || p[0] != '/') return false;
  for (std::size_t at = 1; at <= p.size();) {
    std::size_t end = p.find('/', at);
    if (end == std::string_view::npos) end = p.size();
    const std::string_view part = p.substr(at, end - at);
    if ((part.empty() && end != p.size()) || part == "." || part == "..") return false;
    at = end + 1;
  }
  return true;
}

}  // namespace

SysrootPackages::SysrootPackages(const fs::path& sysroot, const fs::path& answers)
    : m_sysroot(sysroot.lexically_normal()) {
  fs::path root = m_sysroot;
  if (root != "/" && !fs::exists(root / "var/lib/dpkg")) {
    root = "/";
    m_host_paths = true;
  }
  try {
    m_db = answers.empty() ? Database::read(root) : Database::open(root, answers);
  } catch (const Error& e) {
    m_notes.push_back(no_packages_note(e.what()));
  }
}

std::string SysrootPackages::no_packages_note(const std::string& why) const {
  return "no Debian packages named for the files of " + m_sysroot.string() +
         " (the SBOM lists them without packages): " + why;
}

std::string SysrootPackages::database_path(const std::string& source) const {
  // Most sources are normal already: no path parsing for each of them.
  if ((m_host_paths || m_sysroot == "/") && is_normal_absolute(source)) return source;
  const fs::path host = fs::path(source).lexically_normal();
  if (m_host_paths) return host.string();
  const fs::path relative = host.lexically_relative(m_sysroot);
  if (relative.empty() || *relative.begin() == "..") return "";
  return "/" + relative.string();
}

std::vector<std::string> SysrootPackages::notes() const {
  std::vector<std::string> out = m_notes;
  if (m_db && !m_db->failure().empty()) out.push_back(no_packages_note(m_db->failure()));
  if (m_db) out.insert(out.end(), m_db->notes().begin(), m_db->notes().end());
  return out;
}

void SysrootPackages::want(const std::vector<std::string_view>& sources) const {
  if (!m_db) return;
  // Most sources are their own database paths: those go as they are.
  const auto as_is = [this](std::string_view source) {
    return (m_host_paths || m_sysroot == "/") && is_normal_absolute(source);
  };
  if (std::all_of(sources.begin(), sources.end(), as_is)) {
    m_db->want(sources);
    return;
  }
  std::vector<std::string_view> paths;
  std::vector<std::string> converted;
  paths.reserve(sources.size());
  for (std::string_view source : sources) {
    if (as_is(source)) {
      paths.push_back(source);
    } else if (std::string path = database_path(std::string(source)); !path.empty()) {
      converted.push_back(std::move(path));
    }
  }
  for (const auto& path : converted) paths.push_back(path);
  m_db->want(paths);  // which keeps their hashes
}

void SysrootPackages::save_answers() const {
  if (m_db) m_db->save_answers();
}

const Package* SysrootPackages::owner(const std::string& source) const {
  if (!m_db) return nullptr;
  const std::string path = database_path(source);
  return path.empty() ? nullptr : m_db->owner(path);
}

}  // namespace ocipack::sbom
