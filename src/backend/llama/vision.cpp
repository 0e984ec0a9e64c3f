#include "backend/llama/vision.h"

#include <charconv>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "backend/llama/image_size.h"
#include "backend/llama/prompt.h"
#include "backend/llama/webp_image.h"
#include "core/base64.h"
#include "llama.h"
#include "mtmd-helper.h"
#include "mtmd.h"

namespace duet::llama {
namespace {

struct BitmapFree {
  void operator()(mtmd_bitmap* bitmap) const { mtmd_bitmap_free(bitmap); }
};
using BitmapPtr = std::unique_ptr<mtmd_bitmap, BitmapFree>;

// The placeholder for embedding `index` of an image whose id (mtmd's
// SHA-256 of its pixels, in hex) is `image_id`: a negative token id.
int32_t Placeholder(std::string_view image_id, size_t index) {
  uint64_t hash = 0;
  std::from_chars(image_id.data(), image_id.data() + std::min<size_t>(16, image_id.size()),
                  hash, 16);
  // Each position gets its own value, so two different images collide only
  // if every one of their placeholders does.
  hash ^= (index + 1) * 0x9E3779B97F4A7C15ull;
  hash ^= hash >> 29;
  hash *= 0xBF58476D1CE4E5B9ull;
  hash ^= hash >> 32;
  return -1 - static_cast<int32_t>(hash & 0x7fffffffu);
}

// 64-bit FNV-1a of `bytes`, as 16 hex digits.
std::string HexHash(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (const char byte : bytes) {
    hash = (hash ^ static_cast<unsigned char>(byte)) * 0x100000001b3ull;
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) {
    hex[static_cast<size_t>(i)] = kDigits[hash & 0xf];
  }
  return hex;
}

// One image's pixels: WebP through libwebp, the other formats through
// mtmd's own decoder, once the header's size is known to be within limits.
// The error says why, to follow "image N (type) ".
Result<BitmapPtr> DecodeImage(mtmd_context* context, const std::string& bytes) {
  const std::optional<ImageSize> size = ReadImageSize(bytes);
  if (!size) {
    return Error(InvalidArgument(
        "could not be decoded; the local engine reads JPEG, PNG, GIF, BMP and WebP images"));
  }
  if (size->width > kMaxImageSide || size->height > kMaxImageSide) {
    return Error(InvalidArgument("is " + std::to_string(size->width) + "x" +
                                 std::to_string(size->height) +
                                 " pixels; the local engine reads images of at most " +
                                 std::to_string(kMaxImageSide) + " pixels a side"));
  }
  if (LooksLikeWebp(bytes)) {
    Result<RgbImage> rgb = DecodeWebp(bytes);
    if (!rgb) {
      return Error(InvalidArgument("could not be decoded: " + rgb.error().message()));
    }
    return BitmapPtr(mtmd_bitmap_init(static_cast<uint32_t>(rgb->width),
                                      static_cast<uint32_t>(rgb->height), rgb->pixels.data()));
  }
  mtmd_helper_bitmap_wrapper decoded = mtmd_helper_bitmap_init_from_buf(
      context, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
      /*placeholder=*/false, mtmd_helper_init_opt_default());
  BitmapPtr bitmap(decoded.bitmap);
  if (!bitmap || mtmd_bitmap_is_audio(bitmap.get())) {
    return Error(InvalidArgument(
        "could not be decoded; the local engine reads JPEG, PNG, GIF, BMP and WebP images"));
  }
  return bitmap;
}

}  // namespace

size_t ReusablePrefix(const std::vector<TokenizedPrompt::Image>& images, size_t matching) {
  for (const TokenizedPrompt::Image& image : images) {
    if (image.start >= matching) {
      break;
    }
    if (image.start + image.length > matching ||
        image.positions != static_cast<int32_t>(image.length)) {
      return image.start;
    }
  }
  return matching;
}

Result<std::unique_ptr<VisionProjector>> VisionProjector::Load(const std::string& path,
                                                               const ::llama_model* model,
                                                               int threads) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return Error(NotFound("no vision projector (mmproj GGUF) at " + path));
  }
  mtmd_context_params params = mtmd_context_params_default();
  params.use_gpu = false;
  params.print_timings = false;
  params.n_threads = threads;
  params.media_marker = kImageMarker.data();  // a string literal: terminated
  params.warmup = false;
  mtmd_context* context = mtmd_init_from_file(path.c_str(), model, params);
  if (context == nullptr) {
    return Error(InvalidArgument("llama.cpp could not load the vision projector " + path +
                                 " (see the log; a projector must be made for this model)"));
  }
  if (!mtmd_support_vision(context)) {
    mtmd_free(context);
    return Error(InvalidArgument(path + " has no vision encoder"));
  }
  std::unique_ptr<VisionProjector> projector(new VisionProjector(context));
  projector->tokens_per_image_ = projector->MeasureTokensPerImage();
  return projector;
}

