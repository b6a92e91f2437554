// A path resolved as the kernel resolves it (path_resolution(7)), in any
// tree that can say what a path is: the build machine's files under a
// sysroot (deps/resolve.cpp) or an image's merged layers (build/rootfs.*).
#pragma once

#include <functional>
#include <string>

namespace ocipack::util {

// Symlinks followed in one walk: more is a loop (Linux's limit, MAXSYMLINKS).
inline constexpr int kMaxSymlinkHops = 40;

// What one absolute path ("/a/b") of the tree is.
struct PathNode {
  enum class Type { Missing, Directory, File, Symlink, Other };
  Type type = Type::Missing;
  std::string target;  // Symlink: where it points
};

struct PathWalk {
  enum class End {
    Found,          // `path` is the file or directory reached, of type `type`
    Missing,        // `path` does not exist
    NotADirectory,  // `path` is not a directory, and more follows it
    TooManyLinks,   // more than kMaxSymlinkHops symlinks; `path` is the last
  };
  End end = End::Found;
  std::string path = "/";  // absolute, without symlinks, "." or ".."
  PathNode::Type type = PathNode::Type::Directory;
};

// Walks `path` (absolute, or relative to the root) component by component:
// `lookup(p)` says what the absolute path `p` is; a symlink's target is
// followed from the root when absolute, else from the link's directory;
// ".." never climbs above the root. `on_link(p, target)`, when given, sees
// every symlink followed.
PathWalk walk_path(const std::string& path, const std::function<PathNode(const std::string&)>& lookup,
                   const std::function<void(const std::string&, const std::string&)>& on_link = nullptr);

}  // namespace ocipack::util
