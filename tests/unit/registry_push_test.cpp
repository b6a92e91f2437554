// What `ocipack push` pushes to: references that name their registry, or
// the image's own tags.
#include "oci/annotations.hpp"
#include "registry/push.hpp"
#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using namespace ocipack::registry;
using namespace ocipack::testing;

TEST(PushReference, ATagWithoutARegistryHostIsRefused) {
  expect_error_contains([] { push_reference("app:1"); }, "write docker.io/library/app:1 if Docker Hub is meant");
  expect_error_contains([] { push_reference("team/app"); }, "docker.io/team/app:latest");
  EXPECT_EQ(push_reference("docker.io/team/app:1").domain, "docker.io");
  const oci::Reference r = push_reference("127.0.0.1:5000/team/app:1.4");
  EXPECT_EQ(r.domain, "127.0.0.1:5000");
  EXPECT_EQ(r.path, "team/app");
  EXPECT_EQ(r.tag, "1.4");
  EXPECT_THROW(push_reference("127.0.0.1:5000/App:1"), Error);
}

TEST(ImageTags, FromTheIndexAnnotationsOnceEach) {
  oci::Index index;
  oci::Descriptor d;
  d.annotations = {{oci::annotation::kImageName, "registry.example/app:1"}, {oci::annotation::kRefName, "1"}};
  index.manifests.push_back(d);
  index.manifests.push_back(d);
  d.annotations = {{oci::annotation::kRefName, "registry.example/app:2"}};  // an OCI archive's full ref.name
  index.manifests.push_back(d);
  d.annotations = {{oci::annotation::kRefName, "latest"}};  // a bare tag names no repository
  index.manifests.push_back(d);
  EXPECT_EQ(image_tags(index), (std::vector<std::string>{"registry.example/app:1", "registry.example/app:2"}));
}
