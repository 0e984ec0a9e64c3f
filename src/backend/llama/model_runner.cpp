#include "backend/llama/model_runner.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "backend/llama/answer_timing.h"
#include "backend/llama/logprob_aligner.h"
#include "backend/llama/prompt_tokenizer.h"
#include "backend/llama/sampler.h"
#include "backend/llama/side_by_side.h"
#include "backend/llama/stop_matcher.h"
#include "backend/llama/structured_output.h"
#include "backend/llama/token_scores.h"
#include "core/ids.h"
#include "ggml-cpu.h"
#include "llama.h"

namespace duet::llama {

struct ModelRunner::Pending {
  ChatRequest request;
  std::shared_ptr<EventSink> sink;
  std::shared_ptr<const CancelFlag> cancel;
  AnswerTiming::Clock::time_point queued;
};

// One parallel sequence of the context; its index is its llama seq_id.
struct ModelRunner::Slot {
  int id = 0;
  bool active = false;
  std::shared_ptr<EventSink> sink;
  std::shared_ptr<const CancelFlag> cancel;
  std::vector<llama_token> prompt;
  size_t prompt_done = 0;       // prompt tokens already decoded
  // The prompt's images (their placeholders are in `prompt`), the next
  // one to decode, and what keeps their chunks alive.
  std::vector<TokenizedPrompt::Image> images;
  size_t next_image = 0;
  std::shared_ptr<mtmd_input_chunks> image_chunks;
  // When the sink last heard from this slot during its prefill.
  std::chrono::steady_clock::time_point last_signal;
  // The tokens whose keys and values this sequence holds, in order. Kept
  // after an answer ends, so the next prompt that starts the same way (the
  // next turn of a conversation) decodes only what is new.
  std::vector<llama_token> cached;
  llama_pos position = 0;       // next position in the sequence
  llama_token next = 0;         // sampled, not yet decoded
  int batch_index = -1;         // where this step's logits are, or -1
  int64_t generated = 0;
  int64_t max_tokens = 0;
  std::unique_ptr<llama_sampler, decltype(&llama_sampler_free)> sampler{
      nullptr, llama_sampler_free};
  bool greedy = false;  // temperature 0: argmax of the logits, no sampler
  std::unique_ptr<StopMatcher> stops;  // the client's and the template's
  std::vector<std::string> client_stops;
  AnswerTiming timing;  // logged when the answer ends
  // Set when the answer is parsed into blocks (tools or thinking).
  std::unique_ptr<StructuredOutput> structured;
  // Special tokens rendered as text for that parser.
  std::vector<llama_token> preserved;
  Usage usage;
  // Scoring, off unless the request asks (it costs a pass over the
  // vocabulary per token): `score` for the confidence, `report_logprobs`
  // also for per-token logprobs with `top_logprobs` alternatives.
  bool score = false;
  bool report_logprobs = false;
  int top_logprobs = 0;
  ConfidenceTally confidence;
  LogprobAligner aligner;
  // Structured answers: logprobs of text given to the parser that has not
  // come out as a text delta yet.
  std::vector<TokenLogprob> parser_logprobs;
};

namespace {

bool IsGreedy(const SamplingParams& params) {
  return params.temperature.value_or(1.0) <= 0 && !AdjustsLogits(params);
}

}  // namespace

ModelRunner::ModelRunner(RunnerOptions options, ::llama_model* model,
                         ::llama_context* context, ::ggml_threadpool* pool,
                         int64_t slot_context,
                         std::unique_ptr<ChatTemplates> templates,
                         std::unique_ptr<VisionProjector> vision)
    : options_(std::move(options)),
      model_(model),
      context_handle_(context),
      threadpool_(pool),
      context_(slot_context),
      templates_(std::move(templates)),
      vision_(std::move(vision)),
      tokenizer_(std::make_unique<PromptTokenizer>(
          model_, PromptTokenizer::Options{.threads = std::max(1, options_.threads)})) {
  for (int i = 0; i < std::max(1, options_.slots); ++i) {
    auto slot = std::make_unique<Slot>();
    slot->id = i;
    slots_.push_back(std::move(slot));
  }
  batch_ = std::make_unique<llama_batch>(
      llama_batch_init(std::max(1, options_.batch_size), 0, 1));
}

ModelRunner::~ModelRunner() {
  std::thread last;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    last = std::move(thread_);
  }
  wake_.notify_all();
  if (last.joinable()) {
    last.join();
  }
  llama_batch_free(*batch_);
  for (auto& slot : slots_) {
    slot->image_chunks.reset();
  }
  vision_.reset();
  llama_free(context_handle_);
  ggml_threadpool_free(threadpool_);  // after the context that uses it
  llama_model_free(model_);
}

