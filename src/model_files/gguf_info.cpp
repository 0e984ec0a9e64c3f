#include "model_files/gguf_info.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "core/terminal_text.h"

#if DUET_HAVE_GGUF
#include "ggml.h"
#include "gguf.h"
#endif

namespace duet::model_files {
namespace {

constexpr size_t kMaxShownString = 120;

// Untrusted text from a file, made safe to print on a terminal.
std::string Printable(std::string_view text) {
  return TerminalSafe(text.substr(0, kMaxShownString));
}

// An open regular file. Opened non-blocking so that a FIFO or a device
// named like a model cannot hang the caller; fstat then refuses anything
// that is not a regular file before a byte is read.
struct OpenFile {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{nullptr, &std::fclose};
  uint64_t size = 0;
};

Result<OpenFile> OpenRegularFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return Error(NotFound(std::string("cannot open: ") + std::strerror(errno)));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Error(NotFound("not a regular file"));
  }
  OpenFile open;
  open.file.reset(::fdopen(fd, "rb"));
  if (open.file == nullptr) {
    ::close(fd);
    return Error(NotFound(std::string("cannot open: ") + std::strerror(errno)));
  }
  open.size = static_cast<uint64_t>(info.st_size);
  return open;
}

Status CheckMagic(std::FILE* file) {
  char magic[4] = {};
  const size_t got = std::fread(magic, 1, sizeof(magic), file);
  if (got == 4 && std::memcmp(magic, "GGUF", 4) == 0) {
    return Status::Ok();
  }
  if (got < 4) {
    return InvalidArgument(fmt::format(
        "not a GGUF file (only {} byte{})", got, got == 1 ? "" : "s"));
  }
  return InvalidArgument("not a GGUF file (it starts with \"" +
                         Printable(std::string_view(magic, got)) + "\")");
}

#if DUET_HAVE_GGUF

// ggml reports why a file was refused only through its log. While a read
// runs, a callback keeps the first error line for the reading thread and
// passes everything else on to whoever was logging before.
std::mutex g_read_mutex;
std::atomic<ggml_log_callback> g_previous_log{nullptr};
std::atomic<void*> g_previous_log_data{nullptr};
thread_local std::string* t_captured_error = nullptr;

void CaptureLog(ggml_log_level level, const char* text, void* /*data*/) {
  if (t_captured_error != nullptr) {
    if (level == GGML_LOG_LEVEL_ERROR && t_captured_error->empty()) {
      *t_captured_error = text;
    }
    return;
  }
  const ggml_log_callback previous = g_previous_log.load();
  if (previous != nullptr) {
    previous(level, text, g_previous_log_data.load());
  }
}

// "gguf_init_from_file_impl: invalid magic ...\n" -> "invalid magic ...".
std::string CleanLogLine(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) {
    line.pop_back();
  }
  const size_t colon = line.find(": ");
  if (colon != std::string::npos &&
      line.find(' ') == colon + 1) {  // the prefix is one word: a function
    line.erase(0, colon + 2);
  }
  return Printable(line);
}

struct GgufFree {
  void operator()(gguf_context* context) const { gguf_free(context); }
};
using GgufPtr = std::unique_ptr<gguf_context, GgufFree>;

Result<GgufPtr> ParseHeader(std::FILE* file) {
  gguf_init_params params{};
  params.no_alloc = true;
  params.ctx = nullptr;
  std::string error;
  gguf_context* context = nullptr;
  {
    std::lock_guard lock(g_read_mutex);
    ggml_log_callback previous = nullptr;
    void* previous_data = nullptr;
    ggml_log_get(&previous, &previous_data);
    g_previous_log.store(previous);
    g_previous_log_data.store(previous_data);
    ggml_log_set(CaptureLog, nullptr);
    t_captured_error = &error;
    context = gguf_init_from_file_ptr(file, params);
    t_captured_error = nullptr;
    ggml_log_set(previous, previous_data);
  }
  if (context == nullptr) {
    return Error(InvalidArgument(
        "malformed GGUF: " +
        (error.empty() ? std::string("the reader refused it") : CleanLogLine(error))));
  }
  return GgufPtr(context);
}

