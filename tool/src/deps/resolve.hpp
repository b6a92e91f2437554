// The runtime dependency closure of ELF binaries: the interpreter and every
// shared library they need, found as the dynamic loader (glibc ld.so) would
// find them, and laid out at the paths the loader will search in the image.
// Reads files only; nothing is executed.
#pragma once

#include "elf/elf.hpp"
#include "layer/plan.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace ocipack::deps {

struct Options {
  std::filesystem::path sysroot = "/";  // the target's root: libraries come from here
  std::vector<std::string> libraries;   // dlopen()ed extras: names or absolute in-root paths
  // dlopen()ed libraries of the build (host paths): into the library
  // directory, with their SONAME symlink.
  std::vector<std::filesystem::path> library_files;
  // The build tree (absolute; empty: none): the origins of files under it
  // name them relative to it.
  std::filesystem::path build_dir;
  // Whether the image already has a file at an in-image path (a base
  // image's libraries); such libraries are not bundled again.
  std::function<bool(const std::string&)> provided;
  // A note for each binary that imports dlopen() while `libraries` and
  // `library_files` are empty (NO_DLOPEN_NOTE: false).
  bool dlopen_note = true;
  // A note for each binary that imports iconv_open() (glibc dlopen()s the
  // gconv modules): set when ICONV is not given.
  bool iconv_note = false;
  // ELF objects the run-time data puts into the image (gconv modules, at
  // their own paths): their libraries are resolved too; they are the
  // system's, so no notes and no plugins.
  std::vector<layer::ElfFile> data_objects;
};

// One object's need of another, as the loader meets it (for the SBOM,
// which no scanner could tell): in-image absolute paths.
struct Dependency {
  std::string from, to;
  std::string through;  // "DT_NEEDED", "PT_INTERP" or "RUNTIME_LIBRARIES"
  bool operator<(const Dependency& o) const { return std::tie(from, to, through) < std::tie(o.from, o.to, o.through); }
};

struct Closure {
  std::vector<layer::Entry> entries;  // the system's libraries: files and symlinks, not yet finalized
  // The project's libraries: found through an RPATH or RUNPATH outside the
  // system's directories (the build tree, a prebuilt library's directory),
  // and RUNTIME_LIBRARIES files; a layer of their own, so that changing one
  // leaves the system's layer as it was.
  std::vector<layer::Entry> project_entries;
  // image path -> "host path (why)", a path of the build tree relative to it
  std::map<std::string, std::string> origins;
  std::vector<std::string> notes;  // what the build should say: files left unresolved, dlopen() calls
  // Image paths of the files bundled from outside the sysroot's default
  // directories (build trees, other directories, RUNTIME_LIBRARIES files):
  // copies of the build's files rather than the system's.
  std::vector<std::string> relocated;
  // Every edge of the closure, also to files the image already had (a
  // base's libraries, at the path the loader opens).
  std::set<Dependency> dependencies;
};

// Resolves the closure of `binaries` (build targets, with their in-image
// paths) and of `added` (ELF files found among the added files; those of
// another architecture than the first binary's are left, with a note).
// Every file looked at is added to `inputs`. Throws Error naming the binary
// and what is missing: an interpreter or a DT_NEEDED library that cannot be
// found, or is only found for another architecture.
Closure resolve(const std::vector<layer::ElfFile>& binaries, const std::vector<layer::ElfFile>& added,
                const Options& options, std::set<std::string>& inputs);

// The directories the loader searches last (glibc's system directories for
// the Debian multiarch layout and the lib64 layout), for an ELF header.
std::vector<std::string> default_directories(const elf::Header& header);

// Directories listed in <sysroot>/etc/ld.so.conf and its includes: what
// ldconfig builds the ld.so cache from.
std::vector<std::string> ld_so_conf_directories(const std::filesystem::path& sysroot);

}  // namespace ocipack::deps
