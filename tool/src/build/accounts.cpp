#include "build/accounts.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

namespace ocipack::build {

namespace {

// Far above any real account file; they are read into memory.
constexpr std::uint64_t kMaxAccountFile = 16u << 20;
constexpr std::uint32_t kFirstId = 1000;

bool is_number(const std::string& s) {
  return !s.empty() && s.size() <= 10 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One account file (passwd: name:x:uid:gid:..., group: name:x:gid:...):
// its text, and the names and ids in it.
struct Table {
  std::string text;
  std::map<std::string, std::uint32_t> ids;          // name -> uid or gid
  std::map<std::uint32_t, std::string> names;        // id -> first name with it
  std::map<std::string, std::uint32_t> primary_gid;  // passwd: name -> gid
  bool present = false;

  Table(const RootFs& files, const char* path) {
    std::optional<std::string> content = files.read(path, kMaxAccountFile);
    if (!content) return;
    present = true;
    text = std::move(*content);
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      parse_line(text.substr(start, end - start));
      start = end + 1;
    }
  }

  void parse_line(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (std::size_t colon; (colon = line.find(':', start)) != std::string::npos; start = colon + 1) {
      fields.push_back(line.substr(start, colon - start));
    }
    fields.push_back(line.substr(start));
    // NIS "+" lines and comments name no account.
    if (fields.size() < 3 || fields[0].empty() || fields[0][0] == '+' || fields[0][0] == '-' || fields[0][0] == '#') {
      return;
    }
    if (!is_number(fields[2])) return;
    const std::uint64_t id = std::stoull(fields[2]);
    if (id > UINT32_MAX) return;
    add(fields[0], static_cast<std::uint32_t>(id));
    if (fields.size() >= 4 && is_number(fields[3]) && std::stoull(fields[3]) <= UINT32_MAX) {
      primary_gid[fields[0]] = static_cast<std::uint32_t>(std::stoull(fields[3]));
    }
  }

  void add(const std::string& name, std::uint32_t id) {
    ids.emplace(name, id);
    names.emplace(id, name);
  }

  void append(const std::string& line) {
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += line + "\n";
  }

  bool id_free(std::uint32_t id) const { return names.count(id) == 0; }
};

}  // namespace

std::vector<layer::Entry> add_users(const std::vector<spec::UserSpec>& users, const RootFs& files,
                                    const std::string& image) {
  if (users.empty()) return {};
  Table passwd(files, "/etc/passwd"), group(files, "/etc/group");
  std::vector<layer::Entry> entries;
  for (const auto& u : users) {
    const std::string what = "container_image_add_user(" + image + " " + u.name + ")";
    if (auto it = passwd.ids.find(u.name); it != passwd.ids.end()) {
      throw Error(what + ": the image's /etc/passwd already has " + u.name + " (uid " + std::to_string(it->second) +
                  "); it adds new accounts only: name this one in USER as it is");
    }
    if (u.uid && !passwd.id_free(*u.uid)) {
      throw Error(what + ": UID " + std::to_string(*u.uid) + " is taken by " + passwd.names.at(*u.uid) +
                  " in the image's /etc/passwd");
    }
    const std::string group_name = u.group.empty() ? u.name : u.group;
    std::optional<std::uint32_t> gid;
    bool new_group = false;
    if (auto it = group.ids.find(group_name); it != group.ids.end()) {
      if (u.gid && *u.gid != it->second) {
        throw Error(what + ": GID " + std::to_string(*u.gid) + " is not the id of group " + group_name + " (" +
                    std::to_string(it->second) + ") in the image's /etc/group");
      }
      gid = it->second;
    } else {
      new_group = true;
      if (u.gid) {
        if (!group.id_free(*u.gid)) {
          throw Error(what + ": GID " + std::to_string(*u.gid) + " is taken by group " + group.names.at(*u.gid) +
                      " in the image's /etc/group; name that group with GROUP, or give another GID");
        }
        gid = u.gid;
      }
    }
    // Deterministic: the lowest free id from 1000, as useradd picks; when
    // the user's group is new too, one free in both files, so GID = UID.
    std::uint32_t uid = 0;
    if (u.uid) {
      uid = *u.uid;
    } else {
      uid = kFirstId;
      while (!passwd.id_free(uid) || (new_group && !gid && !group.id_free(uid))) ++uid;
    }
    if (!gid) {
      std::uint32_t g = group.id_free(uid) ? uid : kFirstId;
      while (!group.id_free(g)) ++g;
      gid = g;
    }
    if (new_group) {
      group.append(group_name + ":x:" + std::to_string(*gid) + ":");
      group.add(group_name, *gid);
    }
    const std::string home = u.home.empty() ? "/home/" + u.name : u.home;
    const std::string shell = u.shell.empty() ? "/usr/sbin/nologin" : u.shell;
    passwd.append(u.name + ":x:" + std::to_string(uid) + ":" + std::to_string(*gid) + ":" + u.name + ":" + home + ":" +
                  shell);
    passwd.add(u.name, uid);
    if (home != "/nonexistent" && home != "/") {
      const layer::Entry* existing = files.find(home);
      if (existing == nullptr) {
        layer::Entry d;
        d.path = home.substr(1);
        d.type = layer::Entry::Type::Directory;
        d.mode = 0700;
        d.uid = uid;
        d.gid = *gid;
        entries.push_back(d);
      } else if (existing->type != layer::Entry::Type::Directory) {
        throw Error(what + ": HOME " + home + " is a file in the image, not a directory");
      }
    }
  }
  entries.push_back(layer::generated_file("etc/passwd", passwd.text));
  entries.push_back(layer::generated_file("etc/group", group.text));
  return entries;
}

void check_user(const std::string& user, const RootFs& files, const std::string& image) {
  if (user.empty()) return;
  const std::size_t colon = user.find(':');
  const std::string name = user.substr(0, colon);
  const std::string group_name = colon == std::string::npos ? "" : user.substr(colon + 1);
  const std::string how = "add it with container_image_add_user(" + image + " " + name +
                          "), or use SKELETON (which has nonroot), or give numeric ids (USER 65532:65532)";
  if (!is_number(name)) {
    Table passwd(files, "/etc/passwd");
    if (!passwd.present) {
      throw Error("USER \"" + user + "\": the image has no /etc/passwd to find " + name + " in; " + how);
    }
    if (passwd.ids.count(name) == 0) {
      throw Error("USER \"" + user + "\": " + name + " is not in the image's /etc/passwd; " + how);
    }
  }
  if (!group_name.empty() && !is_number(group_name)) {
    Table group(files, "/etc/group");
    if (group.ids.count(group_name) == 0) {
      throw Error("USER \"" + user + "\": group " + group_name + " is not in the image's /etc/group" +
                  (group.present ? "" : " (it has none)") + "; add a user in it with container_image_add_user(" +
                  image + " <user> GROUP " + group_name + "), or give a numeric group id");
    }
  }
}

}  // namespace ocipack::build
