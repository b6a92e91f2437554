#include "layer/plan.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <numeric>
#include <set>
#include <string_view>
#include <unordered_map>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ocipack::layer {

namespace {

// Executables (any x bit at the source) become 0755, other files 0644: the
// image must not depend on the builder's umask.
unsigned file_mode(const struct stat& st, const spec::FileSpec& f) {
  if (f.mode) return *f.mode;
  return (st.st_mode & 0111) != 0 ? 0755 : 0644;
}

std::string join(const std::string& dir, const std::string& name) {
  // dir is "/"-rooted and normalised; the entry path drops the leading '/'.
  std::string d = dir == "/" ? "" : dir.substr(1) + "/";
  return d + name;
}

const char* type_name(mode_t m) {
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  return "not a regular file, directory or symlink";
}

// Whether a regular file starts with the ELF magic. Smaller files cannot
// hold an ELF header (52 bytes for 32-bit objects).
bool has_elf_magic(const std::string& path, std::uint64_t size) {
  if (size < 52) return false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open " + path);
  char magic[4] = {};
  ssize_t n = ::pread(fd, magic, sizeof magic, 0);
  ::close(fd);
  if (n < 0) throw_errno("cannot read " + path);
  return n == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

// The names in a directory, sorted bytewise (the tar's order), without
// "." and "..".
std::vector<std::string> directory_names(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) throw_errno("cannot list directory " + dir);
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
    errno = 0;
  }
  const int error = errno;
  ::closedir(d);
  if (error != 0) {
    errno = error;
    throw_errno("cannot list directory " + dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct Walker {
  const spec::FileSpec& spec;
  std::set<std::string>& inputs;
  std::vector<Entry>& out;
  std::vector<ElfFile>* elf_out = nullptr;  // where ELF files found are listed; null: not looked for

  void push(Entry e) {
    if (spec.owner) {  // OWNER applies to everything copied, like COPY --chown
      e.uid = spec.owner->uid;
      e.gid = spec.owner->gid;
    }
    out.push_back(std::move(e));
  }

  // Regular files are not added to `inputs`: they are the entries'
  // sources, which the depfile lists (one copy of each path, not two).
  void add(const std::string& source, const std::string& image_path, bool follow) {
    struct stat st {};
    int rc = follow ? ::stat(source.c_str(), &st) : ::lstat(source.c_str(), &st);
    if (rc != 0) {
      if (errno == ENOENT) throw Error("input file not found: " + source);
      throw_errno("cannot read " + source);
    }
    if (S_ISREG(st.st_mode)) {
      if (::access(source.c_str(), R_OK) != 0) throw_errno("cannot read " + source);
      Entry e;
      e.path = image_path;
      e.type = Entry::Type::File;
      e.mode = file_mode(st, spec);
      e.source = source;
      e.size = static_cast<std::uint64_t>(st.st_size);
      if (elf_out != nullptr && has_elf_magic(source, e.size)) elf_out->push_back({source, "/" + image_path});
      push(std::move(e));
    } else if (S_ISLNK(st.st_mode)) {
      inputs.insert(source);
      // Symlinks stay symlinks, their target text unchanged.
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(source.c_str(), target.data(), target.size());
      if (n < 0) throw_errno("cannot read symlink " + source);
      target.resize(static_cast<std::size_t>(n));
      Entry e;
      e.path = image_path;
      e.type = Entry::Type::Symlink;
      e.mode = 0777;
      e.text = target;
      push(std::move(e));
    } else if (S_ISDIR(st.st_mode)) {
      // The directory itself: a file added to it or removed changes its mtime.
      inputs.insert(source);
      if (!image_path.empty()) {
        Entry e;
        e.path = image_path;
        e.type = Entry::Type::Directory;
        e.mode = 0755;
        push(std::move(e));
      }
      const std::string prefix = source.back() == '/' ? source : source + "/";
      for (const std::string& name : directory_names(source)) {
        add(prefix + name, image_path.empty() ? name : image_path + "/" + name, false);
      }
    } else {
      throw Error("input " + source + " is " + type_name(st.st_mode) + ", which cannot be put into an image");
    }
  }
};

bool same_content(const Entry& a, const Entry& b) {
  if (a.type != b.type || a.mode != b.mode || a.uid != b.uid || a.gid != b.gid) return false;
  if (a.type == Entry::Type::Symlink) return a.text == b.text;
  if (a.type == Entry::Type::Directory) return true;
  if (a.size != b.size || a.patches != b.patches) return false;
  if (a.source.empty() || b.source.empty()) return a.source == b.source && a.text == b.text;
  if (a.source == b.source) return true;
  std::ifstream x(a.source, std::ios::binary), y(b.source, std::ios::binary);
  std::vector<char> bx(65536), by(65536);
  while (x && y) {
    x.read(bx.data(), static_cast<std::streamsize>(bx.size()));
    y.read(by.data(), static_cast<std::streamsize>(by.size()));
    if (x.gcount() != y.gcount() || !std::equal(bx.begin(), bx.begin() + x.gcount(), by.begin())) {
      return false;
    }
  }
  return true;
}

}  // namespace

void finalize(std::vector<Entry>& entries) {
  if (entries.size() > std::numeric_limits<std::uint32_t>::max()) throw Error("a layer of more than 2^32 entries");
  // Bytewise by path (std::string's order), the order of the tar; the same
  // path twice keeps the order it was given in. Sorted as indices, then
  // moved into place: sorting the entries themselves takes a second buffer
  // of them (16 MiB at 100,000 files).
  std::vector<std::uint32_t> order(entries.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&entries](std::uint32_t a, std::uint32_t b) {
    const int c = entries[a].path.compare(entries[b].path);
    return c < 0 || (c == 0 && a < b);
  });
  // One entry per path.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    Entry& e = entries[order[i]];
    if (kept > 0 && entries[order[kept - 1]].path == e.path) {
      const Entry& first = entries[order[kept - 1]];
      if (first.type == Entry::Type::Directory && e.type == Entry::Type::Directory) {
        // A directory asked for (with its mode and owner) wins over one that
        // was only implied as a parent or copied along.
        if (first.implied && !e.implied) order[kept - 1] = order[i];
        continue;
      }
      if (!same_content(first, e)) {
        const std::string from = first.source.empty() ? first.text : first.source;
        const std::string other = e.source.empty() ? e.text : e.source;
        throw Error("duplicate destination /" + e.path + " with different content (from " + from + " and " + other +
                    ")");
      }
      continue;
    }
    order[kept++] = order[i];
  }
  order.resize(kept);
  // entries[j] = the entry first at order[j]: swaps along the way, with
  // where each entry is now and which one each place holds.
  std::vector<std::uint32_t> at(entries.size()), holds(entries.size());
  std::iota(at.begin(), at.end(), 0u);
  std::iota(holds.begin(), holds.end(), 0u);
  for (std::uint32_t j = 0; j < kept; ++j) {
    const std::uint32_t from = at[order[j]];
    if (from == j) continue;
    std::swap(entries[j], entries[from]);
    at[holds[j]] = from;
    holds[from] = holds[j];
    at[order[j]] = j;
    holds[j] = order[j];
  }
  entries.resize(kept);
  const auto by_path = [](const Entry& x, const Entry& y) { return x.path < y.path; };
  // Every parent directory is written explicitly: Docker creates missing
  // parents with mode 0600 otherwise.
  std::set<std::string> missing;
  {  // freed before the list is grown or shrunk
    std::unordered_map<std::string_view, const Entry*> present;
    present.reserve(entries.size());
    for (const Entry& e : entries) present.emplace(e.path, &e);
    for (const Entry& e : entries) {
      std::string_view path = e.path;
      for (std::size_t slash = path.rfind('/'); slash != std::string_view::npos; slash = path.rfind('/')) {
        path = path.substr(0, slash);
        if (auto it = present.find(path); it != present.end()) {
          if (it->second->type != Entry::Type::Directory) {
            throw Error("/" + std::string(path) + " is both a file and the parent directory of /" + e.path);
          }
          break;  // its own parents are checked as an entry
        }
        if (!missing.emplace(path).second) break;  // and so are those of one already found missing
      }
    }
  }
  // A layer's list lives until its SBOM is written: no room kept spare (a
  // vector grown by doubling may have up to twice what it holds).
  if (missing.empty()) {
    entries.shrink_to_fit();
    return;
  }
  const std::size_t given = entries.size();
  if (entries.capacity() - given < missing.size()) entries.reserve(given + missing.size());
  for (const std::string& path : missing) {
    Entry d;
    d.path = path;
    d.type = Entry::Type::Directory;
    d.mode = 0755;
    d.implied = true;
    entries.push_back(std::move(d));
  }
  std::inplace_merge(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(given), entries.end(), by_path);
  entries.shrink_to_fit();
}

