// ModelRunner: one loaded GGUF model, served with continuous batching.
//
// The runner owns the llama_model, one llama_context with `slots` parallel
// sequences, an inference thread while it has work (it ends after
// RunnerOptions::idle_release without any), and the pool of `threads`
// compute threads that runs every decode, attached once, as llama-server
// attaches its own. Submit() only queues (bounded); the
// inference thread admits queued requests into free slots, tokenises their
// prompts, and then runs one llama_decode per step over every active slot:
// prompt tokens of newly admitted slots (in chunks of at most batch_size)
// together with one next token for each slot that is already generating.
// Each slot samples its token with its own sampler chain, and its text goes
// through a StopMatcher before it is streamed as ChatEvents.
//
// A slot keeps its keys and values after an answer ends. A new request goes
// to the free slot whose cached tokens share the longest prefix with its
// prompt, and only the rest of the prompt is decoded: the next turn of a
// conversation costs its new tokens, not the whole history. The reused part
// is reported as cache_read_input_tokens (input_tokens counts the rest).
//
// Images: a model loaded with a vision projector (RunnerOptions::mmproj,
// vision.h) reads image blocks. Each image is encoded when its slot's
// prefill reaches it, and its embeddings decoded on their own, ahead of
// that step's batch (other slots wait that long); its placeholder tokens
// make prefix reuse cover the images of earlier turns too. Without a
// projector, a request with images ends with kInvalidArgument.
//
// Log-probabilities (token_scores.h): a request with `logprobs` or
// `report_confidence` has each sampled token scored against the full
// distribution of its position (log-softmax of the raw logits, before the
// sampler chain), which costs one O(vocabulary) pass per token on the
// inference thread, paid only by those requests. `logprobs` puts each
// token, with `top_logprobs` alternatives, on the text delta that carries
// its text (LogprobAligner); either puts the AnswerConfidence of every
// sampled token on kMessageDelta. In answers parsed into blocks (tools,
// thinking) the parser gives no token boundaries: the tokens fed to it
// since its last text delta ride on its next text delta, and are dropped
// when it turns them into reasoning or a tool call instead.
//
// kMessageStart goes out when a request takes its slot, before its prompt is
// decoded; during a long prompt, kPing follows every prefill_ping_interval.
//
// A request ends with kMessageStop (stop reason end_turn at the model's end
// of generation, stop_sequence, max_tokens, or model_context_window_exceeded
// when its slot's context is full), or with a single kError: kInvalidArgument
// when the prompt does not fit the context window (never silent truncation),
// kResourceExhausted when the queue is full, kCancelled when its CancelFlag
// is set (checked every step), kUnavailable when the runner shuts down.
//
// Thread safety: Submit, CountTokens and the accessors may be called from
// any thread. Events for one request come from the inference thread, in
// order.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "backend/backend.h"
#include "backend/llama/prompt.h"
#include "backend/llama/prompt_tokenizer.h"
#include "backend/llama/vision.h"
#include "core/status.h"
#include "model/chat.h"

struct llama_model;
struct llama_context;
struct ggml_threadpool;
struct llama_batch;

