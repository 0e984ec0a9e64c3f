// The task classifier: kinds, features, the model format, training, and
// the built-in model's accuracy on the corpus's held-out fifth (issue 5).
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <filesystem>

#include "route/classify/corpus.h"
#include "route/classify/task_classifier.h"
#include "route/classify/training.h"

namespace duet {
namespace {

TEST(TaskKindsTest, NamesRoundTripAndDomainsFollowThePolicyTable) {
  for (TaskKind kind : AllTaskKinds()) {
    EXPECT_EQ(TaskKindFromName(TaskKindName(kind)), kind);
  }
  EXPECT_EQ(TaskDomainName(TaskKind::kCodeReview), "coding");
  EXPECT_EQ(TaskDomainName(TaskKind::kMarketingCopy), "writing");
  EXPECT_EQ(TaskDomainName(TaskKind::kDataExtraction), "analysis");
  EXPECT_EQ(TaskDomainName(TaskKind::kCustomerSupport), "chat");
  EXPECT_EQ(TaskDomainName(TaskKind::kMath), "math");
  EXPECT_EQ(TaskDomainName(TaskKind::kMultiConstraint), "instructions");
  EXPECT_FALSE(TaskKindFromName("poetry"));
}

std::vector<uint32_t> Features(std::string_view text, int64_t tokens = 10) {
  std::vector<uint32_t> buckets;
  ExtractFeatures({.text = text, .request_tokens = tokens}, &buckets);
  return buckets;
}

TEST(TextFeaturesTest, CaseFoldsAndIsDeterministic) {
  EXPECT_EQ(Features("Review THIS Pull Request"), Features("review this pull request"));
  EXPECT_EQ(Features("Ärger über Bücher"), Features("ärger über bücher"));
  EXPECT_NE(Features("review this pull request"), Features("write a pull request"));
}

TEST(TextFeaturesTest, CjkTextWithoutSpacesYieldsCharacterGrams) {
  // Six characters: 6 unigrams + 5 bigrams + 4 trigrams, plus shape features.
  const size_t shape = Features("").size();
  EXPECT_EQ(Features("今天天气很好").size(), shape + 15);
  EXPECT_NE(Features("今天天气很好"), Features("今天天气不好"));
}

// Buckets two texts share, shape features aside.
size_t SharedBuckets(std::string_view a, std::string_view b) {
  std::vector<uint32_t> left = Features(a);
  std::vector<uint32_t> right = Features(b);
  std::sort(left.begin(), left.end());
  std::sort(right.begin(), right.end());
  std::vector<uint32_t> both;
  std::set_intersection(left.begin(), left.end(), right.begin(), right.end(),
                        std::back_inserter(both));
  return both.size() - Features("").size();
}

TEST(TextFeaturesTest, ConceptStemsLinkTheSameIdeaAcrossLanguages) {
  // "summarize" shares no word or 4-gram with these, only the concept.
  EXPECT_EQ(SharedBuckets("summarize", "zusammenfassen"), 1u);
  EXPECT_EQ(SharedBuckets("summarize", "总结"), 1u);
  EXPECT_EQ(SharedBuckets("summarize", "要約して"), 1u);
  EXPECT_EQ(SharedBuckets("summarize", "zusammenbauen"), 0u);
}

TEST(TextFeaturesTest, SizeIsAFeature) {
  EXPECT_NE(Features("analyse this", 100), Features("analyse this", 100'000));
}

TEST(HeadAndTailTest, KeepsShortTextAndCutsLongTextAtCharacterBoundaries) {
  EXPECT_EQ(HeadAndTail("short"), "short");
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text += "字";  // 3 bytes each
  }
  const std::string cut = HeadAndTail(text, 100, 50);
  EXPECT_LT(cut.size(), 160u);
  EXPECT_EQ(cut.size() % 3, (std::string("\n…\n").size()) % 3);
  EXPECT_NE(cut.find("\n…\n"), std::string::npos);
  EXPECT_TRUE(cut.starts_with("字"));
  EXPECT_TRUE(cut.ends_with("字"));
}

TEST(ExtractInstructionTest, ReadsOnlyTheHeadOfALongPaste) {
  ChatRequest request;
  request.messages.push_back(
      {Role::kUser,
       {ContentBlock::Text("Summarise this report.\n" + std::string(20'000, 'x') + "END")}});
  const InstructionText instruction = ExtractInstruction(request);
  EXPECT_TRUE(instruction.text.starts_with("Summarise this report."));
  EXPECT_EQ(instruction.text.size(), kInstructionHeadBytes);
  EXPECT_EQ(instruction.text.find("END"), std::string::npos);
}

TEST(ExtractInstructionTest, TakesTheLatestUserTextAndSkipsToolResults) {
  ChatRequest request;
  request.messages.push_back({Role::kUser, {ContentBlock::Text("review my diff")}});
  request.messages.push_back(
      {Role::kAssistant, {ContentBlock::ToolUse("t1", "read", RawJson{"{}"})}});
  ContentBlock result;
  result.type = BlockType::kToolResult;
  result.tool_use_id = "t1";
  result.tool_result_content.push_back(ContentBlock::Text("file contents"));
  request.messages.push_back({Role::kUser, {result}});
  const InstructionText instruction = ExtractInstruction(request);
  EXPECT_EQ(instruction.text, "review my diff");
  EXPECT_EQ(instruction.prior_turns, 0);
}

TEST(TaskModelTest, CopiesOwnTheirWeightsAndViewsStayViews) {
  TaskModel model;
  model.mutable_row(7)[2] = 0.5f;
  TaskModel copy(model);
  copy.mutable_row(7)[2] = -1.0f;
  EXPECT_EQ(model.row(7)[2], 0.5f);
  TaskModel assigned;
  assigned = model;
  EXPECT_EQ(assigned.row(7)[2], 0.5f);
  EXPECT_NE(assigned.row(7), model.row(7));
  TaskModel moved(std::move(assigned));
  EXPECT_EQ(moved.row(7)[2], 0.5f);

  // A model read in place views the bytes; its copy views them too.
  const std::string bytes = model.ToBytes();
  const std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes.data()),
                                      bytes.size());
  Result<TaskModel> view = TaskModel::FromBytes(span, /*copy=*/false);
  ASSERT_TRUE(view) << view.error().ToString();
  const TaskModel view_copy(*view);
  EXPECT_EQ(view_copy.row(7), view->row(7));
  EXPECT_EQ(view_copy.row(7)[2], 0.5f);
}

TEST(TaskModelTest, SerializesAndRefusesForeignBytes) {
  TaskModel model;
  model.mutable_bias()[3] = 1.5f;
  model.mutable_row(42)[7] = -2.0f;
  const std::string bytes = model.ToBytes();
  const std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes.data()),
                                      bytes.size());
  Result<TaskModel> copy = TaskModel::FromBytes(span, /*copy=*/true);
  ASSERT_TRUE(copy) << copy.error().ToString();
  EXPECT_EQ(copy->row(42)[7], -2.0f);
  EXPECT_EQ(copy->ToBytes(), bytes);

  EXPECT_FALSE(TaskModel::FromBytes(span.first(100), true));
  std::string other_version = bytes;
  other_version[12] = 99;  // feature version
  EXPECT_FALSE(TaskModel::FromBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(other_version.data()),
                               other_version.size()),
      true));
}

TEST(TrainingTest, LearnsASeparableProblem) {
  std::vector<TrainingExample> examples;
  const std::vector<std::pair<TaskKind, std::string>> topics = {
      {TaskKind::kMath, "integral derivative polynomial equation"},
      {TaskKind::kBrainstorming, "ideas names slogans options"},
      {TaskKind::kCodeReview, "merge pull request production review"},
  };
  for (int i = 0; i < 10; ++i) {
    for (const auto& [kind, words] : topics) {
      examples.push_back({.text = words + " variant " + std::to_string(i),
                          .request_tokens = 20,
                          .kind = kind});
    }
  }
  const TaskModel model = TrainTaskModel(examples, {.epochs = 10});
  const Evaluation evaluation = EvaluateTaskModel(model, examples);
  EXPECT_EQ(evaluation.correct, evaluation.total);
  std::vector<uint32_t> buckets;
  ExtractFeatures({.text = "some slogans and names please", .request_tokens = 20}, &buckets);
  const TaskScores scores = model.Score(buckets);
  EXPECT_EQ(std::max_element(scores.begin(), scores.end()) - scores.begin(),
            static_cast<int>(TaskKind::kBrainstorming));
}

TEST(CorpusTest, ParsesLinesAndNamesTheBadOne) {
  Result<std::vector<CorpusEntry>> entries = ParseCorpus(
      R"({"id":"a","domain":"math","task":"math","prompt":"2+2?","pad_chars":0,"expected":"local","sensitive":false})"
      "\n\n"
      R"({"id":"b","domain":"chat","task":"general_qa","prompt":"why?","pad_chars":5})",
      "test.jsonl");
  ASSERT_TRUE(entries) << entries.error().ToString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[1].kind, TaskKind::kGeneralQa);
  EXPECT_EQ((*entries)[1].pad_chars, 5);

