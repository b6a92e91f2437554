// Command line entry point: parses arguments, runs a command, and is the one
// place where an ocipack::Error is caught and printed.
#pragma once

namespace ocipack::cli {

int run(int argc, char** argv);

}  // namespace ocipack::cli