ModelInfo ModelRunner::info() const {
  ModelInfo info;
  info.id = options_.name;
  info.display_name = options_.name + " (local)";
  info.owned_by = "llamacpp";
  // When the model file was last written: the closest thing to a release.
  std::error_code error;
  const auto written = std::filesystem::last_write_time(options_.path, error);
  if (!error) {
    info.created_unix = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::file_clock::to_sys(written)
                                .time_since_epoch())
                            .count();
  }
  info.context_window = context_;
  info.max_output_tokens = context_;
  info.reads_images = vision_ != nullptr;
  info.tokens_per_image = vision_ ? vision_->tokens_per_image() : 0;
  return info;
}

Result<TokenizedPrompt> ModelRunner::TokenizePrompt(const RenderedPrompt& rendered,
                                                    PromptTokenizer::Team team) const {
  if (!rendered.images.empty()) {
    if (rendered.control_text != nullptr) {
      // mtmd tokenises the text between images itself, special tokens
      // parsed: it cannot be told which text is the client's.
      return Error(InvalidArgument(
          "the request's text spells one of the model's control tokens, which the local "
          "engine can keep as text only in requests without images"));
    }
    // Render refuses images unless the model has a projector.
    return vision_->Tokenize(rendered.prompt, rendered.images);
  }
  const llama_vocab* vocab = llama_model_get_vocab(model_);
  std::vector<llama_token> text;
  if (rendered.control_text == nullptr) {
    DUET_ASSIGN_OR_RETURN(text, tokenizer_->Tokenize(rendered.prompt, team));
  } else {
    DUET_ASSIGN_OR_RETURN(const std::vector<ControlText::Stretch> stretches,
                          rendered.control_text->Cut(rendered.prompt));
    for (const ControlText::Stretch& stretch : stretches) {
      DUET_ASSIGN_OR_RETURN(
          const std::vector<llama_token> tokens,
          stretch.plain ? TokenizeText(vocab, stretch.text, ControlSpelling::kText)
                        : tokenizer_->Tokenize(stretch.text, team));
      text.insert(text.end(), tokens.begin(), tokens.end());
    }
  }
  TokenizedPrompt tokenized;
  if (llama_vocab_get_add_bos(vocab)) {
    tokenized.tokens.reserve(text.size() + 2);
    tokenized.tokens.push_back(llama_vocab_bos(vocab));
    tokenized.tokens.insert(tokenized.tokens.end(), text.begin(), text.end());
  } else {
    tokenized.tokens = std::move(text);
  }
  if (llama_vocab_get_add_eos(vocab)) {
    tokenized.tokens.push_back(llama_vocab_eos(vocab));
  }
  return tokenized;
}

Result<int64_t> ModelRunner::CountTokens(const ChatRequest& request) const {
  DUET_ASSIGN_OR_RETURN(RenderedPrompt rendered, templates_->Render(request));
  // This runs on the caller's thread, beside the inference thread: threads
  // started to help may only take cores the compute threads leave idle.
  bool idle = false;
  {
    std::lock_guard lock(mutex_);
    idle = busy_slots_ == 0 && queue_.empty();
  }
  DUET_ASSIGN_OR_RETURN(
      TokenizedPrompt tokenized,
      TokenizePrompt(rendered, {.threads = idle ? options_.threads : 1,
                                .helpers = Helpers::kNewThreads}));
  return static_cast<int64_t>(tokenized.tokens.size());
}

bool ModelRunner::Saturated() {
  std::lock_guard lock(mutex_);
  return busy_slots_ >= options_.slots &&
         queue_.size() >= static_cast<size_t>(options_.queue_size);
}

std::pair<int64_t, int64_t> ModelRunner::RunningAndQueued() {
  std::lock_guard lock(mutex_);
  return {busy_slots_, static_cast<int64_t>(queue_.size())};
}

