#include "backend/llama/sampler.h"

#include <algorithm>
#include <cstddef>
#include <exception>

#include "backend/llama/grammar.h"

namespace duet::llama {
namespace {

// The last tokens of `tokens` whose pieces spell exactly `text`, or none
// when no token boundary falls where `text` begins. Taken from the prompt
// itself rather than tokenising `text` alone, which would add the leading
// space SentencePiece vocabularies put before a first word.
std::vector<llama_token> TailSpelling(const llama_vocab* vocab,
                                      const std::vector<llama_token>& tokens,
                                      const std::string& text) {
  std::string spelled;
  for (size_t count = 1; count <= tokens.size() && spelled.size() < text.size();
       ++count) {
    spelled.insert(0, TokenPiece(vocab, tokens[tokens.size() - count], true));
    if (spelled == text) {
      return {tokens.end() - static_cast<std::ptrdiff_t>(count), tokens.end()};
    }
  }
  return {};
}

}  // namespace

std::string TokenPiece(const llama_vocab* vocab, llama_token token,
                       bool special) {
  std::string piece(64, '\0');
  int length = llama_token_to_piece(vocab, token, piece.data(),
                                    static_cast<int32_t>(piece.size()), 0,
                                    special);
  if (length < 0) {  // longer than the buffer: -length is what it needs
    piece.resize(static_cast<size_t>(-length));
    length = llama_token_to_piece(vocab, token, piece.data(),
                                  static_cast<int32_t>(piece.size()), 0, special);
  }
  piece.resize(static_cast<size_t>(std::max(0, length)));
  return piece;
}

bool AdjustsLogits(const SamplingParams& params) {
  return params.presence_penalty.value_or(0) != 0 || params.frequency_penalty.value_or(0) != 0 ||
         !params.logit_bias.empty();
}

Result<llama_sampler*> NewSampler(const SamplingParams& params, int32_t max_tokens,
                                  const llama_vocab* vocab, const GrammarSpec* spec) {
  const int32_t n_vocab = llama_vocab_n_tokens(vocab);
  std::vector<llama_logit_bias> biases;
  for (const auto& [id, bias] : params.logit_bias) {
    if (id >= n_vocab) {
      return Error(InvalidArgument("logit_bias: token " + std::to_string(id) +
                                   " is not in this model's vocabulary (ids 0 to " +
                                   std::to_string(n_vocab - 1) + ")"));
    }
    biases.push_back({static_cast<llama_token>(id), static_cast<float>(bias)});
  }
  llama_sampler* chain =
      llama_sampler_chain_init(llama_sampler_chain_default_params());
  if (spec != nullptr) {
    llama_sampler* constrained = nullptr;
    if (spec->lazy) {
      std::vector<const char*> patterns;
      for (const std::string& pattern : spec->trigger_patterns) {
        patterns.push_back(pattern.c_str());
      }
      constrained = llama_sampler_init_grammar_lazy_patterns(
          vocab, spec->grammar.c_str(), "root", patterns.data(),
          patterns.size(), spec->trigger_tokens.data(),
          spec->trigger_tokens.size());
    } else {
      constrained = llama_sampler_init_grammar(vocab, spec->grammar.c_str(), "root");
    }
    if (constrained == nullptr) {
      // llama.cpp logs its reason; the usual ones are the client's.
      llama_sampler_free(chain);
      const bool tools = spec->source == GrammarSpec::Source::kTools;
      return Error(InvalidArgument(
          std::string(tools ? "tools: the local engine cannot enforce these input schemas"
                            : "response_format: the local engine cannot enforce this JSON "
                              "schema") +
          ": llama.cpp refused the grammar made from " + (tools ? "them" : "it") +
          " (it allows no repetition count above 2000, such as a minItems, maxItems, "
          "minLength or maxLength, and no definition that refers to itself before any input)"));
    }
    // llama.cpp aborts when a grammar that is not finished is given an
    // end-of-generation token: the prefill's text may spell one.
    bool accepted =
        std::none_of(spec->prefill.begin(), spec->prefill.end(),
                     [vocab](llama_token token) { return llama_vocab_is_eog(vocab, token); });
    try {
      for (size_t i = 0; accepted && i < spec->prefill.size(); ++i) {
        llama_sampler_accept(constrained, spec->prefill[i]);
      }
    } catch (const std::exception&) {
      accepted = false;
    }
    if (!accepted) {
      llama_sampler_free(constrained);
      llama_sampler_free(chain);
      if (spec->source == GrammarSpec::Source::kResponseFormat) {
        return Error(InvalidArgument(
            "messages: the assistant prefill is not the start of an answer that "
            "response_format's JSON schema allows"));
      }
      if (spec->prefill_from_request) {
        return Error(InvalidArgument(
            "messages: the assistant prefill is not the start of a tool call, which "
            "tool_choice requires"));
      }
      return Error(Internal("the tool-call grammar of this model's chat template does not "
                            "accept the answer's opening that the template wrote"));
    }
    llama_sampler_chain_add(chain, constrained);
  }
  if (!biases.empty()) {
    llama_sampler_chain_add(chain, llama_sampler_init_logit_bias(
                                       n_vocab, static_cast<int32_t>(biases.size()),
                                       biases.data()));
  }
  if (params.presence_penalty.value_or(0) != 0 || params.frequency_penalty.value_or(0) != 0) {
    // Over the whole answer, as OpenAI counts them; the chain sees only the
    // answer's tokens (llama_sampler_sample accepts each one it draws).
    llama_sampler_chain_add(
        chain, llama_sampler_init_penalties(
                   n_vocab, max_tokens, /*penalty_repeat=*/1.0f,
                   static_cast<float>(params.frequency_penalty.value_or(0)),
                   static_cast<float>(params.presence_penalty.value_or(0))));
  }
  const double temperature = params.temperature.value_or(1.0);
  if (temperature <= 0) {
    llama_sampler_chain_add(chain, llama_sampler_init_greedy());
    return chain;
  }
  if (params.top_k && *params.top_k > 0) {
    llama_sampler_chain_add(
        chain, llama_sampler_init_top_k(static_cast<int32_t>(*params.top_k)));
  }
  if (params.top_p && *params.top_p < 1.0) {
    llama_sampler_chain_add(
        chain, llama_sampler_init_top_p(static_cast<float>(*params.top_p), 1));
  }
  if (params.min_p && *params.min_p > 0) {
    llama_sampler_chain_add(
        chain, llama_sampler_init_min_p(static_cast<float>(*params.min_p), 1));
  }
  llama_sampler_chain_add(
      chain, llama_sampler_init_temp(static_cast<float>(temperature)));
  const uint32_t seed = params.seed ? static_cast<uint32_t>(*params.seed)
                                    : LLAMA_DEFAULT_SEED;
  llama_sampler_chain_add(chain, llama_sampler_init_dist(seed));
  return chain;
}

Result<std::optional<GrammarSpec>> RequestGrammar(
    const llama_vocab* vocab, const ChatRequest& request,
    const RenderedPrompt& rendered, const std::vector<llama_token>& prompt) {
  Result<std::optional<std::string>> schema = GrammarFor(request.response_format);
  if (!schema) {
    return Error(schema.error());
  }
  if (*schema && !rendered.grammar.empty()) {
    return Error(InvalidArgument(
        "response_format: the local engine cannot constrain both the JSON "
        "format and tool calls in one request"));
  }
  std::optional<GrammarSpec> grammar;
  if (*schema) {
    grammar.emplace();
    grammar->source = GrammarSpec::Source::kResponseFormat;
    grammar->grammar = **schema;
    if (!rendered.continued.empty()) {
      grammar->prefill = TailSpelling(vocab, prompt, rendered.continued);
      grammar->prefill_from_request = true;
      if (grammar->prefill.empty()) {
        return Error(InvalidArgument(
            "messages: the local engine cannot hold this assistant prefill to "
            "response_format's JSON schema: the model's tokeniser joins its first "
            "character to the text before it"));
      }
    }
  } else if (!rendered.grammar.empty()) {
    grammar.emplace();
    grammar->source = GrammarSpec::Source::kTools;
    grammar->grammar = rendered.grammar;
    grammar->lazy = rendered.grammar_lazy;
    grammar->trigger_patterns = rendered.trigger_patterns;
    grammar->trigger_tokens = rendered.trigger_tokens;
    if (!grammar->lazy && !rendered.generation_prompt.empty()) {
      grammar->prefill = TailSpelling(vocab, prompt, rendered.generation_prompt);
      grammar->prefill_from_request = !rendered.continued.empty();
    }
  }
  return grammar;
}

}  // namespace duet::llama
