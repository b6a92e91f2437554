#include "util/path_walk.hpp"

#include <gtest/gtest.h>

#include <map>
#include <utility>
#include <vector>

using ocipack::util::PathNode;
using ocipack::util::PathWalk;
using ocipack::util::walk_path;

namespace {

// A tree in memory: "/dir" ends in '/', a symlink is "-> target", else a file.
class Tree {
public:
  explicit Tree(std::map<std::string, std::string> nodes) : m_nodes(std::move(nodes)) {}
  PathWalk walk(const std::string& path) {
    links.clear();
    return walk_path(
        path,
        [this](const std::string& p) {
          auto it = m_nodes.find(p);
          if (it == m_nodes.end()) return PathNode{};
          if (it->second == "/") return PathNode{PathNode::Type::Directory, {}};
          if (it->second.rfind("-> ", 0) == 0) return PathNode{PathNode::Type::Symlink, it->second.substr(3)};
          return PathNode{PathNode::Type::File, {}};
        },
        [this](const std::string& link, const std::string& target) { links.emplace_back(link, target); });
  }
  std::vector<std::pair<std::string, std::string>> links;  // followed by the last walk

private:
  std::map<std::string, std::string> m_nodes;
};

Tree tree() {
  return Tree({{"/usr", "/"},
               {"/usr/lib", "/"},
               {"/usr/lib/libc.so.6", "file"},
               {"/lib", "-> usr/lib"},                     // relative
               {"/usr/lib/libc.so", "-> /lib/libc.so.6"},  // absolute, through another link
               {"/usr/lib/up", "-> ../../../../usr"},      // ".." stops at the root
               {"/loop", "-> loop"},
               {"/a", "-> b"},
               {"/b", "-> a"},
               {"/dangling", "-> nowhere"}});
}

}  // namespace

TEST(PathWalk, FollowsRelativeAndAbsoluteLinks) {
  Tree t = tree();
  PathWalk w = t.walk("/lib/libc.so.6");
  EXPECT_EQ(w.end, PathWalk::End::Found);
  EXPECT_EQ(w.path, "/usr/lib/libc.so.6");
  EXPECT_EQ(w.type, PathNode::Type::File);
  EXPECT_EQ(t.links, (std::vector<std::pair<std::string, std::string>>{{"/lib", "usr/lib"}}));

  w = t.walk("usr/lib/libc.so");  // relative to the root
  EXPECT_EQ(w.path, "/usr/lib/libc.so.6");
  EXPECT_EQ(t.links, (std::vector<std::pair<std::string, std::string>>{{"/usr/lib/libc.so", "/lib/libc.so.6"},
                                                                       {"/lib", "usr/lib"}}));
}

TEST(PathWalk, DotDotStaysInTheRoot) {
  Tree t = tree();
  EXPECT_EQ(t.walk("/usr/lib/up/lib/libc.so.6").path, "/usr/lib/libc.so.6");
  EXPECT_EQ(t.walk("/../../usr/./lib/..//lib/libc.so.6").path, "/usr/lib/libc.so.6");
  PathWalk root = t.walk("/usr/..");
  EXPECT_EQ(root.end, PathWalk::End::Found);
  EXPECT_EQ(root.path, "/");
  EXPECT_EQ(root.type, PathNode::Type::Directory);
  EXPECT_EQ(t.walk("/lib").path, "/usr/lib");
}

TEST(PathWalk, LoopsMissingPathsAndFilesInTheWay) {
  Tree t = tree();
  EXPECT_EQ(t.walk("/loop").end, PathWalk::End::TooManyLinks);
  EXPECT_EQ(t.walk("/a/x").end, PathWalk::End::TooManyLinks);
  EXPECT_EQ(t.links.size(), static_cast<std::size_t>(ocipack::util::kMaxSymlinkHops));
  PathWalk w = t.walk("/dangling");
  EXPECT_EQ(w.end, PathWalk::End::Missing);
  EXPECT_EQ(w.path, "/nowhere");
  w = t.walk("/usr/lib/libc.so.6/x");
  EXPECT_EQ(w.end, PathWalk::End::NotADirectory);
  EXPECT_EQ(w.path, "/usr/lib/libc.so.6");
}
