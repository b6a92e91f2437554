#include "util/path_walk.hpp"

#include <deque>

namespace ocipack::util {

namespace {

std::deque<std::string> components(const std::string& path) {
  std::deque<std::string> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

}  // namespace

PathWalk walk_path(const std::string& path, const std::function<PathNode(const std::string&)>& lookup,
                   const std::function<void(const std::string&, const std::string&)>& on_link) {
  std::deque<std::string> todo = components(path);
  std::string current;  // "" is the root
  int hops = 0;
  while (!todo.empty()) {
    const std::string component = todo.front();
    todo.pop_front();
    if (component.empty() || component == ".") continue;
    if (component == "..") {
      current.erase(current.empty() ? 0 : current.rfind('/'));
      continue;
    }
    const std::string next = current + "/" + component;
    const PathNode node = lookup(next);
    switch (node.type) {
      case PathNode::Type::Missing: return {PathWalk::End::Missing, next, node.type};
      case PathNode::Type::Directory: current = next; continue;
      case PathNode::Type::Symlink: {
        if (++hops > kMaxSymlinkHops) return {PathWalk::End::TooManyLinks, next, node.type};
        if (on_link) on_link(next, node.target);
        if (!node.target.empty() && node.target[0] == '/') current.clear();
        std::deque<std::string> rest = components(node.target);
        rest.insert(rest.end(), todo.begin(), todo.end());
        todo = std::move(rest);
        continue;
      }
      case PathNode::Type::File:
      case PathNode::Type::Other:
        if (!todo.empty()) return {PathWalk::End::NotADirectory, next, node.type};
        return {PathWalk::End::Found, next, node.type};
    }
  }
  return {PathWalk::End::Found, current.empty() ? "/" : current, PathNode::Type::Directory};
}

}  // namespace ocipack::util