namespace duet::llama {

// What the attention of a model's context costs without flash attention:
// each micro-batch (llama.cpp's n_ubatch, the tokens computed at once)
// holds heads x cells x tokens float scores in the compute buffer. With
// flash attention the buffer's peak is the output logits instead,
// vocabulary x tokens floats.
struct AttentionShape {
  int64_t heads = 0;       // query heads (llama_model_n_head)
  int64_t cells = 0;       // KV cells of one slot
  int64_t vocabulary = 0;  // tokens the model's output scores
  int batch = 512;         // RunnerOptions::batch_size
  // Fewest tokens a micro-batch may hold: an image a vision projector
  // decodes with non-causal attention must fit in one, so a model with a
  // projector keeps `batch`.
  int min_micro_batch = 64;
  // The scores may always take this much (RunnerOptions::attention_scores_floor).
  int64_t scores_floor = int64_t{256} << 20;
};

struct RunnerOptions {
  std::string name;   // the model id clients ask for
  std::string path;   // the GGUF file
  std::string mmproj;  // its vision projector GGUF; "" for none (text only)
  // The projector was found beside the model rather than configured: one
  // that does not load is skipped with a warning (text only), not an error.
  bool mmproj_guessed = false;
  // Context window of each slot in tokens; 0 takes the model's trained
  // context, capped at kDefaultMaxContext.
  int64_t context = 0;
  int slots = 4;          // parallel sequences
  int queue_size = 64;    // requests waiting for a slot
  int threads = 0;        // inference threads; 0: one per physical core
  int batch_size = 512;   // tokens per decode step
  // llama.cpp's flash attention. On the CPU it pays off for wide batches
  // over a short context and costs a great deal once the context is deep:
  // llama-bench, 0.5B-shaped Q8_0 model, 8 threads of a 16-core Xeon,
  // flash attention on against off: pp512 1.36x at depth 0 and 1.32x at
  // depth 8192, tg32 1.42x at depth 0, but 0.64x at depth 2048 and 0.39x
  // at 8192, and a 32-token prompt after 2048 tokens 0.11x (8192: 0.06x);
  // its kernel handles fewer than 64 query rows one key at a time. A
  // conversation's next turn is exactly that. kAuto turns it off when the
  // model runs on CPUs only (duet's own build) and lets llama.cpp choose
  // otherwise. Without it a prompt's attention scores take compute buffer
  // in proportion to the context, which PlanAttention bounds.
  enum class FlashAttention { kAuto, kOn, kOff };
  FlashAttention flash_attention = FlashAttention::kAuto;
  // Without flash attention, the compute buffer a prompt's attention scores
  // may take however small the model's vocabulary (PlanAttention).
  int64_t attention_scores_floor = AttentionShape{}.scores_floor;
  // Output limit when a request sets none (OpenAI requests may omit it).
  int64_t default_max_tokens = 4096;
  // While a slot's prompt is still being decoded, its sink gets a kPing at
  // most this often (checked between decode steps), as the Anthropic API
  // pings a stream that has nothing to say yet: a long prefill streams
  // bytes, so clients and proxies see it alive and the router's stream
  // hold (policy.escalation.stream_hold_ms) can end on time. 0 pings after
  // every step that leaves prompt tokens to decode.
  std::chrono::milliseconds prefill_ping_interval{1000};
  // The inference thread ends after this long without work, and the next
  // request starts another. llama.cpp's OpenMP runtime keeps a pool of
  // compute threads for each thread that decodes, for as long as it lives;
  // an idle model that kept its pool would count against every other
  // model's, and with more OpenMP threads than CPUs the busy model's
  // barriers sleep instead of spinning (engine.cpp). Starting again costs
  // the thread and its pool, once per busy spell: on the 2-core development
  // VM, 50-80 us for 2 compute threads, 0.3 ms for 8, 0.7 ms for 16.
  std::chrono::milliseconds idle_release{1000};
};

inline constexpr int64_t kDefaultMaxContext = 8192;

// What llama.cpp is asked for: flash attention (llama_flash_attn_type) and
// the micro-batch.
struct AttentionPlan {
  int flash_attention = 0;
  int micro_batch = 0;
  int64_t scores_bytes = 0;  // the scores of one micro-batch; 0 with flash attention
};

// Without flash attention the scores grow with the context: a 32,768-token
// slot of a 0.5B-shaped model (14 heads) took 969 MiB of compute buffer
// against 300 MiB with it, and an 8B one (32 heads) would take 2 GiB. So
// the micro-batch shrinks until the scores fit in what the logits of a full
// batch take anyway (at least shape.scores_floor): prompt tokens/s
// barely moves down to 64 tokens (llama-bench pp512 on the 2-core VM: 1.0x
// at 64, 0.89-0.93x at 16-32). Where even min_micro_batch would not fit,
// kAuto on CPUs turns flash attention on (llama.cpp's choice: slow on a
// deep context, bounded in memory), and kOff keeps min_micro_batch.
// kAuto on a GPU is llama.cpp's own choice, at the full batch.
AttentionPlan PlanAttention(RunnerOptions::FlashAttention setting, bool on_gpu,
                            const AttentionShape& shape);
// A GPU backend is compiled in and found a device (llama.cpp then offloads
// every layer to it, by default).
bool HasGpuDevice();

class ModelRunner {
 public:
  // Loads the model (and its vision projector) and creates its context.
  // kNotFound when a file does not exist, kInvalidArgument when llama.cpp
  // cannot load it.
  static Result<std::unique_ptr<ModelRunner>> Load(RunnerOptions options);
  ~ModelRunner();  // ends queued and running requests, joins the thread

