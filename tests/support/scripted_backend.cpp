#include "support/scripted_backend.h"

#include <algorithm>
#include <cstddef>
#include <thread>
#include <unordered_set>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "support/scripted_script.h"

namespace duet::testing {
namespace {

constexpr int64_t kContextWindow = 32768;
constexpr int64_t kMaxOutputTokens = 8192;
// 2025-01-01T00:00:00Z: a fixed date keeps /v1/models output stable.
constexpr int64_t kModelsCreatedUnix = 1735689600;

}  // namespace

// Owns the io_context and its one thread. Everything below touches runs only
// on that thread, so the set of active runs needs no lock; `mutex_` only
// orders Start() against the shutdown in the destructor.
class ScriptedBackend::Worker {
 public:
  explicit Worker(std::chrono::milliseconds cancel_poll_interval)
      : cancel_poll_interval_(cancel_poll_interval),
        work_guard_(boost::asio::make_work_guard(io_context_)),
        thread_([this] { io_context_.run(); }) {}

  ~Worker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      // Runs after every Start() posted before it, so it sees all of them.
      boost::asio::post(io_context_, [this] { CancelAll(); });
    }
    work_guard_.reset();
    thread_.join();
  }

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void Start(Script script, std::shared_ptr<EventSink> sink,
             std::shared_ptr<const CancelFlag> cancel) {
    auto run = std::make_shared<Run>(io_context_);
    run->script = std::move(script);
    run->sink = std::move(sink);
    run->cancel = std::move(cancel);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!stopping_) {
        boost::asio::post(io_context_, [this, run] {
          active_.insert(run);
          Step(run);
        });
        return;
      }
    }
    // Nothing runs on the worker any more; end the request here.
    run->sink->OnEvent(ChatEvent::Failure(
        Status(ErrorCode::kCancelled, "backend shutting down")));
  }

 private:
  struct Run {
    explicit Run(boost::asio::io_context& io_context) : timer(io_context) {}
    Script script;
    std::size_t next_event = 0;
    std::shared_ptr<EventSink> sink;
    std::shared_ptr<const CancelFlag> cancel;
    boost::asio::steady_timer timer;
    std::chrono::steady_clock::time_point due;
    bool finished = false;
  };
  using RunPtr = std::shared_ptr<Run>;

  static bool Cancelled(const Run& run) {
    return run.cancel != nullptr && run.cancel->cancelled();
  }

  void Finish(const RunPtr& run, ChatEvent last) {
    run->finished = true;
    active_.erase(run);
    std::shared_ptr<EventSink> sink = std::move(run->sink);
    sink->OnEvent(std::move(last));
  }

  // Delivers the next event, then arranges for the one after it.
  void Step(const RunPtr& run) {
    if (run->finished) {
      return;
    }
    if (Cancelled(*run)) {
      Finish(run, ChatEvent::Failure(
                      Status(ErrorCode::kCancelled, "request cancelled")));
      return;
    }
    ChatEvent event = run->script.events[run->next_event++];
    if (event.terminal() || run->next_event == run->script.events.size()) {
      Finish(run, std::move(event));
      return;
    }
    run->sink->OnEvent(std::move(event));
    std::chrono::milliseconds delay = run->script.delay_between_events;
    if (delay.count() <= 0) {
      // Posting (rather than looping) lets concurrent requests interleave.
      boost::asio::post(io_context_, [this, run] { Step(run); });
      return;
    }
    run->due = std::chrono::steady_clock::now() + delay;
    WaitUntilDue(run);
  }

  // Waits in slices of at most cancel_poll_interval_ so that a cancel during
  // a long delay is noticed promptly.
  void WaitUntilDue(const RunPtr& run) {
    auto now = std::chrono::steady_clock::now();
    run->timer.expires_at(std::min(run->due, now + cancel_poll_interval_));
    run->timer.async_wait([this, run](const boost::system::error_code& error) {
      if (error || run->finished) {
        return;
      }
      if (!Cancelled(*run) && std::chrono::steady_clock::now() < run->due) {
        WaitUntilDue(run);
        return;
      }
      Step(run);
    });
  }

  void CancelAll() {
    // Finish() erases from active_, so work on a copy.
    std::vector<RunPtr> runs(active_.begin(), active_.end());
    for (const RunPtr& run : runs) {
      run->timer.cancel();
      Finish(run, ChatEvent::Failure(
                      Status(ErrorCode::kCancelled, "backend shutting down")));
    }
  }

  const std::chrono::milliseconds cancel_poll_interval_;
  boost::asio::io_context io_context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_guard_;
  std::unordered_set<RunPtr> active_;  // worker thread only
  std::mutex mutex_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;     // last: starts after everything it uses exists
};

ScriptedBackend::ScriptedBackend(Options options)
    : options_(std::move(options)),
      worker_(std::make_unique<Worker>(options_.cancel_poll_interval)) {}

ScriptedBackend::~ScriptedBackend() = default;

std::vector<ModelInfo> ScriptedBackend::ListModels() const {
  std::vector<ModelInfo> models;
  const std::pair<const char*, const char*> kModels[] = {
      {"scripted-1", "Scripted 1"}, {"scripted-2", "Scripted 2"}};
  for (const auto& [id, display_name] : kModels) {
    ModelInfo info;
    info.id = id;
    info.display_name = display_name;
    info.owned_by = "duet-test";
    info.created_unix = kModelsCreatedUnix;
    info.context_window = kContextWindow;
    info.max_output_tokens = kMaxOutputTokens;
    models.push_back(std::move(info));
  }
  return models;
}

Result<std::string> ScriptedBackend::ResolveModel(
    const std::string& requested) const {
  if (requested.empty() || requested == options_.auto_model) {
    return std::string("scripted-1");
  }
  if (requested == "scripted-1" || requested == "scripted-2") {
    return requested;
  }
  return Error(NotFound("model: " + requested));
}

Result<int64_t> ScriptedBackend::CountTokens(const ChatRequest& request) {
  DUET_ASSIGN_OR_RETURN(std::string model, ResolveModel(request.model));
  return CountScriptedInputTokens(request);
}

void ScriptedBackend::Generate(ChatRequest request,
                               std::shared_ptr<EventSink> sink,
                               std::shared_ptr<const CancelFlag> cancel) {
  Script script;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generate_calls_;
    last_request_ = request;
    Result<std::string> model = ResolveModel(request.model);
    if (!model) {
      script.events.push_back(ChatEvent::Failure(std::move(model).error()));
    } else {
      script = BuildScript(request, *model,
                           ScriptIds{.message_number = next_message_number_,
                                     .first_tool_number = next_tool_number_});
      if (script.events.front().kind == ChatEvent::Kind::kMessageStart) {
        ++next_message_number_;
      }
      next_tool_number_ += script.tool_calls;
    }
  }
  if (!script.delay_from_directive) {
    script.delay_between_events = options_.event_delay;
  }
  worker_->Start(std::move(script), std::move(sink), std::move(cancel));
}

std::optional<ChatRequest> ScriptedBackend::last_request() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_request_;
}

int64_t ScriptedBackend::generate_calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return generate_calls_;
}

}  // namespace duet::testing