Plan plan_layer(const spec::LayerSpec& layer, std::set<std::string>& inputs) {
  Plan plan;
  for (const auto& f : layer.files) {
    bool contents_only = f.source.size() > 1 && f.source.back() == '/';
    fs::path source = fs::path(f.source).lexically_normal();
    if (contents_only) source = source.parent_path();  // "a/b/" -> "a/b"
    std::string name = f.name.empty() ? source.filename().string() : f.name;
    if (!f.name.empty()) {
      struct stat st {};
      if (::stat(source.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        throw Error("input " + source.string() + " is a directory; RENAME " + f.name + " is for a single file");
      }
    }
    if (f.elf) {
      // A build target: its real file, whatever links lead to it.
      struct stat st {};
      if (::stat(source.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        throw Error("target file " + source.string() + " is not a regular file");
      }
      std::string image_path = join(f.destination, name);
      Walker{f, inputs, plan.entries}.add(source, image_path, true);
      plan.elf_files.push_back({source, "/" + image_path});
    } else if (contents_only) {
      struct stat st {};
      if (::stat(source.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw Error("input " + f.source + " ends in '/' but is not a directory");
      }
      std::string dest = f.destination == "/" ? "" : f.destination.substr(1);
      Walker{f, inputs, plan.entries, &plan.added_elf_files}.add(source, dest, true);
    } else {
      Walker{f, inputs, plan.entries, &plan.added_elf_files}.add(source, join(f.destination, name), false);
    }
  }
  for (const auto& d : layer.directories) {
    Entry e;
    e.path = d.path.substr(1);
    e.type = Entry::Type::Directory;
    e.mode = d.mode.value_or(0755);
    if (d.owner) {
      e.uid = d.owner->uid;
      e.gid = d.owner->gid;
    }
    plan.entries.push_back(e);
  }
  for (const auto& l : layer.symlinks) {
    Entry e;
    e.path = l.path.substr(1);
    e.type = Entry::Type::Symlink;
    e.mode = 0777;
    e.text = l.target;
    plan.entries.push_back(e);
  }
  finalize(plan.entries);
  return plan;
}

Plan skeleton() {
  // What a scratch image lacks for non-root users and temporary files: the
  // accounts of distroless images (root, nobody, nonroot 65532), their
  // groups, homes, and a world-writable sticky /tmp.
  auto dir = [](const char* path, unsigned mode, unsigned owner) {
    Entry e;
    e.path = path;
    e.type = Entry::Type::Directory;
    e.mode = mode;
    e.uid = e.gid = owner;
    return e;
  };
  Plan plan;
  plan.entries = {
      generated_file("etc/passwd",
                     "root:x:0:0:root:/root:/sbin/nologin\n"
                     "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
                     "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"),
      generated_file("etc/group", "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n"),
      dir("home/nonroot", 0700, 65532),
      dir("root", 0700, 0),
      dir("tmp", 01777, 0),
  };
  finalize(plan.entries);
  return plan;
}

}  // namespace ocipack::layer