bool IsIntegerType(gguf_type type) {
  switch (type) {
    case GGUF_TYPE_UINT8:
    case GGUF_TYPE_INT8:
    case GGUF_TYPE_UINT16:
    case GGUF_TYPE_INT16:
    case GGUF_TYPE_UINT32:
    case GGUF_TYPE_INT32:
    case GGUF_TYPE_UINT64:
    case GGUF_TYPE_INT64:
      return true;
    default:
      return false;
  }
}

// The integer under `key`, whatever its width; nullopt when absent or of
// another type (ggml's typed getters abort on a type mismatch, and a
// hostile file chooses the types).
std::optional<int64_t> GetInteger(const gguf_context* context, const std::string& key) {
  const int64_t id = gguf_find_key(context, key.c_str());
  if (id < 0 || !IsIntegerType(gguf_get_kv_type(context, id))) {
    return std::nullopt;
  }
  switch (gguf_get_kv_type(context, id)) {
    case GGUF_TYPE_UINT8:
      return gguf_get_val_u8(context, id);
    case GGUF_TYPE_INT8:
      return gguf_get_val_i8(context, id);
    case GGUF_TYPE_UINT16:
      return gguf_get_val_u16(context, id);
    case GGUF_TYPE_INT16:
      return gguf_get_val_i16(context, id);
    case GGUF_TYPE_UINT32:
      return gguf_get_val_u32(context, id);
    case GGUF_TYPE_INT32:
      return gguf_get_val_i32(context, id);
    case GGUF_TYPE_UINT64: {
      const uint64_t value = gguf_get_val_u64(context, id);
      return value > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX
                                                      : static_cast<int64_t>(value);
    }
    default:
      return gguf_get_val_i64(context, id);
  }
}

std::optional<std::string> GetString(const gguf_context* context, const std::string& key) {
  const int64_t id = gguf_find_key(context, key.c_str());
  if (id < 0 || gguf_get_kv_type(context, id) != GGUF_TYPE_STRING) {
    return std::nullopt;
  }
  return std::string(gguf_get_val_str(context, id));
}

std::string UpperCase(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

// Counts parameters, finds where the tensor data ends and which type holds
// most bytes. Sizes come from ggml, which validated every shape while
// parsing; the sums saturate rather than wrap.
void DescribeTensors(const gguf_context* context, GgufInfo* info) {
  const int64_t count = gguf_get_n_tensors(context);
  info->tensor_count = count;
  const uint64_t data_offset = gguf_get_data_offset(context);
  uint64_t end = data_offset;
  std::map<int, uint64_t> bytes_by_type;
  uint64_t parameters = 0;
  for (int64_t i = 0; i < count; ++i) {
    const uint64_t size = gguf_get_tensor_size(context, i);
    const uint64_t offset = gguf_get_tensor_offset(context, i);
    const uint64_t tensor_end = data_offset + offset + size;
    if (tensor_end >= data_offset) {
      end = std::max(end, tensor_end);
    } else {
      end = UINT64_MAX;
    }
    const int64_t* shape = gguf_get_tensor_ne(context, i);
    uint64_t elements = 1;
    for (int dim = 0; dim < GGML_MAX_DIMS; ++dim) {
      const auto extent = static_cast<uint64_t>(std::max<int64_t>(shape[dim], 0));
      elements = extent != 0 && elements > UINT64_MAX / extent ? UINT64_MAX
                                                               : elements * extent;
    }
    parameters = parameters > UINT64_MAX - elements ? UINT64_MAX : parameters + elements;
    bytes_by_type[static_cast<int>(gguf_get_tensor_type(context, i))] += size;
  }
  info->data_end = end;
  info->parameter_count = parameters > static_cast<uint64_t>(INT64_MAX)
                              ? INT64_MAX
                              : static_cast<int64_t>(parameters);
  if (info->quantization.empty() && !bytes_by_type.empty()) {
    const auto dominant = std::max_element(
        bytes_by_type.begin(), bytes_by_type.end(),
        [](const auto& a, const auto& b) { return a.second < b.second; });
    info->quantization =
        UpperCase(ggml_type_name(static_cast<ggml_type>(dominant->first)));
  }
}

#endif  // DUET_HAVE_GGUF

}  // namespace

bool GgufMetadataAvailable() { return DUET_HAVE_GGUF != 0; }

Status CheckGgufMagic(const std::string& path) {
  Result<OpenFile> file = OpenRegularFile(path);
  if (!file) {
    return file.error();
  }
  return CheckMagic(file->file.get());
}

