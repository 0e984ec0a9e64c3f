// make_test_model: writes a GGUF model with random weights in the llama
// architecture and a real tokenizer, for tests and benchmarks on machines
// that cannot download weights (src/model_files/random_model.h explains
// the shapes and --ends-turns).
//
//   make_test_model --vocab VOCAB.gguf --out MODEL.gguf
//                   [--shape tiny|0.5b] [--type f32|f16|q8_0|q4_0]
//                   [--seed N] [--context N] [--chat-template FILE.jinja]
//                   [--ends-turns LOGIT] [--mmproj PROJECTOR.gguf]
//
// --mmproj also writes a vision projector for the model
// (src/model_files/random_projector.h), so the model can be served with images.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "model_files/random_model.h"
#include "model_files/random_projector.h"

namespace {

using duet::model_files::RandomModelOptions;

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "make_test_model: %s\n"
               "usage: make_test_model --vocab VOCAB.gguf --out MODEL.gguf "
               "[--shape tiny|0.5b] [--type f32|f16|q8_0|q4_0] [--seed N] "
               "[--context N] [--chat-template FILE.jinja] [--ends-turns LOGIT] "
               "[--mmproj PROJECTOR.gguf]\n",
               why);
  std::exit(2);
}

struct Options {
  RandomModelOptions model;
  std::string projector_path;  // "": no projector
};

Options ParseOptions(int argc, char** argv) {
  Options parsed;
  RandomModelOptions& options = parsed.model;
  for (int i = 1; i < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) {
      Usage("every flag takes a value");
    }
    const std::string_view value = argv[i + 1];
    if (flag == "--vocab") {
      options.vocab_path = value;
    } else if (flag == "--out") {
      options.out_path = value;
    } else if (flag == "--shape") {
      if (value == "tiny") {
        options.shape = RandomModelOptions::Shape::kTiny;
      } else if (value == "0.5b") {
        options.shape = RandomModelOptions::Shape::kHalfBillion;
      } else {
        Usage("--shape is tiny or 0.5b");
      }
    } else if (flag == "--type") {
      if (value == "f32") {
        options.type = RandomModelOptions::Type::kF32;
      } else if (value == "f16") {
        options.type = RandomModelOptions::Type::kF16;
      } else if (value == "q8_0") {
        options.type = RandomModelOptions::Type::kQ8_0;
      } else if (value == "q4_0") {
        options.type = RandomModelOptions::Type::kQ4_0;
      } else {
        Usage("--type is f32, f16, q8_0 or q4_0");
      }
    } else if (flag == "--seed") {
      options.seed = static_cast<uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
    } else if (flag == "--chat-template") {
      std::ifstream file{std::string(value), std::ios::binary};
      if (!file) {
        Usage("--chat-template: cannot read the file");
      }
      std::ostringstream text;
      text << file.rdbuf();
      options.chat_template = text.str();
    } else if (flag == "--context") {
      options.context = static_cast<uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
    } else if (flag == "--ends-turns") {
      options.ends_turns_logit = std::strtof(argv[i + 1], nullptr);
      if (!(options.ends_turns_logit > 0)) {
        Usage("--ends-turns takes a logit > 0");
      }
    } else if (flag == "--mmproj") {
      parsed.projector_path = value;
    } else {
      Usage("unknown flag");
    }
  }
  if (options.vocab_path.empty() || options.out_path.empty()) {
    Usage("--vocab and --out are required");
  }
  return parsed;
}

}  // namespace

int main(int argc, char** argv) {
  const Options parsed = ParseOptions(argc, argv);
  const RandomModelOptions& options = parsed.model;
  duet::Result<duet::model_files::RandomModelSummary> written =
      duet::model_files::WriteRandomModel(options);
  if (!written) {
    std::fprintf(stderr, "make_test_model: %s\n", written.error().message().c_str());
    return 1;
  }
  std::printf("%s: llama, %lld tokens, %u layers, %u wide, context %u\n",
              options.out_path.c_str(), static_cast<long long>(written->vocabulary),
              written->layers, written->width, written->context);
  if (parsed.projector_path.empty()) {
    return 0;
  }
  duet::Result<duet::model_files::RandomProjectorSummary> projector =
      duet::model_files::WriteRandomProjector(
          {.out_path = parsed.projector_path, .text_width = written->width, .seed = options.seed});
  if (!projector) {
    std::fprintf(stderr, "make_test_model: %s\n", projector.error().message().c_str());
    return 1;
  }
  std::printf("%s: vision projector, images scaled to %ux%u, %u tokens each\n",
              parsed.projector_path.c_str(), projector->image_size, projector->image_size,
              projector->tokens_per_image);
  return 0;
}