void ModelRunner::Submit(ChatRequest request, std::shared_ptr<EventSink> sink,
                         std::shared_ptr<const CancelFlag> cancel) {
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    // A request may wait when every slot is taken; queue_size bounds how
    // many do. slots_ never changes size after construction.
    const int free_slots = static_cast<int>(slots_.size()) - busy_slots_;
    const auto room =
        static_cast<size_t>(std::max(0, options_.queue_size) + free_slots);
    if (!stopping_ && queue_.size() < room) {
      queue_.push_back(
          {std::move(request), sink, std::move(cancel), AnswerTiming::Clock::now()});
      queued = true;
      if (running_) {
        wake_.notify_one();
      } else {
        // The last inference thread, if any, ran out of work and is past
        // its last use of mutex_: the new one joins it, not the caller.
        running_ = true;
        std::thread ended = std::move(thread_);
        thread_ = std::thread([this, ended = std::move(ended)]() mutable {
          if (ended.joinable()) {
            ended.join();
          }
          Run();
        });
      }
    }
  }
  if (queued) {
    return;
  }
  sink->OnEvent(ChatEvent::Failure(Status(
      ErrorCode::kResourceExhausted,
      "model " + options_.name + " is busy: " +
          std::to_string(options_.queue_size) +
          " requests are already waiting; retry later")));
}

void ModelRunner::Run() {
  std::deque<Pending> abandoned;  // queued when the runner stopped
  for (;;) {
    std::deque<Pending> admitted;
    std::vector<Pending> gone;  // cancelled while waiting in the queue
    {
      std::unique_lock lock(mutex_);
      const auto any_active = [this] {
        return std::any_of(slots_.begin(), slots_.end(),
                           [](const auto& slot) { return slot->active; });
      };
      const bool work = wake_.wait_for(lock, options_.idle_release, [&] {
        return stopping_ || !queue_.empty() || any_active();
      });
      if (!work) {
        running_ = false;  // the next Submit starts another thread
        return;
      }
      if (stopping_) {
        abandoned.swap(queue_);
        break;
      }
      // A client that left while waiting frees its place in the queue now,
      // not when a slot would have reached it.
      for (auto it = queue_.begin(); it != queue_.end();) {
        if (it->cancel && it->cancel->cancelled()) {
          gone.push_back(std::move(*it));
          it = queue_.erase(it);
        } else {
          ++it;
        }
      }
      for (auto& slot : slots_) {
        if (!slot->active && !queue_.empty()) {
          admitted.push_back(std::move(queue_.front()));
          queue_.pop_front();
          ++busy_slots_;
        }
      }
    }
    for (Pending& pending : gone) {
      pending.sink->OnEvent(ChatEvent::Failure(
          Status(ErrorCode::kCancelled, "cancelled while waiting for a slot")));
    }
    for (Pending& pending : admitted) {
      if (!Admit(std::move(pending))) {
        std::lock_guard lock(mutex_);
        --busy_slots_;  // ended at admission: the slot stays free
      }
    }
    Step();
  }
  // Sinks are called without the lock held.
  for (Pending& pending : abandoned) {
    pending.sink->OnEvent(
        ChatEvent::Failure(Unavailable("the local engine is shutting down")));
  }
  for (auto& slot : slots_) {
    if (slot->active) {
      Fail(*slot, Unavailable("the local engine is shutting down"));
    }
  }
}

ModelRunner::Slot& ModelRunner::ChooseSlot(
    const std::vector<llama_token>& prompt, size_t* reusable) {
  Slot* best = nullptr;
  *reusable = 0;
  for (auto& slot : slots_) {
    if (slot->active) {
      continue;
    }
    const auto mismatch = std::mismatch(slot->cached.begin(), slot->cached.end(),
                                        prompt.begin(), prompt.end());
    const auto common =
        static_cast<size_t>(mismatch.first - slot->cached.begin());
    if (best == nullptr || common > *reusable) {
      best = slot.get();
      *reusable = common;
    }
  }
  return *best;  // Run admits no more requests than there are free slots
}