  ModelRunner(const ModelRunner&) = delete;
  ModelRunner& operator=(const ModelRunner&) = delete;

  const std::string& name() const { return options_.name; }
  // Each slot's context window, in tokens: what one request can use.
  int64_t context_window() const { return context_; }
  ModelInfo info() const;

  // Tokens of `request`'s rendered prompt.
  Result<int64_t> CountTokens(const ChatRequest& request) const;

  void Submit(ChatRequest request, std::shared_ptr<EventSink> sink,
              std::shared_ptr<const CancelFlag> cancel);

  // True when every slot is busy and the queue is full: a request submitted
  // now would be refused. Thread-safe.
  bool Saturated();
  // Requests in slots and waiting in the queue now. Thread-safe.
  std::pair<int64_t, int64_t> RunningAndQueued();

 private:
  struct Pending;
  struct Slot;

  ModelRunner(RunnerOptions options, ::llama_model* model,
              ::llama_context* context, ::ggml_threadpool* pool,
              int64_t slot_context, std::unique_ptr<ChatTemplates> templates,
              std::unique_ptr<VisionProjector> vision);

  // The rendered prompt's tokens, with its images' placeholders; new text
  // is tokenised side by side by `team`. They start with BOS (and end with
  // EOS) where the vocabulary asks for it, as llama.cpp's own tokenisation
  // of a prompt does: the template's rendering leaves them out.
  Result<TokenizedPrompt> TokenizePrompt(const RenderedPrompt& rendered,
                                         PromptTokenizer::Team team) const;
  // Encodes and decodes the slot's next image. False when that failed
  // (the slot then ended with an error).
  bool DecodeImage(Slot& slot);
  void Run();                   // the inference thread
  // The free slot whose cached tokens share the longest prefix with
  // `prompt` (that length in *reusable). REQUIRES: a free slot exists.
  Slot& ChooseSlot(const std::vector<int32_t>& prompt, size_t* reusable);
  // Starts `pending` in the best free slot, reusing its cached prefix. False
  // when it ended with an error before it took a slot.
  bool Admit(Pending pending);
  bool Step();                  // one decode over all active slots
  // A kPing to each slot still decoding its prompt that has been quiet
  // for prefill_ping_interval.
  void PingPrefillingSlots();
  // Scores the token just sampled from `slot`'s logits (its text is
  // `piece`) into the slot's confidence and, when asked, its logprobs.
  void Score(Slot& slot, int32_t token, const std::string& piece);
  void Emit(Slot& slot, std::string_view piece);
  // Sends released answer text, with the logprobs of the tokens it
  // carries: as text deltas, or through the slot's structured-output
  // parser as blocks.
  void Deliver(Slot& slot, std::string text, std::vector<TokenLogprob> logprobs);
  void Finish(Slot& slot, StopReason reason);
  void Fail(Slot& slot, Status status);
  void Release(Slot& slot);

  const RunnerOptions options_;
  ::llama_model* model_;
  ::llama_context* context_handle_;
  ::ggml_threadpool* threadpool_;  // the context's compute threads
  const int64_t context_;
  std::unique_ptr<ChatTemplates> templates_;
  std::unique_ptr<VisionProjector> vision_;  // null: text only
  // Remembers the messages it tokenised, for the next turn's prompt.
  std::unique_ptr<PromptTokenizer> tokenizer_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;  // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
  int busy_slots_ = 0;         // slots admitted or active; guarded by mutex_
  // The inference thread is running (it clears this, under mutex_, when it
  // ends for want of work); queue_ is never left non-empty without one.
  bool running_ = false;
  std::thread thread_;  // the current or last inference thread; guarded by mutex_

  // The inference thread's: one runs at a time, and the next starts only
  // after the last gave up mutex_ for good.
  std::vector<std::unique_ptr<Slot>> slots_;
  std::unique_ptr<::llama_batch> batch_;  // reused by every step
  int64_t next_message_ = 1;
};

}  // namespace duet::llama
