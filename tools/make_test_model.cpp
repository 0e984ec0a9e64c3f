// make_test_model: writes a GGUF model with random weights in the llama
// architecture and a real tokenizer, for tests and benchmarks on machines
// that cannot download weights.
//
//   make_test_model --vocab VOCAB.gguf --out MODEL.gguf
//                   [--shape tiny|0.5b] [--type f32|f16|q8_0|q4_0]
//                   [--seed N] [--context N] [--chat-template FILE.jinja]
//                   [--ends-turns LOGIT]
//
// The tokenizer (every tokenizer.* key) is copied from VOCAB.gguf, one of the
// vocabulary-only files llama.cpp ships under models/ (for example
// ggml-vocab-llama-spm.gguf or ggml-vocab-qwen2.gguf). A ChatML chat template
// with tool calling is added unless the vocabulary file has one. The output is noise, but
// loading, tokenising, templating, decoding, sampling and caching all run for
// real on it.
//
// Shapes: `tiny` (2 layers, 64-wide, output tied to the embeddings: a few
// MB) for the test suite; `0.5b` (24 layers, 896-wide, 14 heads, 2 KV heads,
// 4864 FFN, output tied to the embeddings: the shape of Qwen2.5-0.5B, about
// 494M parameters) for benchmarks.
//
// --ends-turns LOGIT makes the model end its answers by itself: every
// token's embedding gets a large constant in its last dimension, which then
// dominates the final hidden state, and an untied output matrix reads that
// dimension only for the end-of-sequence token, giving it a logit about LOGIT
// above the (near-zero) others whatever the input. Sampled at temperature 1
// with a 32K vocabulary, LOGIT 9 ends a turn after a few noise tokens; a
// greedy decoder would end at once. For clients (Claude Code) that treat an
// answer stopped by max_tokens as a failure.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "ggml.h"
#include "gguf.h"

