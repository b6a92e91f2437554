#include "deps/resolve.hpp"

#include "elf/dynamic.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/path_walk.hpp"

#include <algorithm>
#include <cerrno>
#include <deque>
#include <fstream>
#include <glob.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ocipack::deps {

namespace {

// glibc's multiarch tuple and $PLATFORM for an ELF machine.
std::string multiarch_of(const elf::Header& h) {
  const elf::Machine* m = elf::find_machine(h);
  return m != nullptr && m->multiarch != nullptr ? m->multiarch : "unknown-linux-gnu";
}
std::string hwcap_of(const elf::Header& h) {
  const elf::Machine* m = elf::find_machine(h);
  return m != nullptr && m->hwcap != nullptr ? m->hwcap : "unknown";
}

std::string machine_name(const elf::Header& h) {
  try {
    return elf::platform_of(h).str();
  } catch (const Error&) {
    return "ELF machine " + std::to_string(h.machine);
  }
}

bool same_arch(const elf::Header& a, const elf::Header& b) {
  return a.machine == b.machine && a.is_64 == b.is_64 && a.little_endian == b.little_endian;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string parent_of(const std::string& path) {  // "/a/b" -> "/a", "/a" -> ""
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

using util::in_root;
using util::is_dir;
using util::is_file;

// What a host path is, symlinks not followed.
util::PathNode host_node(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return {};
  if (S_ISLNK(st.st_mode)) return {util::PathNode::Type::Symlink, fs::read_symlink(p).string()};
  if (S_ISDIR(st.st_mode)) return {util::PathNode::Type::Directory, {}};
  if (S_ISREG(st.st_mode)) return {util::PathNode::Type::File, {}};
  return {util::PathNode::Type::Other, {}};
}

void parse_conf(const fs::path& root, const std::string& file, int depth, std::vector<std::string>& out) {
  if (depth > 8) return;  // include loops
  std::ifstream in(in_root(root, file));
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string word;
    if (!(words >> word)) continue;
    if (word == "include") {
      std::string pattern;
      while (words >> pattern) {
        if (pattern[0] != '/') pattern = parent_of(file) + "/" + pattern;
        glob_t g{};
        std::string full = in_root(root, pattern).string();
        if (::glob(full.c_str(), 0, nullptr, &g) == 0) {
          std::vector<std::string> files(g.gl_pathv, g.gl_pathv + g.gl_pathc);
          std::sort(files.begin(), files.end());
          for (auto f : files) {
            if (root != "/") f = f.substr(root.string().size());
            parse_conf(root, f, depth + 1, out);
          }
        }
        ::globfree(&g);
      }
    } else if (word == "hwcap") {
      continue;
    } else {
      do {
        // Old syntax allows "dir=TYPE" and ',' or ':' separators.
        for (auto& d : split(word.substr(0, word.find('=')), ':')) {
          for (auto& e : split(d, ',')) {
            if (!e.empty() && e[0] == '/') out.push_back(e);
          }
        }
      } while (words >> word);
    }
  }
}

}  // namespace

std::vector<std::string> default_directories(const elf::Header& header) {
  const std::string t = multiarch_of(header);
  std::vector<std::string> dirs = {"/lib/" + t, "/usr/lib/" + t};
  if (header.is_64) {
    dirs.push_back("/lib64");
    dirs.push_back("/usr/lib64");
  }
  dirs.push_back("/lib");
  dirs.push_back("/usr/lib");
  return dirs;
}

std::vector<std::string> ld_so_conf_directories(const fs::path& sysroot) {
  std::vector<std::string> dirs;
  parse_conf(sysroot, "/etc/ld.so.conf", 0, dirs);
  return dirs;
}

namespace {

// A directory to search: where it is on the build machine, and the in-root
// path the loader will find it at in the image (empty when the loader will
// not search it there: build trees, $ORIGIN of targets, ld.so.conf dirs).
struct SearchDir {
  fs::path host;
  std::string image_dir;
  std::string why;      // "RUNPATH of /app", "default directory", ...
  bool system = false;  // an ld.so.conf or default directory: the system's libraries
};

struct Node {
  fs::path host;           // the object's file on the build machine
  std::string image_path;  // where it is in the image
  elf::Object object;
  std::vector<std::vector<SearchDir>> rpaths;  // DT_RPATH of this object and its loaders
};

class Resolver {
public:
  Resolver(const Options& options, const elf::Header& want, std::set<std::string>& inputs)
      : m_options(options), m_root(options.sysroot), m_want(want), m_inputs(inputs) {
    for (const auto& d : default_directories(want)) {
      if (is_dir(in_root(m_root, d))) m_defaults.push_back(d);
    }
    m_conf = ld_so_conf_directories(m_root);
    // Libraries the loader would not find at their own path in the image
    // (build trees, ld.so.conf directories: a scratch image has no ld.so
    // cache) go to the first default directory, which it always searches.
    m_relocation_dir = m_defaults.empty() ? "/usr/lib" : m_defaults.front();
  }

