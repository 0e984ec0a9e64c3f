#include "route/classify/task_kinds.h"

namespace duet {
namespace {

struct KindInfo {
  TaskKind kind;
  std::string_view name;
  std::string_view domain;
};

constexpr std::array<KindInfo, kTaskKindCount> kKinds = {{
    {TaskKind::kCodeCompletion, "code_completion", "coding"},
    {TaskKind::kExplainCode, "explain_code", "coding"},
    {TaskKind::kDebugSimple, "debug_simple", "coding"},
    {TaskKind::kDebugComplex, "debug_complex", "coding"},
    {TaskKind::kCodeReview, "code_review", "coding"},
    {TaskKind::kRefactoring, "refactoring", "coding"},
    {TaskKind::kFirstDraft, "first_draft", "writing"},
    {TaskKind::kBrainstorming, "brainstorming", "writing"},
    {TaskKind::kEditing, "editing", "writing"},
    {TaskKind::kLongForm, "long_form", "writing"},
    {TaskKind::kTechnicalWriting, "technical_writing", "writing"},
    {TaskKind::kMarketingCopy, "marketing_copy", "writing"},
    {TaskKind::kSummarization, "summarization", "analysis"},
    {TaskKind::kShortDocumentAnalysis, "short_document_analysis", "analysis"},
    {TaskKind::kLongDocumentAnalysis, "long_document_analysis", "analysis"},
    {TaskKind::kMultiDocumentSynthesis, "multi_document_synthesis", "analysis"},
    {TaskKind::kDataExtraction, "data_extraction", "analysis"},
    {TaskKind::kGeneralQa, "general_qa", "chat"},
    {TaskKind::kPersonalAssistant, "personal_assistant", "chat"},
    {TaskKind::kCustomerSupport, "customer_support", "chat"},
    {TaskKind::kComplexResearch, "complex_research", "chat"},
    {TaskKind::kMath, "math", "math"},
    {TaskKind::kMultiConstraint, "multi_constraint", "instructions"},
}};

constexpr std::array<TaskKind, kTaskKindCount> MakeAllKinds() {
  std::array<TaskKind, kTaskKindCount> kinds{};
  for (size_t i = 0; i < kKinds.size(); ++i) {
    kinds[i] = kKinds[i].kind;
  }
  return kinds;
}

constexpr std::array<TaskKind, kTaskKindCount> kAllKinds = MakeAllKinds();

// The table is indexed by the enumeration's value.
constexpr bool TableFollowsEnumOrder() {
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (static_cast<size_t>(kKinds[i].kind) != i) {
      return false;
    }
  }
  return true;
}
static_assert(TableFollowsEnumOrder());

const KindInfo& Info(TaskKind kind) {
  return kKinds[static_cast<size_t>(kind)];
}

}  // namespace

const std::array<TaskKind, kTaskKindCount>& AllTaskKinds() { return kAllKinds; }

std::string_view TaskKindName(TaskKind kind) { return Info(kind).name; }

std::string_view TaskDomainName(TaskKind kind) { return Info(kind).domain; }

std::optional<TaskKind> TaskKindFromName(std::string_view name) {
  for (const KindInfo& info : kKinds) {
    if (info.name == name) {
      return info.kind;
    }
  }
  return std::nullopt;
}

}  // namespace duet
