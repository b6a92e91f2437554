// A prebuilt library or program carries the RPATH/RUNPATH its own build
// gave it: often an absolute path of that build machine (/home/ci/build/lib),
// which names nothing in the image and leaks that machine's paths. The copy
// that goes into the layer loses such entries, in place: the new string is
// written over the old one and padded with NULs, so no other byte moves. The
// source file is never touched.
#pragma once

#include "build/rootfs.hpp"
#include "layer/entry.hpp"

namespace ocipack::build {

// Adds to `entry` (an ELF file of the build: a target, an added file, a
// library bundled from outside the system's directories) the patches that
// drop the absolute entries of its DT_RPATH and DT_RUNPATH that are not
// directories of the image `files`. Entries with $ORIGIN, $LIB or $PLATFORM
// and relative ones stay. Nothing happens to a file that is not ELF.
void drop_foreign_search_paths(layer::Entry& entry, const RootFs& files);

}  // namespace ocipack::build
