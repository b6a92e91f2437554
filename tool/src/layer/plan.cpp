#include "layer/plan.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <map>
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
bool has_elf_magic(const fs::path& path, std::uint64_t size) {
  if (size < 52) return false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open " + path.string());
  char magic[4] = {};
  ssize_t n = ::pread(fd, magic, sizeof magic, 0);
  ::close(fd);
  if (n < 0) throw_errno("cannot read " + path.string());
  return n == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

struct Walker {
  const spec::FileSpec& spec;
  std::set<fs::path>& inputs;
  std::vector<Entry>& out;
  std::vector<ElfFile>* elf_out = nullptr;  // where ELF files found are listed; null: not looked for

  void push(Entry e) {
    if (spec.owner) {  // OWNER applies to everything copied, like COPY --chown
      e.uid = spec.owner->uid;
      e.gid = spec.owner->gid;
    }
    out.push_back(std::move(e));
  }

  void add(const fs::path& source, const std::string& image_path, bool follow) {
    struct stat st {};
    int rc = follow ? ::stat(source.c_str(), &st) : ::lstat(source.c_str(), &st);
    if (rc != 0) {
      if (errno == ENOENT) throw Error("input file not found: " + source.string());
      throw_errno("cannot read " + source.string());
    }
    inputs.insert(source);
    if (S_ISREG(st.st_mode)) {
      if (::access(source.c_str(), R_OK) != 0) throw_errno("cannot read " + source.string());
      Entry e;
      e.path = image_path;
      e.type = Entry::Type::File;
      e.mode = file_mode(st, spec);
      e.source = source;
      e.size = static_cast<std::uint64_t>(st.st_size);
      if (elf_out != nullptr && has_elf_magic(source, e.size)) elf_out->push_back({source, "/" + image_path});
      push(std::move(e));
    } else if (S_ISLNK(st.st_mode)) {
      // Symlinks stay symlinks, their target text unchanged.
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(source.c_str(), target.data(), target.size());
      if (n < 0) throw_errno("cannot read symlink " + source.string());
      target.resize(static_cast<std::size_t>(n));
      Entry e;
      e.path = image_path;
      e.type = Entry::Type::Symlink;
      e.mode = 0777;
      e.link_target = target;
      push(std::move(e));
    } else if (S_ISDIR(st.st_mode)) {
      if (!image_path.empty()) {
        Entry e;
        e.path = image_path;
        e.type = Entry::Type::Directory;
        e.mode = 0755;
        push(std::move(e));
      }
      std::error_code ec;
      std::vector<fs::path> children;
      for (fs::directory_iterator it(source, ec), end; !ec && it != end; it.increment(ec)) {
        children.push_back(it->path());
      }
      if (ec) throw Error("cannot list directory " + source.string() + ": " + ec.message());
      std::sort(children.begin(), children.end());
      for (const auto& child : children) {
        std::string name = child.filename().string();
        add(child, image_path.empty() ? name : image_path + "/" + name, false);
      }
    } else {
      throw Error("input " + source.string() + " is " + type_name(st.st_mode) + ", which cannot be put into an image");
    }
  }
};

bool same_content(const Entry& a, const Entry& b) {
  if (a.type != b.type || a.mode != b.mode || a.uid != b.uid || a.gid != b.gid) return false;
  if (a.type == Entry::Type::Symlink) return a.link_target == b.link_target;
  if (a.type == Entry::Type::Directory) return true;
  if (a.size != b.size || a.patches != b.patches) return false;
  if (a.source.empty() || b.source.empty()) return a.source == b.source && a.content == b.content;
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
  std::map<std::string, Entry> by_path;
  for (auto& e : entries) {
    // Every parent directory is written explicitly: Docker creates missing
    // parents with mode 0600 otherwise.
    for (std::size_t slash = e.path.find('/'); slash != std::string::npos; slash = e.path.find('/', slash + 1)) {
      std::string parent = e.path.substr(0, slash);
      auto it = by_path.find(parent);
      if (it == by_path.end()) {
        Entry d;
        d.path = parent;
        d.type = Entry::Type::Directory;
        d.mode = 0755;
        d.implied = true;
        by_path.emplace(parent, d);
      } else if (it->second.type != Entry::Type::Directory) {
        throw Error("/" + parent + " is both a file and the parent directory of /" + e.path);
      }
    }
    auto [it, inserted] = by_path.emplace(e.path, e);
    if (!inserted && it->second.type == Entry::Type::Directory && e.type == Entry::Type::Directory) {
      // A directory asked for (with its mode and owner) wins over one that
      // was only implied as a parent or copied along.
      if (it->second.implied && !e.implied) it->second = e;
      continue;
    }
    if (!inserted && !same_content(it->second, e)) {
      std::string from = it->second.source.empty() ? it->second.link_target : it->second.source.string();
      std::string other = e.source.empty() ? e.link_target : e.source.string();
      throw Error("duplicate destination /" + e.path + " with different content (from " + from + " and " + other + ")");
    }
  }
  entries.clear();
  // std::map orders keys bytewise (std::string compare), the order of the tar.
  for (auto& [path, e] : by_path) entries.push_back(std::move(e));
}

Plan plan_layer(const spec::LayerSpec& layer, std::set<fs::path>& inputs) {
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
    e.link_target = l.target;
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