namespace {

struct Shape {
  uint32_t n_embd;
  uint32_t n_layer;
  uint32_t n_head;
  uint32_t n_head_kv;
  uint32_t n_ff;
  uint32_t n_ctx_train;
  bool tied_output;  // no output.weight: the embeddings are reused
};

constexpr Shape kTiny = {64, 2, 4, 2, 128, 4096, true};
constexpr Shape kHalfBillion = {896, 24, 14, 2, 4864, 32768, true};

// ChatML, written for duet: system, user and assistant turns, plus tool
// definitions in the system turn, tool calls as <tool_call>{...}</tool_call>
// in assistant turns, and tool results as <tool_response> user turns, so
// llama.cpp's chat library can derive a tool-call grammar and parser from it.
constexpr const char* kChatMlTemplate = R"JINJA({%- if tools -%}
{{- '<|im_start|>system\n' -}}
{%- if messages[0]['role'] == 'system' -%}{{- messages[0]['content'] + '\n\n' -}}{%- endif -%}
{{- 'You may call one or more functions. Their signatures:\n<tools>\n' -}}
{%- for tool in tools -%}{{- tool | tojson -}}{{- '\n' -}}{%- endfor -%}
{{- '</tools>\nTo call a function, write <tool_call>{"name": <name>, "arguments": <arguments object>}</tool_call>.<|im_end|>\n' -}}
{%- elif messages[0]['role'] == 'system' -%}
{{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' -}}
{%- endif -%}
{%- for message in messages -%}
{%- if message['role'] == 'system' -%}
{%- elif message['role'] == 'tool' -%}
{{- '<|im_start|>user\n<tool_response>\n' + message['content'] + '\n</tool_response><|im_end|>\n' -}}
{%- elif message['role'] == 'assistant' and message['tool_calls'] -%}
{{- '<|im_start|>assistant\n' -}}{%- if message['content'] -%}{{- message['content'] -}}{%- endif -%}
{%- for call in message['tool_calls'] -%}
{{- '<tool_call>{"name": "' + call['function']['name'] + '", "arguments": ' -}}
{%- if call['function']['arguments'] is string -%}{{- call['function']['arguments'] -}}{%- else -%}{{- call['function']['arguments'] | tojson -}}{%- endif -%}
{{- '}</tool_call>' -}}
{%- endfor -%}
{{- '<|im_end|>\n' -}}
{%- else -%}
{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' -}}
{%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}
)JINJA";

struct Options {
  std::string vocab_path;
  std::string out_path;
  Shape shape = kTiny;
  ggml_type type = GGML_TYPE_F32;
  uint32_t seed = 42;
  uint32_t context = 0;  // 0: the shape's
  std::string chat_template;  // "" : the vocabulary's, else ChatML + tools
  float ends_turns_logit = 0;  // 0: plain noise (see --ends-turns)
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "make_test_model: %s\n"
               "usage: make_test_model --vocab VOCAB.gguf --out MODEL.gguf "
               "[--shape tiny|0.5b] [--type f32|f16|q8_0|q4_0] [--seed N] "
               "[--context N] [--chat-template FILE.jinja] [--ends-turns LOGIT]\n",
               why);
  std::exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options options;
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
        options.shape = kTiny;
      } else if (value == "0.5b") {
        options.shape = kHalfBillion;
      } else {
        Usage("--shape is tiny or 0.5b");
      }
    } else if (flag == "--type") {
      if (value == "f32") {
        options.type = GGML_TYPE_F32;
      } else if (value == "f16") {
        options.type = GGML_TYPE_F16;
      } else if (value == "q8_0") {
        options.type = GGML_TYPE_Q8_0;
      } else if (value == "q4_0") {
        options.type = GGML_TYPE_Q4_0;
      } else {
        Usage("--type is f32, f16, q8_0 or q4_0");
      }
    } else if (flag == "--seed") {
      options.seed = static_cast<uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
    } else if (flag == "--chat-template") {
      std::FILE* file = std::fopen(argv[i + 1], "rb");
      if (file == nullptr) {
        Usage("--chat-template: cannot read the file");
      }
      char buffer[4096];
      size_t got = 0;
      options.chat_template.clear();
      while ((got = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
        options.chat_template.append(buffer, got);
      }
      std::fclose(file);
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

// The GGUF file-type code llama.cpp records for a model's main tensor type.
uint32_t FileType(ggml_type type) {
  switch (type) {
    case GGML_TYPE_F32:
      return 0;
    case GGML_TYPE_F16:
      return 1;
    case GGML_TYPE_Q4_0:
      return 2;
    case GGML_TYPE_Q8_0:
      return 7;
    default:
      return 0;
  }
}

class ModelWriter {
 public:
  ModelWriter(const Options& options, gguf_context* out)
      : options_(options), out_(out), random_(options.seed) {}

  ~ModelWriter() {
    for (ggml_context* context : contexts_) {
      ggml_free(context);
    }
  }

  // Adds a tensor of `rows` rows of `columns` values: norms (`fill` >= 0)
  // get that constant in F32, matrices small random values in the model's
  // type. `edit`, when given, may change the values before they are stored
  // (row-major: values[row * columns + column]).
  void Add(const std::string& name, int64_t columns, int64_t rows,
           float fill = -1,
           const std::function<void(std::vector<float>&)>& edit = {}) {
    const bool norm = fill >= 0;
    const ggml_type type = norm ? GGML_TYPE_F32 : options_.type;
    std::vector<float> values(static_cast<size_t>(columns * rows));
    if (norm) {
      std::fill(values.begin(), values.end(), fill);
    } else {
      std::uniform_real_distribution<float> weight(-0.08f, 0.08f);
      for (float& value : values) {
        value = weight(random_);
      }
    }
    if (edit) {
      edit(values);
    }
    const size_t bytes = ggml_row_size(type, columns) * static_cast<size_t>(rows);
    ggml_init_params params = {ggml_tensor_overhead() + bytes, nullptr, false};
    ggml_context* context = ggml_init(params);
    contexts_.push_back(context);
    ggml_tensor* tensor =
        rows == 1 ? ggml_new_tensor_1d(context, type, columns)
                  : ggml_new_tensor_2d(context, type, columns, rows);
    ggml_set_name(tensor, name.c_str());
    if (type == GGML_TYPE_F32) {
      std::memcpy(tensor->data, values.data(), bytes);
    } else if (type == GGML_TYPE_F16) {
      ggml_fp32_to_fp16_row(values.data(),
                            static_cast<ggml_fp16_t*>(tensor->data),
                            columns * rows);
    } else {
      ggml_quantize_chunk(type, values.data(), tensor->data, 0, rows, columns,
                          nullptr);
    }
    gguf_add_tensor(out_, tensor);
  }

 private:
  const Options& options_;
  gguf_context* out_;
  std::mt19937 random_;
  std::vector<ggml_context*> contexts_;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);
  const Shape& shape = options.shape;

  gguf_init_params vocab_params = {true, nullptr};
  gguf_context* vocab = gguf_init_from_file(options.vocab_path.c_str(), vocab_params);
  if (vocab == nullptr) {
    std::fprintf(stderr, "make_test_model: cannot read %s\n",
                 options.vocab_path.c_str());
    return 1;
  }
  const int64_t tokens_key = gguf_find_key(vocab, "tokenizer.ggml.tokens");
  if (tokens_key < 0) {
    std::fprintf(stderr, "make_test_model: %s has no tokenizer.ggml.tokens\n",
                 options.vocab_path.c_str());
    return 1;
  }
  const auto n_vocab = static_cast<int64_t>(gguf_get_arr_n(vocab, tokens_key));

  gguf_context* out = gguf_init_empty();
  // Only the tokenizer comes from the vocabulary file.
  gguf_set_kv(out, vocab);
  for (int64_t key = gguf_get_n_kv(out) - 1; key >= 0; --key) {
    const std::string name = gguf_get_key(out, key);
    if (name.rfind("tokenizer.", 0) != 0) {
      gguf_remove_key(out, name.c_str());
    }
  }
  if (!options.chat_template.empty()) {
    gguf_set_val_str(out, "tokenizer.chat_template", options.chat_template.c_str());
  } else if (gguf_find_key(out, "tokenizer.chat_template") < 0) {
    gguf_set_val_str(out, "tokenizer.chat_template", kChatMlTemplate);
  }

  const uint32_t context = options.context ? options.context : shape.n_ctx_train;
  gguf_set_val_str(out, "general.architecture", "llama");
  gguf_set_val_str(out, "general.name", "duet test model (random weights)");
  gguf_set_val_u32(out, "general.file_type", FileType(options.type));
  gguf_set_val_u32(out, "llama.context_length", context);
  gguf_set_val_u32(out, "llama.embedding_length", shape.n_embd);
  gguf_set_val_u32(out, "llama.block_count", shape.n_layer);
  gguf_set_val_u32(out, "llama.feed_forward_length", shape.n_ff);
  gguf_set_val_u32(out, "llama.attention.head_count", shape.n_head);
  gguf_set_val_u32(out, "llama.attention.head_count_kv", shape.n_head_kv);
  gguf_set_val_u32(out, "llama.rope.dimension_count", shape.n_embd / shape.n_head);
  gguf_set_val_f32(out, "llama.rope.freq_base", 10000.0f);
  gguf_set_val_f32(out, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
  gguf_set_val_u32(out, "llama.vocab_size", static_cast<uint32_t>(n_vocab));

  const int64_t n_embd = shape.n_embd;
  const int64_t n_embd_kv = n_embd / shape.n_head * shape.n_head_kv;
  ModelWriter writer(options, out);
  if (options.ends_turns_logit > 0) {
    // See --ends-turns: dimension `d` carries a constant through the
    // network, and only the end-of-sequence row of the output reads it.
    const int64_t eos_key = gguf_find_key(out, "tokenizer.ggml.eos_token_id");
    if (eos_key < 0) {
      std::fprintf(stderr, "make_test_model: the vocabulary names no EOS token\n");
      return 1;
    }
    const int64_t eos = gguf_get_val_u32(out, eos_key);
    const int64_t d = n_embd - 1;
    constexpr float kCarrier = 4.0f;
    const float eos_weight =
        options.ends_turns_logit / std::sqrt(static_cast<float>(n_embd));
    writer.Add("token_embd.weight", n_embd, n_vocab, -1, [&](std::vector<float>& v) {
      for (int64_t row = 0; row < n_vocab; ++row) {
        v[static_cast<size_t>(row * n_embd + d)] = kCarrier;
      }
    });
    writer.Add("output_norm.weight", n_embd, 1, 1.0f);
    writer.Add("output.weight", n_embd, n_vocab, -1, [&](std::vector<float>& v) {
      for (int64_t row = 0; row < n_vocab; ++row) {
        v[static_cast<size_t>(row * n_embd + d)] = row == eos ? eos_weight : 0.0f;
      }
    });
  } else {
    writer.Add("token_embd.weight", n_embd, n_vocab);
    writer.Add("output_norm.weight", n_embd, 1, 1.0f);
    if (!shape.tied_output) {
      writer.Add("output.weight", n_embd, n_vocab);
    }
  }
  for (uint32_t layer = 0; layer < shape.n_layer; ++layer) {
    const std::string block = "blk." + std::to_string(layer) + ".";
    writer.Add(block + "attn_norm.weight", n_embd, 1, 1.0f);
    writer.Add(block + "attn_q.weight", n_embd, n_embd);
    writer.Add(block + "attn_k.weight", n_embd, n_embd_kv);
    writer.Add(block + "attn_v.weight", n_embd, n_embd_kv);
    writer.Add(block + "attn_output.weight", n_embd, n_embd);
    writer.Add(block + "ffn_norm.weight", n_embd, 1, 1.0f);
    writer.Add(block + "ffn_gate.weight", n_embd, shape.n_ff);
    writer.Add(block + "ffn_up.weight", n_embd, shape.n_ff);
    writer.Add(block + "ffn_down.weight", shape.n_ff, n_embd);
  }

  const bool written = gguf_write_to_file(out, options.out_path.c_str(), false);
  gguf_free(out);
  gguf_free(vocab);
  ggml_quantize_free();
  if (!written) {
    std::fprintf(stderr, "make_test_model: cannot write %s\n",
                 options.out_path.c_str());
    return 1;
  }
  std::printf("%s: llama, %lld tokens, %u layers, %u wide, context %u\n",
              options.out_path.c_str(), static_cast<long long>(n_vocab),
              shape.n_layer, shape.n_embd, context);
  return 0;
}
