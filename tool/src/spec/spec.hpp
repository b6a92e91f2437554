// The build spec: the one interface between the CMake module and the tool.
// Written by add_container_image() as JSON (file(GENERATE)), versioned.
#pragma once

#include "oci/model.hpp"
#include "oci/reference.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::spec {

inline constexpr int kVersion = 1;

enum class Compression { Gzip, None, Zstd };

// How layers are compressed: the method and its level (COMPRESSION_LEVEL;
// 0: the method's default). Converts from a bare method.
struct CompressionOptions {
  Compression method = Compression::Gzip;
  int level = 0;
  CompressionOptions() = default;
  CompressionOptions(Compression m, int l = 0) : method(m), level(l) {}  // NOLINT: implicit on purpose
};

// Levels, 1 fastest ... smallest: gzip's (libdeflate's) and zstd's.
inline constexpr int kMinGzipLevel = 1;
inline constexpr int kMaxGzipLevel = 12;
inline constexpr int kMinZstdLevel = 1;
inline constexpr int kMaxZstdLevel = 19;

// One source put into the image, as install(FILES|DIRECTORY) would:
// a file lands at destination/<name>; a directory is copied under its own
// name, or only its contents when `source` ends in '/'.
// uid:gid of an entry (OWNER); root when absent.
struct Owner {
  unsigned uid = 0, gid = 0;
};

struct FileSpec {
  std::string source;           // absolute path on the build machine
  std::string destination;      // absolute, normalised in-image directory
  std::optional<unsigned> mode; // permission bits for regular files
  bool elf = false;             // a build target: must be ELF, sets the platform
  std::optional<Owner> owner;   // uid:gid of everything copied (OWNER)
};

struct DirectorySpec {          // an empty directory to create
  std::string path;             // absolute, normalised
  std::optional<unsigned> mode;
  std::optional<Owner> owner;
};

struct SymlinkSpec {
  std::string path;             // absolute, normalised
  std::string target;           // as given
};

struct LayerSpec {
  std::string created_by;
  std::vector<FileSpec> files;
  std::vector<DirectorySpec> directories;
  std::vector<SymlinkSpec> symlinks;
};

// BASE and BASE_TAG: the image to build on.
struct BaseSpec {
  std::filesystem::path path;
  std::string tag;              // empty: the only image in the base
};

// RUNTIME_DEPENDENCIES, SYSROOT and RUNTIME_LIBRARIES of add_container_image().
struct RuntimeDependencies {
  bool automatic = false;                 // "auto": bundle interpreter + libraries
  std::filesystem::path sysroot = "/";    // where libraries are resolved from
  std::vector<std::string> libraries;     // dlopen()ed extras: names or absolute paths
};

struct BuildSpec {
  std::string image;
  std::vector<oci::Reference> tags; // in the order given; at least one
  std::vector<std::string> tag_texts; // as written in the spec
  CompressionOptions compression;
  oci::ContainerConfig config;      // env already has the default PATH
  std::map<std::string, std::string> annotations;
  std::vector<LayerSpec> layers;
  RuntimeDependencies runtime;
  std::optional<BaseSpec> base;
  bool skeleton = false;        // SKELETON: /etc/passwd, /etc/group, /tmp
};

// Docker's default PATH, set when neither the base nor ENV sets one.
inline constexpr const char* kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Parses and validates spec JSON text; errors name the field and value.
BuildSpec parse(const std::string& text);
// Reads the spec file; errors name the file.
BuildSpec load(const std::filesystem::path& path);

// Validators shared with other parts (each throws Error naming the value).
void validate_env(const std::string& entry);
void validate_port(const std::string& port);      // "80/tcp"
void validate_user(const std::string& user);
// "/a/b" -> "/a/b"; refuses relative paths, "." and ".." components and NUL.
std::string normalize_image_dir(const std::string& dir, const char* what);

} // namespace ocipack::spec