  Result<std::vector<CorpusEntry>> wrong_domain = ParseCorpus(
      R"({"id":"a","domain":"chat","task":"math","prompt":"x"})", "test.jsonl");
  ASSERT_FALSE(wrong_domain);
  EXPECT_EQ(wrong_domain.error().message(),
            "test.jsonl:1: task 'math' belongs to domain 'math'");
}

std::vector<CorpusEntry> ProjectCorpus() {
  std::vector<CorpusEntry> all;
  for (const auto& file :
       std::filesystem::directory_iterator(DUET_ROUTING_CORPUS_DIR)) {
    if (file.path().extension() != ".jsonl") {
      continue;
    }
    Result<std::vector<CorpusEntry>> entries = ReadCorpusFile(file.path().string());
    EXPECT_TRUE(entries) << entries.error().ToString();
    if (entries) {
      all.insert(all.end(), entries->begin(), entries->end());
    }
  }
  return all;
}

TrainingExample ToExample(const CorpusEntry& entry) {
  return {.text = entry.prompt,
          .request_tokens = static_cast<int64_t>(entry.prompt.size() + entry.pad_chars) / 4,
          .kind = entry.kind};
}

// The issue's bar: at least 1,000 prompts across every kind and the six
// languages, and a classifier that generalises to prompts it never saw.
TEST(CorpusTest, ProjectCorpusCoversEveryKindAndLanguage) {
  const std::vector<CorpusEntry> corpus = ProjectCorpus();
  EXPECT_GE(corpus.size(), 1000u);
  for (TaskKind kind : AllTaskKinds()) {
    EXPECT_GE(std::count_if(corpus.begin(), corpus.end(),
                            [&](const CorpusEntry& e) { return e.kind == kind; }),
              30)
        << TaskKindName(kind);
  }
  for (std::string_view lang : {"en", "es", "de", "fr", "zh", "ja"}) {
    EXPECT_GE(std::count_if(corpus.begin(), corpus.end(),
                            [&](const CorpusEntry& e) { return e.lang == lang; }),
              150)
        << lang;
  }
}

TEST(CorpusTest, HeldOutAccuracyOfAModelTrainedOnTheRest) {
  std::vector<TrainingExample> train;
  std::vector<TrainingExample> test;
  for (const CorpusEntry& entry : ProjectCorpus()) {
    (IsHeldOut(entry.id) ? test : train).push_back(ToExample(entry));
  }
  ASSERT_GT(test.size(), 150u);
  const Evaluation evaluation = EvaluateTaskModel(TrainTaskModel(train), test);
  // docs/classifier-report.md has the per-task figures; this guards
  // against a regression well below them.
  EXPECT_GE(evaluation.accuracy(), 0.58) << evaluation.correct << " of " << evaluation.total;
}

TEST(BuiltInClassifierTest, LoadsAndTellsObviousTasksApart) {
  const TaskClassifier& classifier = TaskClassifier::BuiltIn();
  const auto kind_of = [&](std::string_view text) {
    return classifier.Classify({.text = text, .request_tokens = 40}).kind;
  };
  EXPECT_EQ(kind_of("Find all integers n such that n^2 + 2n + 12 is a perfect square."),
            TaskKind::kMath);
  EXPECT_EQ(kind_of("Give me 20 possible names for a bakery that only sells sourdough"),
            TaskKind::kBrainstorming);
}

}  // namespace
}  // namespace duet