int64_t VisionProjector::MeasureTokensPerImage() const {
  constexpr uint32_t kWidth = 1024;
  constexpr uint32_t kHeight = 768;
  const std::vector<unsigned char> pixels(size_t{kWidth} * kHeight * 3, 128);
  BitmapPtr bitmap(mtmd_bitmap_init(kWidth, kHeight, pixels.data()));
  if (!bitmap) {
    return 0;
  }
  std::unique_ptr<mtmd_input_chunks, decltype(&mtmd_input_chunks_free)> chunks(
      mtmd_input_chunks_init(), mtmd_input_chunks_free);
  const std::string marker(kImageMarker);
  mtmd_input_text text = {};
  text.text = marker.c_str();
  text.text_len = marker.size();
  const mtmd_bitmap* view = bitmap.get();
  if (mtmd_tokenize(context_, chunks.get(), &text, &view, 1) != 0) {
    return 0;
  }
  int64_t tokens = 0;
  for (size_t i = 0; i < mtmd_input_chunks_size(chunks.get()); ++i) {
    const mtmd_input_chunk* chunk = mtmd_input_chunks_get(chunks.get(), i);
    if (mtmd_input_chunk_get_type(chunk) != MTMD_INPUT_CHUNK_TYPE_TEXT) {
      tokens += static_cast<int64_t>(mtmd_input_chunk_get_n_tokens(chunk));
    }
  }
  return tokens;
}

VisionProjector::~VisionProjector() { mtmd_free(context_); }

Result<TokenizedPrompt> VisionProjector::Tokenize(
    const std::string& prompt, const std::vector<ImageSource>& images) const {
  std::vector<BitmapPtr> bitmaps;
  std::vector<const mtmd_bitmap*> views;
  for (size_t i = 0; i < images.size(); ++i) {
    Result<std::string> bytes = Base64Decode(images[i].data);
    if (!bytes) {
      return Error(InvalidArgument("image " + std::to_string(i + 1) + ": " +
                                   bytes.error().message()));
    }
    Result<BitmapPtr> bitmap = DecodeImage(context_, *bytes);
    if (!bitmap) {
      return Error(InvalidArgument("image " + std::to_string(i + 1) + " (" +
                                   images[i].media_type + ") " + bitmap.error().message()));
    }
    const char* id = mtmd_bitmap_get_id(bitmap->get());
    if (id == nullptr || id[0] == '\0') {
      // mtmd names images by a hash of their pixels; without one, every
      // image's placeholders would look alike and reuse would mix them up.
      mtmd_bitmap_set_id(bitmap->get(), HexHash(*bytes).c_str());
    }
    views.push_back(bitmap->get());
    bitmaps.push_back(std::move(*bitmap));
  }
  std::shared_ptr<mtmd_input_chunks> chunks(mtmd_input_chunks_init(), mtmd_input_chunks_free);
  mtmd_input_text text = {};
  text.text = prompt.c_str();
  text.text_len = prompt.size();
  text.add_special = true;  // BOS where the vocabulary asks for it
  text.parse_special = true;
  const int32_t result =
      mtmd_tokenize(context_, chunks.get(), &text, views.data(), views.size());
  if (result != 0) {
    return Error(InvalidArgument(
        result == 1 ? "the images and their places in the prompt do not pair up"
                    : "an image could not be preprocessed for the vision projector"));
  }
  TokenizedPrompt tokenized;
  for (size_t i = 0; i < mtmd_input_chunks_size(chunks.get()); ++i) {
    const mtmd_input_chunk* chunk = mtmd_input_chunks_get(chunks.get(), i);
    if (mtmd_input_chunk_get_type(chunk) == MTMD_INPUT_CHUNK_TYPE_TEXT) {
      size_t count = 0;
      const llama_token* tokens = mtmd_input_chunk_get_tokens_text(chunk, &count);
      tokenized.tokens.insert(tokenized.tokens.end(), tokens, tokens + count);
      continue;
    }
    TokenizedPrompt::Image image;
    image.start = tokenized.tokens.size();
    image.length = mtmd_input_chunk_get_n_tokens(chunk);
    image.positions = mtmd_input_chunk_get_n_pos(chunk);
    image.chunk = chunk;
    const char* id = mtmd_input_chunk_get_id(chunk);
    const std::string_view image_id = id == nullptr ? std::string_view() : id;
    for (size_t k = 0; k < image.length; ++k) {
      tokenized.tokens.push_back(Placeholder(image_id, k));
    }
    tokenized.images.push_back(image);
  }
  tokenized.chunks = std::move(chunks);
  return tokenized;
}

Result<int32_t> VisionProjector::Decode(::llama_context* context,
                                        const TokenizedPrompt::Image& image,
                                        int32_t position, int sequence, int batch_size) {
  llama_pos next = position;
  const int32_t result = mtmd_helper_eval_chunk_single(
      context_, context, image.chunk, position, sequence, batch_size,
      /*logits_last=*/false, &next);
  if (result != 0) {
    return Error(Unavailable("encoding an image failed (" + std::to_string(result) + ")"));
  }
  return static_cast<int32_t>(next);
}

}  // namespace duet::llama