bool ModelRunner::Admit(Pending pending) {
  const AnswerTiming::Clock::time_point admitted = AnswerTiming::Clock::now();
  if (pending.cancel && pending.cancel->cancelled()) {
    pending.sink->OnEvent(ChatEvent::Failure(
        Status(ErrorCode::kCancelled, "cancelled while waiting for a slot")));
    return false;
  }
  Result<RenderedPrompt> rendered = templates_->Render(pending.request);
  const AnswerTiming::Clock::time_point rendered_at = AnswerTiming::Clock::now();
  Result<TokenizedPrompt> tokenized =
      // The compute threads wait while a request is admitted: they help.
      rendered ? TokenizePrompt(*rendered, {.threads = options_.threads,
                                            .helpers = Helpers::kComputeTeam})
               : Error(rendered.error());
  if (!tokenized) {
    pending.sink->OnEvent(ChatEvent::Failure(tokenized.error()));
    return false;
  }
  std::vector<llama_token>* tokens = &tokenized->tokens;
  const std::vector<TokenizedPrompt::Image>& images = tokenized->images;
  if (!images.empty() && images.back().start + images.back().length == tokens->size()) {
    // Templates end with the answer's opening; the last token's logits start it.
    pending.sink->OnEvent(ChatEvent::Failure(
        InvalidArgument("the prompt ends with an image; the model's template must "
                        "open the answer after it")));
    return false;
  }
  if (tokens->empty()) {
    pending.sink->OnEvent(ChatEvent::Failure(
        InvalidArgument("the prompt rendered to no tokens")));
    return false;
  }
  const auto prompt_tokens = static_cast<int64_t>(tokens->size());
  if (prompt_tokens >= context_) {
    // The Anthropic API's own wording: clients such as Claude Code read
    // the numbers from it to decide how much to compact.
    pending.sink->OnEvent(ChatEvent::Failure(InvalidArgument(
        "prompt is too long: " + std::to_string(prompt_tokens) + " tokens > " +
        std::to_string(context_ - 1) + " maximum (the context window of " +
        options_.name + " is " + std::to_string(context_) + " tokens)")));
    return false;
  }
  Result<std::optional<GrammarSpec>> grammar_result =
      RequestGrammar(llama_model_get_vocab(model_), pending.request, *rendered,
                     *tokens);
  if (!grammar_result) {
    pending.sink->OnEvent(ChatEvent::Failure(grammar_result.error()));
    return false;
  }
  const std::optional<GrammarSpec>& grammar = *grammar_result;
  // A grammar needs the sampler chain; plain greedy takes the argmax.
  const bool greedy = IsGreedy(pending.request.sampling) && !grammar;
  const int64_t max_tokens =
      pending.request.max_tokens.value_or(options_.default_max_tokens);
  llama_sampler* sampler = nullptr;
  if (!greedy) {
    const auto penalty_window = static_cast<int32_t>(std::clamp<int64_t>(max_tokens, 1, context_));
    Result<llama_sampler*> made =
        NewSampler(pending.request.sampling, penalty_window, llama_model_get_vocab(model_),
                   grammar ? &*grammar : nullptr);
    if (!made) {
      pending.sink->OnEvent(ChatEvent::Failure(made.error()));
      return false;
    }
    sampler = *made;
  }
  size_t reuse = 0;
  Slot& slot = ChooseSlot(*tokens, &reuse);
  // The last prompt token is always decoded: its logits start the answer.
  reuse = ReusablePrefix(images, std::min(reuse, tokens->size() - 1));
  llama_memory_t memory = llama_get_memory(context_handle_);
  if (!llama_memory_seq_rm(memory, slot.id, static_cast<llama_pos>(reuse), -1)) {
    // Some models' memory cannot drop a tail: start the sequence over.
    llama_memory_seq_rm(memory, slot.id, -1, -1);
    reuse = 0;
  }
  slot.cached.resize(reuse);
  slot.active = true;
  slot.sink = std::move(pending.sink);
  slot.cancel = std::move(pending.cancel);
  slot.prompt = std::move(*tokens);
  slot.prompt_done = reuse;
  slot.images = tokenized->images;
  slot.next_image = 0;
  while (slot.next_image < slot.images.size() &&
         slot.images[slot.next_image].start < reuse) {
    ++slot.next_image;  // in the reused prefix: already decoded
  }
  slot.image_chunks = std::move(tokenized->chunks);
  slot.position = static_cast<llama_pos>(reuse);
  slot.batch_index = -1;
  slot.generated = 0;
  slot.max_tokens = max_tokens;
  slot.greedy = greedy;
  slot.sampler.reset(sampler);
  std::vector<std::string> stops = pending.request.stop_sequences;
  stops.insert(stops.end(), rendered->additional_stops.begin(),
               rendered->additional_stops.end());
  slot.stops = std::make_unique<StopMatcher>(std::move(stops));
  slot.client_stops = pending.request.stop_sequences;
  slot.structured.reset();
  slot.preserved.clear();
  if (rendered->structured) {
    slot.structured =
        std::make_unique<StructuredOutput>(rendered->parser, !rendered->continued.empty());
    for (const std::string& text : rendered->preserved_tokens) {
      Result<std::vector<llama_token>> token =
          TokenizeText(llama_model_get_vocab(model_), text);
      if (token && token->size() == 1) {  // a single special token
        slot.preserved.push_back(token->front());
      }
    }
  }
  slot.score = pending.request.logprobs || pending.request.report_confidence;
  slot.report_logprobs = pending.request.logprobs;
  slot.top_logprobs =
      pending.request.logprobs ? std::max(0, pending.request.top_logprobs) : 0;
  slot.confidence = ConfidenceTally();
  slot.aligner.Clear();
  slot.parser_logprobs.clear();
  slot.usage = Usage{};
  slot.usage.input_tokens = prompt_tokens - static_cast<int64_t>(reuse);
  slot.usage.cache_read_input_tokens = static_cast<int64_t>(reuse);
  slot.usage.output_tokens = 0;
  slot.timing = AnswerTiming{.queued = pending.queued,
                             .admitted = admitted,
                             .rendered = rendered_at,
                             .prepared = AnswerTiming::Clock::now()};

  slot.sink->OnEvent(
      ChatEvent::MessageStart(NewId("msg_"), options_.name, slot.usage));
  slot.last_signal = std::chrono::steady_clock::now();
  if (!slot.structured) {
    slot.sink->OnEvent(ChatEvent::BlockStart(0, ContentBlock::Text("")));
  }
  if (slot.max_tokens <= 0) {
    Finish(slot, StopReason::kMaxTokens);  // releases the slot
  }
  return true;
}