  // `data`: one of the run-time data's objects (a gconv module), the
  // system's: resolved, but neither noted nor a plugin.
  void add_binary(const layer::ElfFile& binary, bool data = false) {
    elf::Object obj = elf::read_object(binary.source);
    if (!obj.is_dynamic && obj.interpreter.empty()) return;  // static
    for (const std::string& name : {fs::path(binary.image_path).filename().string(), obj.soname}) {
      if (name.empty()) continue;
      m_loaded.insert(name);
      m_path_of.emplace(name, binary.image_path);
    }
    if (data) {
      m_queue.push_back({binary.source, binary.image_path, std::move(obj), {}});
      return;
    }
    const std::string who = binary.image_path + " (" + binary.source.string() + ")";
    if (elf::imports_symbol(obj, "dlopen")) m_dlopen_callers.push_back(who);
    if (elf::imports_symbol(obj, "iconv_open")) m_iconv_callers.push_back(who);
    // A library of the build, with no interpreter: a plugin unless some
    // binary links it.
    if (obj.interpreter.empty()) {
      m_library_binaries.push_back({fs::path(binary.image_path).filename().string(), obj.soname});
    }
    Node n{binary.source, binary.image_path, std::move(obj), {}};
    if (!n.object.runpath && n.object.rpath) n.rpaths.push_back(path_list(n, *n.object.rpath, "RPATH"));
    if (m_first_binary.host.empty()) m_first_binary = n;
    if (m_first_executable.host.empty() && !n.object.interpreter.empty()) m_first_executable = n;
    m_queue.push_back(std::move(n));
  }

  // dlopen()ed libraries are resolved once everything the binaries need is.
  void add_library(const std::string& name) { m_extra.push_back(name); }
  void add_built_library(const fs::path& host) { m_extra_files.push_back(host); }

  // A RUNTIME_LIBRARIES entry, looked up as `from` (the first executable)
  // would dlopen() it; errors name the keyword and the entry.
  void resolve_library(const std::string& name) {
    const Node& from = loader();
    if (name[0] == '/') {
      std::string real = walk(name, "RUNTIME_LIBRARIES entry");
      enqueue(in_root(m_root, real), name, from);
      m_dependencies.insert({from.image_path, real, "RUNTIME_LIBRARIES"});
      return;
    }
    if (!m_loaded.count(name)) {
      std::string not_found;
      if (!search(from, name, "RUNTIME_LIBRARIES", not_found)) {
        throw Error("RUNTIME_LIBRARIES entry " + name + " is " + not_found +
                    " (a library the project builds may be given as its target)");
      }
    }
    depend(from, name, "RUNTIME_LIBRARIES");
  }

