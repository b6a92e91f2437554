// The image's accounts: container_image_add_user() appends to the
// /etc/passwd and /etc/group that the image already has (from the base,
// SKELETON or added files), and the image's own USER must name accounts the
// image has: a runtime that cannot find them refuses to start the container
// ("unable to find user ...: no matching entries in passwd file").
#pragma once

#include "build/rootfs.hpp"
#include "layer/entry.hpp"
#include "spec/spec.hpp"

#include <string>
#include <vector>

namespace ocipack::build {

// The entries of the accounts layer: /etc/passwd and /etc/group as `files`
// has them with the `users` appended, and each user's home directory (0700,
// owned by the user) unless the image has it or it is /nonexistent. Ids not
// given are the first from 1000 free in the image (the group's id is the
// user's when it is free). Errors name the user: a name or id the image
// already has, a group id that does not match the named group.
std::vector<layer::Entry> add_users(const std::vector<spec::UserSpec>& users, const RootFs& files,
                                    const std::string& image);

// USER <user>[:<group>]: a name (not a number) must be in the image's
// /etc/passwd (the group in /etc/group); else an Error saying how to add it.
void check_user(const std::string& user, const RootFs& files, const std::string& image);

}  // namespace ocipack::build