Result<GgufInfo> ReadGgufInfo(const std::string& path) {
  DUET_ASSIGN_OR_RETURN(OpenFile file, OpenRegularFile(path));
  DUET_RETURN_IF_ERROR(CheckMagic(file.file.get()));
#if DUET_HAVE_GGUF
  std::rewind(file.file.get());
  DUET_ASSIGN_OR_RETURN(GgufPtr context, ParseHeader(file.file.get()));
  GgufInfo info;
  info.version = gguf_get_version(context.get());
  const std::string architecture =
      GetString(context.get(), "general.architecture").value_or("");
  info.architecture = Printable(architecture);
  info.name = Printable(GetString(context.get(), "general.name").value_or(""));
  info.size_label =
      Printable(GetString(context.get(), "general.size_label").value_or(""));
  if (!architecture.empty()) {
    info.context_length =
        std::max<int64_t>(0, GetInteger(context.get(), architecture + ".context_length")
                                 .value_or(0));
  }
  info.has_chat_template =
      GetString(context.get(), "tokenizer.chat_template").has_value();
  if (const std::optional<int64_t> file_type =
          GetInteger(context.get(), "general.file_type")) {
    info.quantization = FileTypeName(*file_type);
  }
  DescribeTensors(context.get(), &info);
  if (info.data_end > file.size) {
    return Error(InvalidArgument(fmt::format(
        "truncated: its tensors end at byte {} but the file has {} bytes",
        info.data_end, file.size)));
  }
  return info;
#else
  return Error(Unavailable(
      "metadata unavailable: this duet was built without llama.cpp"));
#endif
}

std::string FileTypeName(int64_t file_type) {
  // llama.cpp's llama_ftype values (include/llama.h). Gaps are types that
  // llama.cpp has removed; files carrying them are described by their
  // dominant tensor type instead.
  static const std::map<int64_t, std::string_view> kNames = {
      {0, "F32"},        {1, "F16"},       {2, "Q4_0"},     {3, "Q4_1"},
      {7, "Q8_0"},       {8, "Q5_0"},      {9, "Q5_1"},     {10, "Q2_K"},
      {11, "Q3_K_S"},    {12, "Q3_K_M"},   {13, "Q3_K_L"},  {14, "Q4_K_S"},
      {15, "Q4_K_M"},    {16, "Q5_K_S"},   {17, "Q5_K_M"},  {18, "Q6_K"},
      {19, "IQ2_XXS"},   {20, "IQ2_XS"},   {21, "Q2_K_S"},  {22, "IQ3_XS"},
      {23, "IQ3_XXS"},   {24, "IQ1_S"},    {25, "IQ4_NL"},  {26, "IQ3_S"},
      {27, "IQ3_M"},     {28, "IQ2_S"},    {29, "IQ2_M"},   {30, "IQ4_XS"},
      {31, "IQ1_M"},     {32, "BF16"},     {36, "TQ1_0"},   {37, "TQ2_0"},
      {38, "MXFP4_MOE"}, {39, "NVFP4"},    {40, "Q1_0"},    {41, "Q2_0"},
  };
  const auto found = kNames.find(file_type);
  return found == kNames.end() ? std::string() : std::string(found->second);
}

std::string FormatParameterCount(int64_t count) {
  if (count <= 0) {
    return "";
  }
  const auto value = static_cast<double>(count);
  if (value >= 1e12) {
    return fmt::format("{:.1f}T", value / 1e12);
  }
  if (value >= 1e9) {
    return fmt::format("{:.1f}B", value / 1e9);
  }
  if (value >= 1e6) {
    return fmt::format("{:.1f}M", value / 1e6);
  }
  if (value >= 1e3) {
    return fmt::format("{:.1f}K", value / 1e3);
  }
  return std::to_string(count);
}

std::string DescribeGguf(const GgufInfo& info) {
  std::string line = info.architecture.empty() ? "unknown architecture"
                                               : info.architecture;
  if (info.parameter_count > 0) {
    line += ", " + FormatParameterCount(info.parameter_count) + " parameters";
  }
  if (!info.quantization.empty()) {
    line += ", " + info.quantization;
  }
  if (info.context_length > 0) {
    line += fmt::format(", {}-token context", info.context_length);
  }
  if (info.has_chat_template) {
    line += ", chat template";
  }
  return line;
}

}  // namespace duet::model_files
