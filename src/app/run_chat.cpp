#include "app/run_chat.h"

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <future>
#include <istream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

#include "app/cloud_backends.h"
#include "app/interrupt_relay.h"
#include "app/local_backend.h"
#include "app/prompt_images.h"
#include "backend/answer_collector.h"
#include "backend/backend.h"
#include "core/clock.h"
#include "model_files/model_discovery.h"
#include "route/escalation/polish_review.h"
#include "route/policy/policy_engine.h"

namespace duet {
namespace {

// Streams text deltas to the terminal and lets the caller wait for the end.
class TerminalSink final : public EventSink {
 public:
  explicit TerminalSink(std::ostream& out) : out_(out) {}

  void OnEvent(ChatEvent&& event) override {
    std::lock_guard lock(mutex_);
    if (event.kind == ChatEvent::Kind::kBlockStart &&
        event.block().type == BlockType::kThinking) {
      out_ << "Thinking...\n" << std::flush;
    } else if (event.kind == ChatEvent::Kind::kBlockStop && thinking_) {
      out_ << "\n...done thinking.\n\n" << std::flush;
    }
    if (event.kind == ChatEvent::Kind::kBlockStart) {
      thinking_ = event.block().type == BlockType::kThinking;
    }
    if (event.kind == ChatEvent::Kind::kBlockDelta &&
        event.delta_kind == ChatEvent::DeltaKind::kThinking) {
      out_ << event.delta << std::flush;
    } else if (event.kind == ChatEvent::Kind::kBlockDelta &&
               event.delta_kind == ChatEvent::DeltaKind::kText) {
      out_ << event.delta << std::flush;
      text_ += event.delta;
    } else if (event.kind == ChatEvent::Kind::kError) {
      error_ = event.error;
    }
    if (event.terminal()) {
      done_ = true;
      changed_.notify_all();
    }
  }

  // Waits for the end; the answer's text, or its error.
  Result<std::string> Wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return done_; });
    if (!error_.ok()) {
      return Error(error_);
    }
    return text_;
  }

 private:
  std::ostream& out_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool done_ = false;
  bool thinking_ = false;  // the open block is a thinking block
  std::string text_;
  Status error_;
};

// One turn: streams the answer to `out` and returns its text.
Result<std::string> Ask(Backend& backend, ChatRequest request, InterruptRelay& interrupt,
                        std::ostream& out) {
  auto sink = std::make_shared<TerminalSink>(out);
  auto cancel = std::make_shared<CancelFlag>();
  interrupt.Arm(cancel);  // Ctrl-C ends this answer, not the chat
  backend.Generate(std::move(request), sink, cancel);
  Result<std::string> answer = sink->Wait();
  interrupt.Arm(nullptr);
  out << "\n";
  return answer;
}

// The user's message from what they typed: the images whose paths it
// names (each announced on `out`), then its text.
Result<Message> UserMessage(std::string_view typed, std::ostream& out) {
  DUET_ASSIGN_OR_RETURN(MessageWithImages taken, TakeImagePaths(typed));
  Message message;
  message.role = Role::kUser;
  for (size_t i = 0; i < taken.images.size(); ++i) {
    out << "Added image '" << taken.paths[i] << "'\n";
    message.content.push_back(std::move(taken.images[i]));
  }
  if (!taken.text.empty() || message.content.empty()) {
    message.content.push_back(ContentBlock::Text(std::move(taken.text)));
  }
  return message;
}

// The configuration with only the model `name_or_path`: a configured name,
// a .gguf file (named by its stem), or a model `duet models` lists from the
// Hugging Face cache or Ollama's store (named as listed).
Result<Config> ConfigForModel(Config config, const std::string& name_or_path) {
  for (const LocalModelConfig& model : config.models) {
    if (model.name == name_or_path) {
      config.models = {model};
      return config;
    }
  }
  std::error_code error;
  if (std::filesystem::is_regular_file(name_or_path, error)) {
    LocalModelConfig model;
    model.name = std::filesystem::path(name_or_path).stem().string();
    model.path = name_or_path;
    config.models = {model};
    return config;
  }
  Result<model_files::DiscoveredModel> found =
      model_files::ResolveModel(name_or_path, model_files::ProcessDiscoveryOptions());
  if (found) {
    // Resolved again when the engine loads it, with the projector its
    // source names (app/local_backend.h).
    LocalModelConfig model;
    model.name = name_or_path;
    model.path = name_or_path;
    config.models = {model};
    return config;
  }
  if (found.error().code() != ErrorCode::kNotFound) {
    return Error(found.error());  // it exists but cannot be served
  }
  return Error(NotFound("no model named '" + name_or_path +
                        "' is configured, no such file exists, and `duet models` "
                        "lists none"));
}