bool ModelRunner::Step() {
  const int capacity = std::max(1, options_.batch_size);
  llama_batch& batch = *batch_;
  batch.n_tokens = 0;
  const auto add = [&batch, this](llama_token token, llama_pos position,
                                  int sequence, bool logits) {
    slots_[static_cast<size_t>(sequence)]->cached.push_back(token);
    const int i = batch.n_tokens++;
    batch.token[i] = token;
    batch.pos[i] = position;
    batch.n_seq_id[i] = 1;
    batch.seq_id[i][0] = sequence;
    batch.logits[i] = logits;
    return i;
  };

  // Cancelled answers end before they cost another decode.
  for (auto& slot : slots_) {
    if (slot->active && slot->cancel && slot->cancel->cancelled()) {
      Fail(*slot, Status(ErrorCode::kCancelled, "the client went away"));
    }
  }
  const AnswerTiming::Clock::time_point step_started = AnswerTiming::Clock::now();
  for (auto& slot : slots_) {
    if (slot->active && slot->prompt_done < slot->prompt.size() &&
        slot->timing.prefill_started == AnswerTiming::Clock::time_point{}) {
      slot->timing.prefill_started = step_started;
    }
  }
  // Images whose turn has come are decoded on their own, before the batch.
  for (auto& slot : slots_) {
    while (slot->active && slot->next_image < slot->images.size() &&
           slot->images[slot->next_image].start == slot->prompt_done &&
           DecodeImage(*slot)) {
    }
  }
  // Generating slots first: one token each keeps every stream moving.
  for (auto& slot : slots_) {
    slot->batch_index = -1;
    if (slot->active && slot->prompt_done == slot->prompt.size() &&
        batch.n_tokens < capacity) {
      slot->batch_index = add(slot->next, slot->position++, slot->id, true);
    }
  }
  // Then prompt chunks, in slot order, within what is left of the batch.
  for (auto& slot : slots_) {
    if (!slot->active || slot->prompt_done == slot->prompt.size()) {
      continue;
    }
    // Up to the next image, which a later step decodes.
    const size_t end = slot->next_image < slot->images.size()
                           ? slot->images[slot->next_image].start
                           : slot->prompt.size();
    while (slot->prompt_done < end && batch.n_tokens < capacity) {
      const bool last = slot->prompt_done + 1 == slot->prompt.size();
      const int index = add(slot->prompt[slot->prompt_done++],
                            slot->position++, slot->id, last);
      if (last) {
        slot->batch_index = index;
      }
    }
  }
  if (batch.n_tokens == 0) {
    return false;
  }
  const int32_t decoded = llama_decode(context_handle_, batch);
  if (decoded != 0) {
    // What this step added is in an unknown state: forget every sequence.
    for (auto& slot : slots_) {
      llama_memory_seq_rm(llama_get_memory(context_handle_), slot->id, -1, -1);
      slot->cached.clear();
      if (slot->active) {
        Fail(*slot, Unavailable("llama_decode failed (" +
                                std::to_string(decoded) + ")"));
      }
    }
    return false;
  }

  PingPrefillingSlots();
  const llama_vocab* vocab = llama_model_get_vocab(model_);
  for (auto& slot : slots_) {
    if (!slot->active || slot->batch_index < 0) {
      continue;
    }
    llama_token token = LLAMA_TOKEN_NULL;
    try {
      token = slot->greedy
                  ? MostLikelyToken(
                        llama_get_logits_ith(context_handle_, slot->batch_index),
                        llama_vocab_n_tokens(vocab))
                  : llama_sampler_sample(slot->sampler.get(), context_handle_,
                                         slot->batch_index);
    } catch (const std::exception& error) {
      // llama.cpp's grammar sampler throws when it cannot go on.
      Fail(*slot, Internal(std::string("sampling failed: ") + error.what()));
      continue;
    }
    if (slot->generated == 0) {
      slot->timing.first_token = AnswerTiming::Clock::now();
    }
    if (llama_vocab_is_eog(vocab, token)) {
      Finish(*slot, StopReason::kEndTurn);
      continue;
    }
    ++slot->generated;
    slot->usage.output_tokens = slot->generated;
    const bool preserved =
        std::find(slot->preserved.begin(), slot->preserved.end(), token) !=
        slot->preserved.end();
    const std::string piece = TokenPiece(vocab, token, preserved);
    if (slot->score) {
      Score(*slot, token, piece);
    }
    Emit(*slot, piece);
    if (!slot->active) {
      continue;  // a stop sequence ended it
    }
    if (slot->generated >= slot->max_tokens) {
      Finish(*slot, StopReason::kMaxTokens);
    } else if (slot->position >= context_) {
      Finish(*slot, StopReason::kContextWindowExceeded);
    } else {
      slot->next = token;
    }
  }
  return true;
}