  // A RUNTIME_LIBRARIES entry that is a library the build made: into the
  // library directory under its file name, with a symlink from its SONAME
  // when that differs (what a dlopen() by SONAME opens).
  void bundle_built_library(const fs::path& host) {
    const std::string why = "RUNTIME_LIBRARIES";
    if (!is_file(host)) throw Error("RUNTIME_LIBRARIES file " + host.string() + " does not exist");
    elf::Header h = elf::read_header(host);
    if (!same_arch(h, m_want)) {
      throw Error("RUNTIME_LIBRARIES file " + host.string() + " is " + machine_name(h) + ", not " +
                  machine_name(m_want));
    }
    const std::string dir = walk_directory(m_relocation_dir, why);
    const std::string file_name = host.filename().string();
    const std::string image_path = dir + "/" + file_name;
    add_file(image_path, host, why);
    m_relocated.push_back(image_path);
    m_project.insert(image_path.substr(1));
    m_loaded.insert(file_name);
    enqueue(host, image_path, loader());
    depend(loader(), file_name, "RUNTIME_LIBRARIES");
    const std::string soname = m_queue.back().object.soname;
    if (!soname.empty() && soname != file_name) {
      add_symlink(dir + "/" + soname, file_name, host, why);
      m_project.insert(dir.substr(1) + "/" + soname);
    }
  }

  const Node& loader() const { return m_first_executable.host.empty() ? m_first_binary : m_first_executable; }

  bool has_binaries() const { return !m_queue.empty(); }

  Closure run() {
    drain();
    for (const auto& host : m_extra_files) bundle_built_library(host);
    for (const auto& name : m_extra) resolve_library(name);
    drain();
    Closure c;
    for (auto& [path, e] : m_entries) (m_project.count(path) ? c.project_entries : c.entries).push_back(e);
    c.origins = m_origins;
    c.relocated = m_relocated;
    c.dependencies = m_dependencies;
    if (m_options.dlopen_note && m_extra.empty() && m_extra_files.empty() && !has_plugin()) {
      for (const auto& caller : m_dlopen_callers) {
        c.notes.push_back(caller +
                          " calls dlopen(): ocipack cannot see what it loads that way; put those libraries into the "
                          "image with RUNTIME_LIBRARIES (a name such as libssl.so.3, or a library target), "
                          "container_image_add_targets() or container_image_add_files() (NO_DLOPEN_NOTE turns "
                          "this note off)");
      }
    }
    if (m_options.iconv_note) {
      for (const auto& caller : m_iconv_callers) {
        c.notes.push_back(caller +
                          " calls iconv_open(): glibc loads its character set converters (gconv modules) with "
                          "dlopen(), and the image has none; name the character sets with ICONV <charset>... "
                          "(or ICONV ALL)");
      }
    }
    return c;
  }

private:
  // Whether one of the binaries is a library that none of them links: what
  // only dlopen() loads, so the image has what a dlopen() call opens.
  bool has_plugin() const {
    return std::any_of(m_library_binaries.begin(), m_library_binaries.end(), [&](const auto& names) {
      return m_needed.count(names.first) == 0 && (names.second.empty() || m_needed.count(names.second) == 0);
    });
  }

  void drain() {
    while (!m_queue.empty()) {
      Node n = std::move(m_queue.front());
      m_queue.pop_front();
      if (!n.object.interpreter.empty()) interpreter(n);
      for (const auto& name : n.object.needed) need(n, name, "needed by " + n.image_path);
    }
  }

  void interpreter(const Node& n) {
    const std::string& interp = n.object.interpreter;
    m_dependencies.insert({n.image_path, interp, "PT_INTERP"});
    if (m_interpreters.count(interp)) return;
    if (m_options.provided && m_options.provided(interp)) {  // the base has it
      m_interpreters.insert(interp);
      return;
    }
    fs::path host = in_root(m_root, interp);
    if (!is_file(host)) {
      throw Error(n.image_path + " (" + n.host.string() + ") needs the ELF interpreter " + interp +
                  ", which is not in " + m_root.string());
    }
    elf::Header h = elf::read_header(host);
    if (!same_arch(h, m_want)) {
      throw Error(n.image_path + " needs the ELF interpreter " + interp + ", but " + host.string() + " is " +
                  machine_name(h) + ", not " + machine_name(m_want));
    }
    walk(interp, "ELF interpreter of " + n.image_path);
    m_interpreters.insert(interp);
  }

