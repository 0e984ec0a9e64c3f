#include "backend/llama/webp_image.h"

#include <webp/decode.h>

#include <string>

namespace duet::llama {

Result<RgbImage> DecodeWebp(std::string_view bytes, int max_side) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  WebPBitstreamFeatures features;
  if (!LooksLikeWebp(bytes) ||
      WebPGetFeatures(data, bytes.size(), &features) != VP8_STATUS_OK) {
    return Error(InvalidArgument("the WebP data is not valid"));
  }
  if (features.has_animation) {
    return Error(InvalidArgument(
        "animated WebP images are not supported; send a still image"));
  }
  if (features.width <= 0 || features.height <= 0 ||
      features.width > max_side || features.height > max_side) {
    return Error(InvalidArgument(
        "the WebP image is " + std::to_string(features.width) + "x" +
        std::to_string(features.height) + " pixels; at most " +
        std::to_string(max_side) + " on a side are read"));
  }
  RgbImage image;
  image.width = features.width;
  image.height = features.height;
  image.pixels.resize(static_cast<size_t>(image.width) *
                      static_cast<size_t>(image.height) * 3);
  const int stride = image.width * 3;
  if (WebPDecodeRGBInto(data, bytes.size(), image.pixels.data(),
                        image.pixels.size(), stride) == nullptr) {
    return Error(InvalidArgument("the WebP data is not valid"));
  }
  return image;
}

}  // namespace duet::llama
