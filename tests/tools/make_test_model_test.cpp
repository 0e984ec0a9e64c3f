// make_test_model writes models llama.cpp loads and runs: the requested
// shape, the vocabulary file's real tokenizer, a chat template, and
// deterministic greedy decoding, in every supported tensor type.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gguf.h"
#include "llama.h"

namespace duet::tools {
namespace {

const std::string kVocab =
    std::string(DUET_LLAMA_MODELS_DIR) + "/ggml-vocab-llama-spm.gguf";

// Runs make_test_model with `arguments`; returns its exit code.
int RunTool(const std::string& arguments) {
  const std::string command =
      std::string("'") + DUET_MAKE_TEST_MODEL_BIN + "' " + arguments +
      " > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class MakeTestModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);
    llama_backend_init();
  }
  static void TearDownTestSuite() { llama_backend_free(); }

  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("duet-make-test-model-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override {
    for (llama_context* context : contexts_) {
      llama_free(context);
    }
    for (llama_model* model : models_) {
      llama_model_free(model);
    }
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  // Generates a model with `arguments` and loads it; null on failure.
  llama_model* Make(const std::string& name, const std::string& arguments) {
    const std::string path = (folder_ / name).string();
    const int code =
        RunTool("--vocab '" + kVocab + "' --out '" + path + "' " + arguments);
    EXPECT_EQ(code, 0);
    if (code != 0) {
      return nullptr;
    }
    llama_model_params params = llama_model_default_params();
    llama_model* model = llama_model_load_from_file(path.c_str(), params);
    EXPECT_NE(model, nullptr) << "llama.cpp could not load " << path;
    if (model != nullptr) {
      models_.push_back(model);
    }
    return model;
  }

  llama_context* NewContext(llama_model* model) {
    llama_context_params params = llama_context_default_params();
    params.n_ctx = 256;
    params.n_batch = 256;
    params.n_threads = 1;
    params.n_threads_batch = 1;
    llama_context* context = llama_init_from_model(model, params);
    EXPECT_NE(context, nullptr);
    if (context != nullptr) {
      contexts_.push_back(context);
    }
    return context;
  }

  std::vector<llama_token> Tokenize(llama_model* model,
                                    const std::string& text) {
    const llama_vocab* vocab = llama_model_get_vocab(model);
    std::vector<llama_token> tokens(text.size() + 8);
    const int n = llama_tokenize(vocab, text.data(),
                                 static_cast<int32_t>(text.size()),
                                 tokens.data(),
                                 static_cast<int32_t>(tokens.size()),
                                 /*add_special=*/true, /*parse_special=*/true);
    EXPECT_GT(n, 0);
    tokens.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return tokens;
  }

  // Decodes `prompt` in a fresh context, then greedily `count` more tokens.
  std::vector<llama_token> Greedy(llama_model* model,
                                  std::vector<llama_token> prompt, int count) {
    llama_context* context = NewContext(model);
    if (context == nullptr) {
      return {};
    }
    llama_sampler* sampler =
        llama_sampler_chain_init(llama_sampler_chain_default_params());
    llama_sampler_chain_add(sampler, llama_sampler_init_greedy());
    std::vector<llama_token> generated;
    llama_batch batch =
        llama_batch_get_one(prompt.data(), static_cast<int32_t>(prompt.size()));
    for (int i = 0; i < count; ++i) {
      if (llama_decode(context, batch) != 0) {
        ADD_FAILURE() << "llama_decode failed at step " << i;
        break;
      }
      llama_token next = llama_sampler_sample(sampler, context, -1);
      generated.push_back(next);
      batch = llama_batch_get_one(&generated.back(), 1);
    }
    llama_sampler_free(sampler);
    return generated;
  }

  std::filesystem::path folder_;
  std::vector<llama_model*> models_;
  std::vector<llama_context*> contexts_;
};

TEST_F(MakeTestModelTest, TinyModelHasTheRequestedShape) {
  llama_model* model = Make("tiny.gguf", "--shape tiny --context 2048");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(llama_model_n_ctx_train(model), 2048);
  EXPECT_EQ(llama_model_n_layer(model), 2);
  EXPECT_EQ(llama_model_n_embd(model), 64);
  EXPECT_EQ(llama_vocab_n_tokens(llama_model_get_vocab(model)), 32000);
  const char* chat_template = llama_model_chat_template(model, nullptr);
  ASSERT_NE(chat_template, nullptr);
  EXPECT_NE(std::string(chat_template).find("<|im_start|>"),
            std::string::npos);
}

TEST_F(MakeTestModelTest, VocabularyTokenizesAndDetokenizesRealText) {
  llama_model* model = Make("tiny.gguf", "--shape tiny");
  ASSERT_NE(model, nullptr);
  const std::string text = "Hello world, this is duet.";
  const std::vector<llama_token> tokens = Tokenize(model, text);
  ASSERT_FALSE(tokens.empty());
  EXPECT_LT(tokens.size(), text.size()) << "a real vocabulary merges characters";
  std::string back(text.size() * 2, '\0');
  const int n = llama_detokenize(
      llama_model_get_vocab(model), tokens.data(),
      static_cast<int32_t>(tokens.size()), back.data(),
      static_cast<int32_t>(back.size()), /*remove_special=*/true,
      /*unparse_special=*/false);
  ASSERT_GT(n, 0);
  back.resize(static_cast<size_t>(n));
  // SentencePiece vocabularies add a space before the first word.
  EXPECT_EQ(back, " " + text);
}

TEST_F(MakeTestModelTest, ChatTemplateFormatsAConversation) {
  llama_model* model = Make("tiny.gguf", "--shape tiny");
  ASSERT_NE(model, nullptr);
  const llama_chat_message messages[] = {{"system", "Be brief."},
                                         {"user", "Hi"}};
  std::string prompt(1024, '\0');
  const int n = llama_chat_apply_template(
      llama_model_chat_template(model, nullptr), messages, 2,
      /*add_ass=*/true, prompt.data(), static_cast<int32_t>(prompt.size()));
  ASSERT_GT(n, 0);
  prompt.resize(static_cast<size_t>(n));
  EXPECT_EQ(prompt,
            "<|im_start|>system\nBe brief.<|im_end|>\n"
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

TEST_F(MakeTestModelTest, SameSeedSameWeightsSameGreedyAnswer) {
  llama_model* first = Make("a.gguf", "--shape tiny --seed 7");
  llama_model* again = Make("b.gguf", "--shape tiny --seed 7");
  llama_model* other = Make("c.gguf", "--shape tiny --seed 8");
  ASSERT_TRUE(first && again && other);
  const std::vector<llama_token> prompt = Tokenize(first, "The weather is");
  const std::vector<llama_token> a = Greedy(first, prompt, 12);
  ASSERT_EQ(a.size(), 12u);
  EXPECT_EQ(Greedy(again, prompt, 12), a);
  EXPECT_EQ(Greedy(first, prompt, 12), a) << "greedy decoding must repeat";
  EXPECT_NE(Greedy(other, prompt, 12), a) << "the seed must change weights";
  for (const llama_token token : a) {
    EXPECT_GE(token, 0);
    EXPECT_LT(token, 32000);
  }
}

TEST_F(MakeTestModelTest, EveryTensorTypeLoadsAndDecodes) {
  for (const char* type : {"f32", "f16", "q8_0", "q4_0"}) {
    SCOPED_TRACE(type);
    llama_model* model = Make(std::string(type) + ".gguf",
                              std::string("--shape tiny --type ") + type);
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(Greedy(model, Tokenize(model, "One two"), 3).size(), 3u);
  }
}

TEST_F(MakeTestModelTest, MmprojWritesAVisionProjectorForTheModelsWidth) {
  // The engine's vision tests load and run it; here, what it says it is.
  const std::string projector = (folder_ / "mmproj.gguf").string();
  llama_model* model = Make("seeing.gguf", "--shape tiny --mmproj '" + projector + "'");
  ASSERT_NE(model, nullptr);
  gguf_init_params params = {true, nullptr};
  gguf_context* gguf = gguf_init_from_file(projector.c_str(), params);
  ASSERT_NE(gguf, nullptr);
  const auto text = [gguf](const char* key) {
    const int64_t id = gguf_find_key(gguf, key);
    return id < 0 ? std::string() : std::string(gguf_get_val_str(gguf, id));
  };
  EXPECT_EQ(text("general.architecture"), "clip");
  EXPECT_EQ(text("clip.projector_type"), "gemma3");
  const int64_t width = gguf_find_key(gguf, "clip.vision.projection_dim");
  ASSERT_GE(width, 0);
  EXPECT_EQ(static_cast<int32_t>(gguf_get_val_u32(gguf, width)), llama_model_n_embd(model));
  const int64_t projection = gguf_find_tensor(gguf, "mm.input_projection.weight");
  EXPECT_GE(projection, 0);
  gguf_free(gguf);
}

TEST_F(MakeTestModelTest, BadArgumentsAreAUsageError) {
  EXPECT_EQ(RunTool(""), 2);
  EXPECT_EQ(RunTool("--vocab x.gguf"), 2);
  EXPECT_EQ(RunTool("--vocab x.gguf --out y.gguf --shape huge"), 2);
  EXPECT_EQ(RunTool("--vocab x.gguf --out y.gguf --type q2_k"), 2);
  EXPECT_EQ(RunTool("--vocab /nonexistent.gguf --out " +
                    (folder_ / "z.gguf").string()),
            1);
}

}  // namespace
}  // namespace duet::tools