  // $ORIGIN, $LIB and $PLATFORM (also as ${...}) in an RPATH/RUNPATH entry.
  std::string expand(const std::string& entry, const fs::path& origin) const {
    const std::string lib_dir = m_defaults.empty() ? "lib" : m_defaults.front().substr(1);
    const std::string platform = hwcap_of(m_want);
    std::string out;
    for (std::size_t i = 0; i < entry.size();) {
      auto token = [&](const char* name) {
        std::string plain = std::string("$") + name, braced = std::string("${") + name + "}";
        if (entry.compare(i, braced.size(), braced) == 0) return braced.size();
        if (entry.compare(i, plain.size(), plain) == 0) {
          std::size_t end = i + plain.size();
          if (end == entry.size() || !(std::isalnum(static_cast<unsigned char>(entry[end])) || entry[end] == '_')) {
            return plain.size();
          }
        }
        return std::size_t{0};
      };
      if (std::size_t n = token("ORIGIN")) {
        out += origin.string();
        i += n;
      } else if (std::size_t n = token("LIB")) {
        out += lib_dir;
        i += n;
      } else if (std::size_t n = token("PLATFORM")) {
        out += platform;
        i += n;
      } else {
        out += entry[i++];
      }
    }
    return out;
  }

  // The search directories of an RPATH/RUNPATH string of `n`.
  std::vector<SearchDir> path_list(const Node& n, const std::string& value, const std::string& kind) const {
    std::vector<SearchDir> dirs;
    const fs::path origin = n.host.parent_path();
    for (const auto& entry : split(value, ':')) {
      if (entry.empty()) continue;
      std::string why = kind + " " + without_build_dir(entry) + " of " + n.image_path;
      bool has_origin = entry.find("$ORIGIN") != std::string::npos || entry.find("${ORIGIN}") != std::string::npos;
      std::string dir = expand(entry, origin);
      if (has_origin) {
        dirs.push_back({fs::path(dir).lexically_normal(), "", why});  // already a host path
      } else if (!dir.empty() && dir[0] == '/') {
        dirs.push_back({in_root(m_root, dir), dir, why});
        // A cross build's own libraries live in the build tree, outside the sysroot.
        if (m_root != "/") dirs.push_back({dir, "", why});
      }
    }
    return dirs;
  }

  void need(const Node& n, const std::string& name, const std::string& why) {
    need_once(n, name, why);
    depend(n, name, "DT_NEEDED");
  }

  void need_once(const Node& n, const std::string& name, const std::string& why) {
    m_needed.insert(name);
    if (m_loaded.count(name)) return;
    if (name.find('/') != std::string::npos) {
      std::string real = walk(name[0] == '/' ? name : parent_of(n.image_path) + "/" + name, why);
      enqueue(in_root(m_root, real), real, n);
      m_loaded.insert(name);
      m_path_of[name] = real;
      return;
    }
    std::string not_found;
    if (!search(n, name, why, not_found)) {
      throw Error(n.image_path + " (" + n.host.string() + ") needs " + name + ", which is " + not_found);
    }
  }

  // The edge from `n` to the object loaded as `name`, once it is known.
  void depend(const Node& n, const std::string& name, const char* through) {
    if (auto it = m_path_of.find(name); it != m_path_of.end())
      m_dependencies.insert({n.image_path, it->second, through});
  }

