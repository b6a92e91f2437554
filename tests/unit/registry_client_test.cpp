// The protocol's pure parts: WWW-Authenticate challenges, Location
// resolution, the retry policy, which registries may speak plain HTTP.
#include "registry/client.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using namespace ocipack::registry;

TEST(Challenges, BearerWithQuotedValuesAndCommasInTheScope) {
  const auto c = parse_challenges(
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].params.at("realm"), "https://auth.example/token");
  EXPECT_EQ(c[0].params.at("service"), "registry.example");
  EXPECT_EQ(c[0].params.at("scope"), "repository:a/b:pull,push");
}

TEST(Challenges, SeveralChallengesInOneHeader) {
  const auto c =
      parse_challenges(R"(Basic realm="Registry Realm", Bearer realm="https://t/x", error="insufficient_scope")");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].params.at("realm"), "Registry Realm");
  EXPECT_EQ(c[1].scheme, "bearer");
  EXPECT_EQ(c[1].params.at("realm"), "https://t/x");
  EXPECT_EQ(c[1].params.at("error"), "insufficient_scope");
}

TEST(Challenges, UnquotedValuesEscapesAndCase) {
  const auto c = parse_challenges(R"(BASIC Realm=plain , charset="UTF-8", Bearer realm="a\"b")");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].params.at("realm"), "plain");
  EXPECT_EQ(c[0].params.at("charset"), "UTF-8");
  EXPECT_EQ(c[1].params.at("realm"), "a\"b");
  EXPECT_TRUE(parse_challenges("").empty());
}

TEST(Location, AbsoluteRootRelativeAndRelative) {
  const std::string post = "https://r.example:5000/v2/app/blobs/uploads/?mount=x&from=y";
  EXPECT_EQ(resolve_location(post, "https://s3.example/u/1?a=b"), "https://s3.example/u/1?a=b");
  EXPECT_EQ(resolve_location(post, "/v2/app/blobs/uploads/abc?_state=s"),
            "https://r.example:5000/v2/app/blobs/uploads/abc?_state=s");
  EXPECT_EQ(resolve_location(post, "abc"), "https://r.example:5000/v2/app/blobs/uploads/abc");
  EXPECT_EQ(resolve_location(post, "//other.example/x"), "https://other.example/x");
}

TEST(Retries, StatusesAndDroppedConnectionsButNeverAuthentication) {
  const auto status = [](long s) {
    Response r;
    r.status = s;
    return r;
  };
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L}) EXPECT_TRUE(retryable(status(s))) << s;
  for (long s : {200L, 201L, 202L, 400L, 401L, 403L, 404L}) EXPECT_FALSE(retryable(status(s))) << s;
  Response dropped;
  dropped.failure = Failure::Dropped;
  EXPECT_TRUE(retryable(dropped));
  Response certificate;
  certificate.failure = Failure::Certificate;
  EXPECT_FALSE(retryable(certificate));
  // Bounded: a few attempts, waits growing, under ten seconds in all.
  std::chrono::milliseconds total{0};
  for (int retry = 0; retry + 1 < kMaxAttempts; ++retry) {
    EXPECT_LT(backoff(retry), backoff(retry + 1));
    total += backoff(retry);
  }
  EXPECT_LT(total, std::chrono::seconds(10));
}

TEST(Loopback, AsDockerTreatsIt) {
  EXPECT_TRUE(is_loopback("127.0.0.1:5000"));
  EXPECT_TRUE(is_loopback("127.1.2.3"));
  EXPECT_TRUE(is_loopback("localhost:5000"));
  EXPECT_FALSE(is_loopback("registry.example:5000"));
  EXPECT_FALSE(is_loopback("127.example.com"));
  EXPECT_FALSE(is_loopback("10.0.0.1"));
}

TEST(UrlEncode, QueryValues) {
  EXPECT_EQ(url_encode("repository:a/b:pull,push x"), "repository%3Aa%2Fb%3Apull%2Cpush%20x");
}
