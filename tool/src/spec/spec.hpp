// The build spec: the one interface between the CMake module and the tool.
// Written by add_container_image() as JSON (file(GENERATE)), versioned.
#pragma once

#include "layer/compression.hpp"
#include "oci/model.hpp"
#include "oci/reference.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::spec {

inline constexpr int kVersion = 1;

// uid:gid of an entry (OWNER); root when absent.
struct Owner {
  unsigned uid = 0, gid = 0;
};

// One source put into the image, as install(FILES|DIRECTORY) would:
// a file lands at destination/<name>; a directory is copied under its own
// name, or only its contents when `source` ends in '/'.
struct FileSpec {
  std::string source;            // absolute path on the build machine
  std::string destination;       // absolute, normalised in-image directory
  std::optional<unsigned> mode;  // permission bits for regular files
  bool elf = false;              // a build target: must be ELF, sets the platform
  std::optional<Owner> owner;    // uid:gid of everything copied (OWNER)
  std::string name;              // RENAME: the file's name in the image; empty: its own
};

struct DirectorySpec {  // an empty directory to create
  std::string path;     // absolute, normalised
  std::optional<unsigned> mode;
  std::optional<Owner> owner;
};

struct SymlinkSpec {
  std::string path;    // absolute, normalised
  std::string target;  // as given
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
  std::string reference;  // instead of a path: docker://host/repo[:tag]@sha256:..., pulled
  std::string tag;        // empty: the only image in the base
};

// RUNTIME_DEPENDENCIES, SYSROOT and RUNTIME_LIBRARIES of add_container_image().
struct RuntimeDependencies {
  bool automatic = false;               // "auto": bundle interpreter + libraries
  std::filesystem::path sysroot = "/";  // where libraries are resolved from
  std::vector<std::string> libraries;   // dlopen()ed extras: names or absolute paths
  // dlopen()ed libraries the project builds (absolute paths on the build
  // machine): they go into the image's library directory.
  std::vector<std::filesystem::path> library_files;
  // The top build directory (optional, absolute): origins of files under it
  // are written relative to it. Empty when not given.
  std::filesystem::path build_dir;
};

// container_image_add_user(): an account to add to the image's /etc/passwd
// and /etc/group. What is not given is chosen by the build, which sees the
// image's accounts.
struct UserSpec {
  std::string name;
  std::optional<std::uint32_t> uid, gid;
  std::string group;  // the primary group's name; empty: the user's name
  std::string home;   // absolute, normalised; empty: /home/<name>
  std::string shell;  // absolute; empty: /usr/sbin/nologin
};

// CA_CERTIFICATES, TZDATA, LOCALES and ICONV: data programs read at run
// time, copied from the sysroot.
struct RuntimeDataSpec {
  bool ca_certificates = false;                 // the sysroot's CA bundle
  std::vector<std::filesystem::path> ca_files;  // PEM files appended to it (absolute host paths)
  bool tzdata = false;                          // /usr/share/zoneinfo
  std::vector<std::string> locales;             // "C.UTF-8", "de_DE.UTF-8", ...
  std::vector<std::string> iconv;               // charset names, or the single entry "ALL"
  bool wanted() const { return ca_certificates || tzdata || !locales.empty() || !iconv.empty(); }
};

// SBOM and PACKAGE_METADATA of add_container_image(), and the project
// (`project()` of the top-level directory, its git revision) the SBOM
// names as the package of the image's own files.
struct SbomSpec {
  enum class Format { Spdx, CycloneDx };
  // Written beside the tarball, named after it (<stem>.spdx.json,
  // <stem>.cdx.json): a spec built to another output never overwrites the
  // SBOM of the first.
  std::vector<Format> formats;    // none: SBOM NONE
  bool package_metadata = false;  // /var/lib/dpkg/status.d and /etc/os-release in the image
  std::string project_name, project_version, project_homepage, project_revision;
};

struct BuildSpec {
  std::string image;
  std::vector<oci::Reference> tags;    // in the order given; at least one
  std::vector<std::string> tag_texts;  // as written in the spec
  layer::CompressionOptions compression;
  oci::ContainerConfig config;  // as given: the build adds the default PATH after the base's
  std::map<std::string, std::string> annotations;
  std::vector<LayerSpec> layers;
  RuntimeDependencies runtime;
  std::optional<BaseSpec> base;
  bool skeleton = false;  // SKELETON: /etc/passwd, /etc/group, /tmp
  std::vector<UserSpec> users;
  bool dlopen_note = true;  // false: NO_DLOPEN_NOTE
  // CREATED: the image's time, as seconds (GIT: the commit's) or as an RFC
  // 3339 text taken as given; neither: the epoch. SOURCE_DATE_EPOCH wins.
  std::optional<std::int64_t> created_epoch;
  std::string created_text;
  // STRIP: the strip program (CMAKE_STRIP) that makes the layers' copies
  // of the build's ELF files; empty: not stripped.
  std::filesystem::path strip;
  RuntimeDataSpec runtime_data;
  SbomSpec sbom;
};

// Whether `name` is an account name as Debian's useradd takes it by default
// (^[a-z_][a-z0-9_-]*[$]?$, at most 32 characters).
bool is_account_name(const std::string& name);

// Parses and validates spec JSON text; errors name the field and value.
BuildSpec parse(const std::string& text);
// Reads the spec file; errors name the file.
BuildSpec load(const std::filesystem::path& path);

// "//a///b/" -> "/a/b"; refuses relative paths, "." and ".." components and
// NUL (throws Error naming `what` and the value).
std::string normalize_image_dir(const std::string& dir, const char* what);

}  // namespace ocipack::spec