// Claude's side of `duet run --polish`: the backend, the polishing model,
// and the policy (its sensitive-data scanner, its review setting).
struct Polisher {
  SystemClock clock;
  CloudBackends cloud;
  Backend* claude = nullptr;
  std::string model;
  std::unique_ptr<PolicyEngine> policy;
};

Result<std::unique_ptr<Polisher>> MakePolisher(const Config& config) {
  auto polisher = std::make_unique<Polisher>();
  DUET_ASSIGN_OR_RETURN(polisher->policy, PolicyEngine::Create(config.policy, &polisher->clock));
  const auto tier = config.policy.claude_models.find(config.policy.polish.tier);
  if (tier == config.policy.claude_models.end()) {
    return Error(InvalidArgument("policy.polish.tier names no Claude model"));
  }
  polisher->model = tier->second;
  DUET_ASSIGN_OR_RETURN(
      polisher->cloud,
      MakeCloudBackends(config, [](const char* name) -> const char* { return std::getenv(name); },
                        &polisher->clock));
  for (const auto& backend : polisher->cloud.backends) {
    if (polisher->claude == nullptr && backend->Serves(polisher->model)) {
      polisher->claude = backend.get();
    }
  }
  if (polisher->claude == nullptr) {
    return Error(Unavailable("--polish needs Claude: set " + config.anthropic.api_key_env +
                             " (or anthropic.api_key)"));
  }
  return polisher;
}

// One polished turn: the local draft, Claude's version, the review. The
// answer the conversation keeps: Claude's, or the draft when Claude could
// not be asked.
Result<std::string> AskPolished(Backend& local, Polisher& polisher, const Config& config,
                                const ChatRequest& request, InterruptRelay& interrupt,
                                std::ostream& out) {
  out << "-- draft (local " << request.model << ")\n";
  DUET_ASSIGN_OR_RETURN(std::string draft, Ask(local, request, interrupt, out));
  if (!polisher.policy->ScanRequest(request).empty()) {
    out << "-- sensitive data in the conversation: not sent to Claude; the draft stands\n";
    return draft;
  }
  ChatRequest polish = PolishRequest(request, draft);
  polish.model = polisher.model;
  out << "-- polished (" << polisher.model << ")\n";
  Result<std::string> polished = Ask(*polisher.claude, polish, interrupt, out);
  if (!polished) {
    out << "-- Claude failed (" << polished.error().message() << "); the draft stands\n";
    return draft;
  }
  if (config.policy.polish.review) {
    ChatResponse version;
    version.content.push_back(ContentBlock::Text(*polished));
    auto reply = std::make_shared<std::promise<Result<ChatResponse>>>();
    std::future<Result<ChatResponse>> replied = reply->get_future();
    local.Generate(ReviewRequest(request, draft, version, request.model),
                   std::make_shared<AnswerCollector>([reply](Result<ChatResponse> answer) {
                     reply->set_value(std::move(answer));
                   }),
                   std::make_shared<CancelFlag>());
    const Result<ChatResponse> answer = replied.get();
    const ReviewVerdict verdict =
        answer ? ParseReview(TextOf(*answer))
               : ReviewVerdict{"failed", answer.error().message()};
    out << "-- review (local " << request.model << "): " << verdict.verdict
        << (verdict.note.empty() ? "" : ": " + verdict.note) << "\n";
  }
  return polished;
}

constexpr const char* kHelp =
    "Commands:\n"
    "  /bye          leave (also Ctrl-D)\n"
    "  /clear        forget the conversation\n"
    "  /think on|off switch the model's thinking (if its template can)\n"
    "  /help         this list\n"
    "  \"\"\"           begin or end a multi-line message\n"
    "The path of an image file in a message attaches the image (for a model\n"
    "with a vision projector).\n"
    "Ctrl-C stops an answer in progress.\n";

}  // namespace

