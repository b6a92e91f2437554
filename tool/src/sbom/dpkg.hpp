// A dpkg database read by the tool itself (nothing is executed): which
// Debian package owns a file of a root, and what that package is.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ocipack::sbom {

// A root's distribution, from its etc/os-release: what a deb purl's
// namespace and `distro` qualifier name. Empty fields when unknown.
struct Distro {
  std::string id;          // ID: "debian"
  std::string version_id;  // VERSION_ID: "12"
};

struct Package {
  std::string name, version, architecture;
  std::string source_name, source_version;  // Source: (else the package's own)
  std::string stanza;                       // the status paragraph as dpkg wrote it, '\n'-terminated lines
  std::string license = "NOASSERTION";      // an SPDX expression (Database::read_license)
};

// Where distroless images list their packages, one status paragraph per
// file, each with its <package>.md5sums (in-image, without the leading '/').
inline constexpr const char* kStatusDir = "var/lib/dpkg/status.d/";

// Whether `path` (in-image, without the leading '/') is one of the
// status.d files that list a package (not its .md5sums).
bool is_status_file(const std::string& path);

// The KEY=value lines of an os-release file.
Distro parse_os_release(const std::string& text);

// The installed packages of a dpkg status file (or one status.d file), in
// its order. A damaged file is an Error naming `what` and the line.
std::vector<Package> parse_status(const std::string& text, const std::string& what);

// The package URL scanners match: pkg:deb/<distro>/<name>@<version>?arch=..&distro=<id>-<version_id>.
std::string purl(const Package& package, const Distro& distro);

// A Debian copyright file's licence as an SPDX expression: the `Files: *`
// paragraph's License of a machine-readable (DEP-5) file, Debian's short
// names mapped by spdx_license_id(); NOASSERTION otherwise.
std::string copyright_license(const std::string& text);

// One Debian short licence name as an SPDX id: GPL-2+ -> GPL-2.0-or-later,
// Expat -> MIT, ...; LicenseRef-<name> for the names the table lacks.
std::string spdx_license_id(const std::string& debian_name);

class Database {
public:
  // The database of `root` (a host directory: "/" or a sysroot), its
  // var/lib/dpkg/status and the info/<package>[:arch].list of each
  // installed package. A missing or damaged status file is an Error;
  // packages whose list cannot be read are left out, with a note.
  static Database read(const std::filesystem::path& root);
  // The same, with the answers of earlier builds kept in `answers` (a file
  // of the image's layer cache): while the status file is the one they were
  // found in (dpkg rewrites it on every change to the installed packages),
  // the paths they name are answered from there, and a build that asks
  // nothing new reads neither the status file nor a single list. The
  // status file is read at the first question left open: a missing or
  // damaged one then answers "no owner" and failure() says why.
  static Database open(const std::filesystem::path& root, const std::filesystem::path& answers);

  const std::filesystem::path& root() const { return m_root; }
  const Distro& distro() const { return m_distro; }
  const std::vector<std::string>& notes() const { return m_notes; }
  // Why the status file could not be read (open() only); empty when it
  // could, or was not needed.
  const std::string& failure() const { return m_failure; }

  // The package that owns the absolute in-root `path`, spelled as the
  // package lists it or the other way of a merged /usr (/lib and /usr/lib,
  // /bin and /usr/bin, ...); nullptr when none does. The file lists are
  // read for the paths asked for only: say them first with want(), all at
  // once (a path not wanted yet makes owner() read the lists again).
  const Package* owner(const std::string& path) const;
  void want(const std::vector<std::string_view>& paths) const;

  // Writes the answers file given to open() when this build learnt
  // something new; nothing when it could not (a damaged answers file is
  // written anew).
  void save_answers() const;

  // The package's md5sums lines (info/<package>[:arch].md5sums) for the
  // in-root `paths`, in the file's order; none when it has no such file.
  std::vector<std::string> md5sums(const Package& package, const std::set<std::string>& paths) const;