  // Looks for `name` where the loader would when `n` asks for it, and
  // bundles what it finds; false (and why in `not_found`) when nothing is.
  bool search(const Node& n, const std::string& name, const std::string& why, std::string& not_found) {
    std::vector<SearchDir> dirs;
    if (!n.object.runpath) {
      // DT_RPATH of the object, then of the objects that loaded it.
      for (const auto& list : n.rpaths) dirs.insert(dirs.end(), list.begin(), list.end());
    } else {
      auto own = path_list(n, *n.object.runpath, "RUNPATH");
      dirs.insert(dirs.end(), own.begin(), own.end());
    }
    for (const auto& d : m_conf) dirs.push_back({in_root(m_root, d), d, "ld.so.conf directory " + d, true});
    for (const auto& d : m_defaults) dirs.push_back({in_root(m_root, d), d, "default directory " + d, true});

    // The same directory twice (an ld.so.conf entry that is also a default
    // directory) is searched once, at its first place.
    std::vector<SearchDir> unique;
    std::set<fs::path> seen;
    for (auto& d : dirs) {
      if (seen.insert(d.host.lexically_normal()).second) unique.push_back(std::move(d));
    }
    dirs = std::move(unique);

    std::string skipped;
    for (const auto& d : dirs) {
      // A library the image already has where the loader will look (from a
      // base image) is used as it is.
      if (!d.image_dir.empty() && m_options.provided && m_options.provided(d.image_dir + "/" + name)) {
        m_loaded.insert(name);
        m_path_of[name] = d.image_dir + "/" + name;
        return true;
      }
      fs::path candidate = d.host / name;
      if (!is_file(candidate)) continue;
      m_inputs.insert(candidate);
      elf::Header h;
      try {
        h = elf::read_header(candidate);
      } catch (const Error& e) {
        skipped += "; skipped " + candidate.string() + ": " + e.what();
        continue;
      }
      if (!same_arch(h, m_want)) {
        // The loader skips a library of another architecture and searches on.
        skipped += "; skipped " + candidate.string() + ": " + machine_name(h);
        continue;
      }
      std::string image_path;
      if (std::string dir = default_dir_of(d); !dir.empty()) {
        image_path = walk(dir + "/" + name, why + ", found in " + d.why);
      } else {
        image_path = relocate(candidate, name, why + ", found in " + d.why, !d.system);
      }
      m_loaded.insert(name);
      m_path_of.emplace(name, image_path);
      enqueue(candidate, image_path, n);
      return true;
    }
    std::string searched;
    for (const auto& d : dirs) searched += (searched.empty() ? "" : ", ") + d.host.string();
    not_found =
        "not found for " + machine_name(m_want) + " in " + (searched.empty() ? "no directory" : searched) + skipped;
    return false;
  }

  // The default directory a search directory is (by path, or the same
  // directory reached another way, e.g. an ld.so.conf entry); empty if none.
  std::string default_dir_of(const SearchDir& d) const {
    if (!d.image_dir.empty() && std::find(m_defaults.begin(), m_defaults.end(), d.image_dir) != m_defaults.end()) {
      return d.image_dir;
    }
    std::error_code ec;
    for (const auto& def : m_defaults) {
      if (fs::equivalent(d.host, in_root(m_root, def), ec)) return def;
    }
    return "";
  }

  void enqueue(const fs::path& host, const std::string& image_path, const Node& loader) {
    Node next{host, image_path, elf::read_object(host), {}};
    if (!next.object.soname.empty()) m_loaded.insert(next.object.soname);
    for (const std::string& name : {fs::path(image_path).filename().string(), next.object.soname}) {
      if (!name.empty()) m_path_of.emplace(name, image_path);
    }
    // DT_RPATH is inherited by what an object loads, unless it has DT_RUNPATH.
    if (!next.object.runpath && next.object.rpath) next.rpaths.push_back(path_list(next, *next.object.rpath, "RPATH"));
    if (!loader.object.runpath) next.rpaths.insert(next.rpaths.end(), loader.rpaths.begin(), loader.rpaths.end());
    m_queue.push_back(std::move(next));
  }

