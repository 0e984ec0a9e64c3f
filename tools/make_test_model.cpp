// make_test_model: writes a GGUF model with random weights in the llama
// architecture and a real tokenizer, for tests and benchmarks on machines
// that cannot download weights (src/model_files/random_model.h explains
// the shapes and --ends-turns).
//
//   make_test_model --vocab VOCAB.gguf --out MODEL.gguf
//                   [--shape tiny|0.5b] [--type f32|f16|q8_0|q4_0]
//                   [--seed N] [--context N] [--chat-template FILE.jinja]
//                   [--ends-turns LOGIT]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "model_files/random_model.h"

namespace {

using duet::model_files::RandomModelOptions;

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "make_test_model: %s\n"
               "usage: make_test_model --vocab VOCAB.gguf --out MODEL.gguf "
               "[--shape tiny|0.5b] [--type f32|f16|q8_0|q4_0] [--seed N] "
               "[--context N] [--chat-template FILE.jinja] [--ends-turns LOGIT]\n",
               why);
  std::exit(2);
}

RandomModelOptions ParseOptions(int argc, char** argv) {
  RandomModelOptions options;
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
    } else {
      Usage("unknown flag");
    }
  }
  if (options.vocab_path.empty() || options.out_path.empty()) {
    Usage("--vocab and --out are required");
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const RandomModelOptions options = ParseOptions(argc, argv);
  duet::Result<duet::model_files::RandomModelSummary> written =
      duet::model_files::WriteRandomModel(options);
  if (!written) {
    std::fprintf(stderr, "make_test_model: %s\n", written.error().message().c_str());
    return 1;
  }
  std::printf("%s: llama, %lld tokens, %u layers, %u wide, context %u\n",
              options.out_path.c_str(), static_cast<long long>(written->vocabulary),
              written->layers, written->width, written->context);
  return 0;
}
