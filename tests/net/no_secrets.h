// ExpectNoSecrets: the check every HTTP client test makes of an error
// message, that it repeats no part of the request's path, query or headers.
// Tests send requests carrying the marker words below (see kSecretApiKey)
// and name any further words of their own (proxy credentials, a path).
#pragma once

#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

#include "core/status.h"

namespace duet::net::testing {

// An x-api-key value no error message may repeat.
inline constexpr char kSecretApiKey[] = "sk-ant-header-secret-42d8";

// Fails the test when `status` has no message, or its message contains a
// marker of a secret path ("secret-path"), query ("query-secret", "token=")
// or header ("header-secret"), or any of `also`.
inline void ExpectNoSecrets(const Status& status,
                            std::initializer_list<const char*> also = {}) {
  const std::string& message = status.message();
  EXPECT_FALSE(message.empty());
  for (const char* secret : {"secret-path", "query-secret", "token=", "header-secret"}) {
    EXPECT_EQ(message.find(secret), std::string::npos)
        << "'" << secret << "' in: " << message;
  }
  for (const char* secret : also) {
    EXPECT_EQ(message.find(secret), std::string::npos)
        << "'" << secret << "' in: " << message;
  }
}

}  // namespace duet::net::testing
