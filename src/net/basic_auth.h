// HTTP Basic credentials for proxies given as http://user:password@host.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace duet::net {

// "Basic <base64(user:password)>" from a URL's user info, percent-decoded
// first ("us%40r:p%3Ass" is user "us@r", password "p:ss").
std::string BasicAuthorization(std::string_view user_info);

}  // namespace duet::net