  // Puts a library found outside the default directories into the
  // relocation directory, keeping the symlinks from its name to its file
  // that sit in the same directory (libfoo.so.1 -> libfoo.so.1.2.3).
  // A library found through an RPATH or RUNPATH outside the system's
  // directories is the project's (`project`): it goes into its own layer.
  std::string relocate(const fs::path& found, const std::string& name, const std::string& why, bool project) {
    std::string dir = walk_directory(m_relocation_dir, why);
    fs::path current = found.parent_path() / name;
    std::string current_name = name;
    for (int hops = 0; hops < 40; ++hops) {
      struct stat st {};
      if (::lstat(current.c_str(), &st) != 0) throw_errno("cannot read " + current.string());
      if (!S_ISLNK(st.st_mode)) break;
      std::string target = fs::read_symlink(current).string();
      if (target.find('/') != std::string::npos) {
        current = fs::canonical(current);
        break;
      }
      add_symlink(dir + "/" + current_name, target, current, why);
      if (project) m_project.insert(dir.substr(1) + "/" + current_name);
      current = current.parent_path() / target;
      current_name = target;
    }
    add_file(dir + "/" + current_name, current, why);
    m_relocated.push_back(dir + "/" + current_name);
    if (project) m_project.insert(dir.substr(1) + "/" + current_name);
    return dir + "/" + current_name;
  }

  // Adds `path` (in-root, absolute) to the image as the loader will walk it:
  // every symlink on the way (/lib -> usr/lib, libc.so.6 -> ...) is kept, and
  // the file it ends at. Returns the file's real in-root path.
  std::string walk(const std::string& path, const std::string& why) { return walk_impl(path, why, false); }
  std::string walk_directory(const std::string& path, const std::string& why) { return walk_impl(path, why, true); }

  std::string walk_impl(const std::string& path, const std::string& why, bool directory) {
    const util::PathWalk w = util::walk_path(
        path, [&](const std::string& p) { return host_node(in_root(m_root, p)); },
        [&](const std::string& link, const std::string& target) {
          const fs::path host = in_root(m_root, link);
          add_symlink(link, target, host, why);
          m_inputs.insert(host);
        });
    const char* wanted = directory ? "directory" : "regular file";
    switch (w.end) {
      case util::PathWalk::End::Missing: throw Error(path + " (" + why + ") does not exist in " + m_root.string());
      case util::PathWalk::End::TooManyLinks: throw Error(path + ": too many levels of symbolic links");
      case util::PathWalk::End::NotADirectory: throw Error(path + " (" + why + "): " + w.path + " is not a " + wanted);
      case util::PathWalk::End::Found: break;
    }
    if (w.type == util::PathNode::Type::Directory) {
      if (!directory) throw Error(path + " (" + why + ") is a directory");
      return w.path;
    }
    if (w.type != util::PathNode::Type::File || directory)
      throw Error(path + " (" + why + "): " + w.path + " is not a " + wanted);
    add_file(w.path, in_root(m_root, w.path), why);
    return w.path;
  }

  // An RPATH entry as the origins annotation names it: the build
  // directory as ${CMAKE_BINARY_DIR}, since the annotation is in the image.
  std::string without_build_dir(const std::string& entry) const {
    const std::string dir = m_options.build_dir.lexically_normal().string();
    if (dir.empty() || entry.compare(0, dir.size(), dir) != 0 ||
        (entry.size() > dir.size() && entry[dir.size()] != '/')) {
      return entry;
    }
    return "${CMAKE_BINARY_DIR}" + entry.substr(dir.size());
  }

  // "host (why)" for the origins annotation. A file of the build tree is
  // named relative to it: the annotation is in the image, and the same
  // sources built in another directory must give the same bytes.
  std::string origin_of(const fs::path& host, const std::string& why) const {
    if (!m_options.build_dir.empty()) {
      const fs::path relative = host.lexically_normal().lexically_relative(m_options.build_dir.lexically_normal());
      if (!relative.empty() && *relative.begin() != "..") return relative.string() + " (" + why + ")";
    }
    return host.string() + " (" + why + ")";
  }

  void add_symlink(const std::string& path, const std::string& target, const fs::path& host, const std::string& why) {
    layer::Entry e;
    e.path = path.substr(1);
    e.type = layer::Entry::Type::Symlink;
    e.mode = 0777;
    e.text = target;
    if (m_entries.emplace(e.path, e).second) m_origins[path] = "symlink " + origin_of(host, why);
  }

