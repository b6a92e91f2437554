// Image references: the one parser of the grammar Docker 20.10 applies
// (`docker tag`, `docker load`), the oldest Docker the tarballs load into:
//
//   reference := [host[:port]/]path[:tag][@sha256:<64 lower-case hex>]
//   host      := labels [A-Za-z0-9] or [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9] joined by "."
//                (no bracketed IPv6 address); port := [0-9]+
//   path      := components [a-z0-9]+ joined by ".", "_", "__" or runs of "-", joined by "/"
//   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//
// The first component is a host only when it holds "." or ":" or is
// "localhost"; the name (host/path after Docker Hub's normalization) is at
// most 255 characters. tests/references.tsv pins every rule.
#pragma once

#include "oci/model.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ocipack::oci {

struct Reference {
  // The registry host[:port], "docker.io" for Docker Hub (no host,
  // "docker.io" or "index.docker.io" written). Empty when Docker reads a
  // host-like first component that is no valid host ("my_host.example/app")
  // as part of the path; only tags may be like that.
  std::string domain;
  std::string path;  // the repository: "library/hello" for a one-component Docker Hub name
  std::string tag;   // "latest" when a tag has none; empty when a digest reference has none
  std::optional<Digest> digest;
  bool explicit_domain = false;  // the text named the host

  // A tag (TAGS, BASE_TAG, `ocipack index --tag`): [host[:port]/]path[:tag],
  // no digest. Throws Error naming `text` and what is wrong.
  static Reference parse_tag(std::string_view text);
  // A push destination: a tag whose domain is a registry host to connect to.
  static Reference parse_push(std::string_view text);
  // A reference by digest: name[:tag]@sha256:<hex>.
  static Reference parse_digested(std::string_view text);

  // "docker.io/library/hello": the name without tag and digest.
  std::string name() const;
  // "docker.io/library/hello:latest": io.containerd.image.name.
  std::string full() const;
  // The shortest form Docker shows: "hello:latest", "acme/app:1",
  // "registry.example:5000/app:1". Used as RepoTag in manifest.json.
  std::string familiar() const;
  // The key Docker stores the registry's credentials under
  // (~/.docker/config.json "auths"): "https://index.docker.io/v1/" for
  // Docker Hub, else host[:port].
  std::string credential_key() const;
};

}  // namespace ocipack::oci
