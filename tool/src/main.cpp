#include "cli/cli.hpp"

int main(int argc, char** argv) { return ocipack::cli::run(argc, argv); }