bool ModelRunner::DecodeImage(Slot& slot) {
  const TokenizedPrompt::Image& image = slot.images[slot.next_image];
  Result<int32_t> next = vision_->Decode(context_handle_, image, slot.position, slot.id,
                                         std::max(1, options_.batch_size));
  if (!next) {
    // How much of the image reached the sequence is unknown: forget it.
    llama_memory_seq_rm(llama_get_memory(context_handle_), slot.id, -1, -1);
    slot.cached.clear();
    Fail(slot, next.error());
    return false;
  }
  slot.cached.insert(slot.cached.end(), slot.prompt.begin() + static_cast<ptrdiff_t>(image.start),
                     slot.prompt.begin() + static_cast<ptrdiff_t>(image.start + image.length));
  slot.prompt_done += image.length;
  slot.position = *next;
  ++slot.next_image;
  return true;
}

void ModelRunner::PingPrefillingSlots() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& slot : slots_) {
    if (slot->active && slot->prompt_done < slot->prompt.size() &&
        now - slot->last_signal >= options_.prefill_ping_interval) {
      slot->last_signal = now;
      slot->sink->OnEvent(ChatEvent::Ping());
    }
  }
}

void ModelRunner::Score(Slot& slot, llama_token token,
                        const std::string& piece) {
  const float* logits =
      llama_get_logits_ith(context_handle_, slot.batch_index);
  if (logits == nullptr) {
    return;  // not reachable: the token was just sampled from this row
  }
  const llama_vocab* vocab = llama_model_get_vocab(model_);
  const TokenScore score = ScoreToken(logits, llama_vocab_n_tokens(vocab),
                                      token, slot.top_logprobs);
  slot.confidence.Add(score);
  if (!slot.report_logprobs) {
    return;
  }
  TokenLogprob entry;
  entry.token = piece;
  entry.logprob = score.logprob;
  entry.top.reserve(score.top.size());
  for (const auto& [id, logprob] : score.top) {
    // The sampled token reads as it does in the answer; other special
    // tokens show their marker, so "the model wanted to stop" is visible.
    entry.top.push_back(
        {id == token ? piece : TokenPiece(vocab, id, /*special=*/true), logprob});
  }
  slot.aligner.Add(std::move(entry));
}