  // The package's licence, from <root>/usr/share/doc/<name>/copyright.
  std::string read_license(const Package& package) const;

private:
  std::filesystem::path info_file(const Package& package, const char* suffix) const;
  void parse() const;
  void read_lists() const;
  // The answer kept for `path`: true with the package (nullptr: none
  // owns it) when there is one.
  bool kept_answer(std::string_view path, const Package*& package) const;
  void load_answers(const std::string& identity);

  std::filesystem::path m_root;
  Distro m_distro;

  bool m_lazy = false;  // open(): a status file that cannot be read is failure(), not an Error
  mutable bool m_parsed = false;
  mutable std::string m_failure;
  mutable std::vector<Package> m_packages;
  // Only the wanted paths (both spellings) are looked for in the file
  // lists: a whole database is 100,000 paths (23 MB and 30 ms to index) for
  // the dozen files an image bundles. Kept as their 64-bit hashes, sorted
  // (an image of 100,000 files asks for 100,000 of them: 8 bytes each); a
  // listed line with a wanted hash is kept by name, and owner() asks by
  // name, so two paths of one hash never mix up their owners.
  bool is_wanted(std::string_view path) const;
  void want_length(std::size_t length) const;
  mutable std::vector<std::uint64_t> m_wanted;
  // The lengths of the wanted paths (up to 4095; a longer line is hashed).
  mutable std::vector<bool> m_wanted_lengths = std::vector<bool>(4096);
  mutable std::unordered_map<std::string, std::size_t> m_owners;  // listed path -> package index
  mutable std::size_t m_lists_read_for = 0;                       // m_wanted.size() then
  mutable bool m_lists_read = false;
  mutable std::vector<std::string> m_notes;
  // The regular files of var/lib/dpkg/info, listed at the first lookup.
  mutable std::optional<std::unordered_set<std::string>> m_info_files;

  // Answers of earlier builds (open()), never changed by this one.
  std::filesystem::path m_answers_file;
  std::string m_identity;                                      // of the status file
  std::deque<Package> m_kept_packages;                         // the owners they name
  std::unordered_map<std::string, std::size_t> m_kept_owners;  // path -> m_kept_packages index
  std::vector<std::uint64_t> m_kept_unowned;                   // hashes of paths no package owns, sorted
  std::vector<std::string> m_kept_notes;
  // What this build learnt, for save_answers(): owners point into m_packages.
  mutable std::vector<std::pair<std::string, const Package*>> m_learnt_owners;
  mutable std::vector<std::uint64_t> m_learnt_unowned;
  mutable bool m_learnt = false;
};

// Who owns the files of a sysroot: its own dpkg database; for a sysroot
// with none (Debian's cross packages, /usr/aarch64-linux-gnu), the build
// machine's, which lists those files under their host paths (packages such
// as libc6-arm64-cross). A database that is missing or damaged leaves the
// files without packages, with a note: never a failed build.
class SysrootPackages {
public:
  // `answers`: where the lookups are remembered between builds (empty: not).
  explicit SysrootPackages(const std::filesystem::path& sysroot, const std::filesystem::path& answers = {});

  // The database used; nullptr when there is none.
  const Database* database() const { return m_db ? &*m_db : nullptr; }
  // Read once every lookup is done: the file lists are read late.
  std::vector<std::string> notes() const;
  // The host files whose owners will be asked for, all at once (Database::want).
  void want(const std::vector<std::string_view>& sources) const;
  // Database::save_answers.
  void save_answers() const;

  // A host file under the sysroot as its database names it: its in-root
  // path, or its host path in the build machine's database.
  std::string database_path(const std::string& source) const;
  // The package owning the host file `source`; nullptr when none does.
  const Package* owner(const std::string& source) const;

private:
  std::string no_packages_note(const std::string& why) const;

  std::filesystem::path m_sysroot;
  bool m_host_paths = false;  // the build machine's database, for a cross sysroot
  std::optional<Database> m_db;
  std::vector<std::string> m_notes;
};

}  // namespace ocipack::sbom
