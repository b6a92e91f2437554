// ENTRYPOINT/CMD checked at build time: a scratch image whose program is
// missing fails only when the container starts ("exec ... no such file or
// directory"), so the build says it first.
#pragma once

#include "build/rootfs.hpp"
#include "oci/model.hpp"

namespace ocipack::build {

// The program (ENTRYPOINT's first word, else CMD's), found as the runtime
// finds it (a path from WORKDIR, else through PATH), must be an executable
// regular file of `files`; else an Error naming it and what was searched.
void check_command(const oci::ContainerConfig& config, const RootFs& files);

}  // namespace ocipack::build
