#!/usr/bin/env bash
# W7 (issue 18) alone: configure time of a project with 200 executables and
# one add_container_image() each, against the same project without images
# (first configure and re-configure, Ninja). The workload lives in bench.py.
#
#   bench/configure.sh          RUNS=9 bench/configure.sh
ONLY=W7 exec "$(dirname "${BASH_SOURCE[0]}")/run.sh"