void ModelRunner::Emit(Slot& slot, std::string_view piece) {
  std::string text = slot.stops->Push(piece);
  std::vector<TokenLogprob> logprobs = slot.aligner.Release(text.size());
  if (slot.stops->stopped()) {
    slot.aligner.Clear();  // what the stop sequence swallowed
  }
  Deliver(slot, std::move(text), std::move(logprobs));
  if (slot.stops->stopped()) {
    // A template's own end marker is a natural end, not a client's stop.
    const bool client_stop =
        std::find(slot.client_stops.begin(), slot.client_stops.end(),
                  slot.stops->matched()) != slot.client_stops.end();
    Finish(slot, client_stop ? StopReason::kStopSequence : StopReason::kEndTurn);
  }
}

void ModelRunner::Deliver(Slot& slot, std::string text,
                          std::vector<TokenLogprob> logprobs) {
  if (!slot.structured) {
    // An empty delta only ever carries the last tokens of an answer whose
    // text ended without them (see ChatEvent::logprobs).
    if (text.empty() && logprobs.empty()) {
      return;
    }
    ChatEvent delta =
        ChatEvent::Delta(0, ChatEvent::DeltaKind::kText, std::move(text));
    delta.logprobs = std::move(logprobs);
    slot.sink->OnEvent(std::move(delta));
    return;
  }
  slot.parser_logprobs.insert(slot.parser_logprobs.end(),
                              std::make_move_iterator(logprobs.begin()),
                              std::make_move_iterator(logprobs.end()));
  if (text.empty()) {
    return;
  }
  std::vector<ChatEvent> events;
  slot.structured->Append(text, &events);
  AttachParserLogprobs(&events, &slot.parser_logprobs);
  for (ChatEvent& event : events) {
    slot.sink->OnEvent(std::move(event));
  }
}

void ModelRunner::Finish(Slot& slot, StopReason reason) {
  std::string rest = slot.stops->Finish();
  // After a stop sequence the aligner holds nothing; otherwise the tokens
  // whose text never came out still belong to the answer.
  Deliver(slot, std::move(rest), slot.aligner.TakeAll());
  if (slot.structured) {
    std::vector<ChatEvent> events;
    slot.structured->Finish(&events);
    AttachParserLogprobs(&events, &slot.parser_logprobs);
    for (ChatEvent& event : events) {
      slot.sink->OnEvent(std::move(event));
    }
    if (slot.structured->tool_calls() > 0 && reason == StopReason::kEndTurn) {
      reason = StopReason::kToolUse;
    }
  } else {
    slot.sink->OnEvent(ChatEvent::BlockStop(0));
  }
  const std::string stop_sequence =
      reason == StopReason::kStopSequence ? slot.stops->matched() : "";
  ChatEvent message_delta =
      ChatEvent::MessageDelta(reason, slot.usage, stop_sequence);
  if (slot.score) {
    message_delta.confidence = slot.confidence.Summary();
  }
  // Logged before the answer's end goes out: whoever waits for the end finds
  // the line written.
  slot.timing.finished = AnswerTiming::Clock::now();
  spdlog::info("model {}: {}", options_.name,
               slot.timing.Describe(slot.usage.input_tokens,
                                    slot.usage.cache_read_input_tokens, slot.generated));
  slot.sink->OnEvent(std::move(message_delta));
  slot.sink->OnEvent(ChatEvent::MessageStop());
  Release(slot);
}

void ModelRunner::Fail(Slot& slot, Status status) {
  slot.sink->OnEvent(ChatEvent::Failure(std::move(status)));
  Release(slot);
}

void ModelRunner::Release(Slot& slot) {
  {
    std::lock_guard lock(mutex_);
    --busy_slots_;
  }
  slot.active = false;
  slot.sink.reset();
  slot.cancel.reset();
  slot.sampler.reset();
  slot.images.clear();
  slot.image_chunks.reset();
  slot.batch_index = -1;
  slot.aligner.Clear();
  slot.parser_logprobs.clear();
}

}  // namespace duet::llama