  void add_file(const std::string& path, const fs::path& source, const std::string& why) {
    struct stat st {};
    if (::stat(source.c_str(), &st) != 0) throw_errno("cannot read " + source.string());
    layer::Entry e;
    e.path = path.substr(1);
    e.type = layer::Entry::Type::File;
    e.mode = (st.st_mode & 0111) != 0 ? 0755 : 0644;
    e.source = source;
    e.size = static_cast<std::uint64_t>(st.st_size);
    m_inputs.insert(source);
    auto [it, inserted] = m_entries.emplace(e.path, e);
    if (inserted) {
      m_origins[path] = origin_of(source, why);
    } else if (std::error_code ec;
               it->second.type != layer::Entry::Type::File || !fs::equivalent(it->second.source, source, ec)) {
      throw Error(path + " would come both from " + (it->second.source.empty() ? it->second.text : it->second.source) +
                  " and from " + source.string());
    }
  }

  const Options& m_options;
  fs::path m_root;
  elf::Header m_want;
  std::set<std::string>& m_inputs;
  std::vector<std::string> m_defaults, m_conf;
  std::string m_relocation_dir;
  std::deque<Node> m_queue;
  std::vector<std::string> m_extra;           // RUNTIME_LIBRARIES
  std::vector<fs::path> m_extra_files;        // RUNTIME_LIBRARIES that the build made
  std::vector<std::string> m_dlopen_callers;  // binaries that import dlopen: "image path (host path)"
  std::vector<std::string> m_iconv_callers;   // and iconv_open
  std::vector<std::pair<std::string, std::string>> m_library_binaries;  // file name and SONAME of each
  std::set<std::string> m_needed;                                       // every DT_NEEDED name asked for
  std::vector<std::string> m_relocated;
  std::set<std::string> m_project;          // entries (paths without '/') of project_entries
  Node m_first_binary, m_first_executable;  // what RUNTIME_LIBRARIES are loaded by
  std::set<std::string> m_loaded, m_interpreters;
  std::map<std::string, layer::Entry> m_entries;
  std::map<std::string, std::string> m_origins;
  std::map<std::string, std::string> m_path_of;  // a loaded name (file name, SONAME) -> its image path
  std::set<Dependency> m_dependencies;
};

}  // namespace

Closure resolve(const std::vector<layer::ElfFile>& binaries, const std::vector<layer::ElfFile>& added,
                const Options& options, std::set<std::string>& inputs) {
  if (binaries.empty() && added.empty()) return {};
  if (!is_dir(options.sysroot)) {
    throw Error("sysroot " + options.sysroot.string() + " is not a directory");
  }
  const layer::ElfFile& first = binaries.empty() ? added.front() : binaries.front();
  const elf::Header want = elf::read_header(first.source);
  Resolver r(options, want, inputs);
  for (const auto& b : binaries) {
    with_context(b.image_path, [&] { r.add_binary(b); });
  }
  Closure notes;
  for (const auto& a : added) {
    const elf::Header h = with_context("added file " + a.image_path, [&] { return elf::read_header(a.source); });
    if (!same_arch(h, want)) {
      // A file of another machine cannot be loaded beside the targets: it is
      // data to this image (a firmware blob, a cross tool's payload).
      notes.notes.push_back("added file " + a.image_path + " (" + a.source.string() + ") is " + machine_name(h) +
                            ", not " + machine_name(want) + " like " + first.image_path +
                            ": its libraries are not resolved");
      continue;
    }
    with_context("added file " + a.image_path + " (" + a.source.string() + ")", [&] { r.add_binary(a); });
  }
  for (const auto& d : options.data_objects) {
    with_context(d.image_path + " (" + d.source.string() + ")", [&] { r.add_binary(d, true); });
  }
  if (!r.has_binaries()) {
    if (!options.libraries.empty() || !options.library_files.empty()) {
      throw Error("RUNTIME_LIBRARIES need a dynamically linked target to be loaded by");
    }
    return notes;
  }
  for (const auto& lib : options.libraries) r.add_library(lib);
  for (const auto& file : options.library_files) r.add_built_library(file);
  Closure c = r.run();
  c.notes.insert(c.notes.begin(), notes.notes.begin(), notes.notes.end());
  return c;
}

}  // namespace ocipack::deps
