#include "model_files/random_model.h"

#if DUET_HAVE_GGUF
#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "ggml.h"
#include "gguf.h"
#include "model_files/gguf_tensor_writer.h"

namespace duet::model_files {
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

ggml_type TypeOf(RandomModelOptions::Type type) {
  switch (type) {
    case RandomModelOptions::Type::kF32:
      return GGML_TYPE_F32;
    case RandomModelOptions::Type::kF16:
      return GGML_TYPE_F16;
    case RandomModelOptions::Type::kQ8_0:
      return GGML_TYPE_Q8_0;
    case RandomModelOptions::Type::kQ4_0:
      return GGML_TYPE_Q4_0;
  }
  return GGML_TYPE_F32;
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

}  // namespace

Result<RandomModelSummary> WriteRandomModel(const RandomModelOptions& options) {
  const Shape& shape = options.shape == RandomModelOptions::Shape::kTiny ? kTiny : kHalfBillion;

  gguf_init_params vocab_params = {true, nullptr};
  gguf_context* vocab = gguf_init_from_file(options.vocab_path.c_str(), vocab_params);
  if (vocab == nullptr) {
    return Error(InvalidArgument("cannot read the vocabulary " + options.vocab_path));
  }
  const int64_t tokens_key = gguf_find_key(vocab, "tokenizer.ggml.tokens");
  if (tokens_key < 0) {
    gguf_free(vocab);
    return Error(InvalidArgument(options.vocab_path + " has no tokenizer.ggml.tokens"));
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
  gguf_set_val_u32(out, "general.file_type", FileType(TypeOf(options.type)));
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
  GgufTensorWriter writer(TypeOf(options.type), options.seed, out);
  if (options.ends_turns_logit > 0) {
    // See --ends-turns: dimension `d` carries a constant through the
    // network, and only the end-of-sequence row of the output reads it.
    const int64_t eos_key = gguf_find_key(out, "tokenizer.ggml.eos_token_id");
    if (eos_key < 0) {
      gguf_free(out);
      gguf_free(vocab);
      return Error(InvalidArgument(options.vocab_path + " names no EOS token"));
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
    return Error(Internal("cannot write " + options.out_path));
  }
  return RandomModelSummary{.vocabulary = n_vocab,
                            .layers = shape.n_layer,
                            .width = shape.n_embd,
                            .context = context};
}

}  // namespace duet::model_files

#else  // without llama.cpp's ggml

namespace duet::model_files {

Result<RandomModelSummary> WriteRandomModel(const RandomModelOptions&) {
  return Error(Unavailable("this duet was built without llama.cpp (DUET_WITH_LLAMA=OFF)"));
}

}  // namespace duet::model_files
#endif