int RunChat(const Config& base, const RunOptions& options, std::istream& in,
            std::ostream& out) {
  Result<Config> config = ConfigForModel(base, options.model);
  if (!config) {
    std::fprintf(stderr, "duet: %s\n", config.error().message().c_str());
    return 2;
  }
  if (!options.mmproj.empty()) {
    config->models.front().mmproj = options.mmproj;
  }
  Result<std::shared_ptr<Backend>> backend = MakeLocalBackend(*config);
  if (!backend) {
    std::fprintf(stderr, "duet: %s\n", backend.error().message().c_str());
    return 1;
  }
  std::unique_ptr<Polisher> polisher;
  if (options.polish) {
    Result<std::unique_ptr<Polisher>> made = MakePolisher(*config);
    if (!made) {
      std::fprintf(stderr, "duet: %s\n", made.error().message().c_str());
      return 1;
    }
    polisher = std::move(*made);
  }
  // Ctrl-C stops an answer in progress; at the prompt it leaves.
  InterruptRelay interrupt({.exit_when_idle = true});
  const auto answer_turn = [&](const ChatRequest& turn) {
    return polisher ? AskPolished(**backend, *polisher, *config, turn, interrupt, out)
                    : Ask(**backend, turn, interrupt, out);
  };

  ChatRequest request;
  request.model = config->models.front().name;
  if (options.prompt) {
    Result<Message> message = UserMessage(*options.prompt, out);
    if (!message) {
      std::fprintf(stderr, "duet: %s\n", message.error().message().c_str());
      return 1;
    }
    request.messages.push_back(std::move(*message));
    Result<std::string> answer = answer_turn(request);
    if (!answer) {
      std::fprintf(stderr, "duet: %s\n", answer.error().message().c_str());
      return 1;
    }
    return 0;
  }

  bool thinking = false;
  std::string line;
  for (;;) {
    out << ">>> " << std::flush;
    if (!std::getline(in, line)) {
      out << "\n";
      break;
    }
    if (line == "/bye" || line == "/exit") {
      break;
    }
    if (line == "/help" || line == "/?") {
      out << kHelp;
      continue;
    }
    if (line == "/clear") {
      request.messages.clear();
      out << "Cleared the conversation.\n";
      continue;
    }
    if (line == "/think on" || line == "/think off") {
      thinking = line == "/think on";
      out << "Thinking " << (thinking ? "on" : "off")
          << (thinking ? " (for models whose chat template can think)." : ".")
          << "\n";
      continue;
    }
    if (!line.empty() && line[0] == '/') {
      out << "Unknown command " << line << "; /help lists them.\n";
      continue;
    }
    std::string text = line;
    if (line.rfind("\"\"\"", 0) == 0) {
      text = line.substr(3);
      std::string more;
      while (std::getline(in, more)) {
        const size_t end = more.find("\"\"\"");
        if (end != std::string::npos) {
          text += (text.empty() ? "" : "\n") + more.substr(0, end);
          break;
        }
        text += (text.empty() ? "" : "\n") + more;
      }
    }
    if (text.empty()) {
      continue;
    }
    Result<Message> message = UserMessage(text, out);
    if (!message) {
      std::fprintf(stderr, "duet: %s\n", message.error().message().c_str());
      continue;
    }
    request.messages.push_back(std::move(*message));
    if (thinking) {
      ThinkingConfig think;
      think.mode = ThinkingConfig::Mode::kAdaptive;
      request.thinking = think;
    } else {
      request.thinking.reset();
    }
    Result<std::string> answer = answer_turn(request);
    if (!answer) {
      request.messages.pop_back();  // the turn did not happen
      if (answer.error().code() == ErrorCode::kCancelled) {
        out << "(answer stopped)\n";
      } else {
        std::fprintf(stderr, "duet: %s\n", answer.error().message().c_str());
      }
      continue;
    }
    Message reply;
    reply.role = Role::kAssistant;
    reply.content.push_back(ContentBlock::Text(std::move(*answer)));
    request.messages.push_back(std::move(reply));
  }
  return 0;
}

}  // namespace duet
