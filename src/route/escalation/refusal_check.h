// Internal to route/escalation: does an answer open with a refusal?
//
// Only the opening counts (the first kRefusalOpeningChars characters): a
// refusal says so at once, while a helpful answer may well mention, much
// later, something it cannot do. The opening is normalised before matching:
// Latin letters lowercased (ASCII and Latin-1, so "DÉSOLÉ" matches
// "désolé"), curly apostrophes made straight, the fullwidth comma made
// ASCII, and runs of whitespace made one space. The phrases are a short list
// per language (English, Spanish, German, French, Chinese, Japanese): the
// stock openings of assistant refusals ("I can't help with", "no puedo
// ayudar", "ich kann Ihnen dabei nicht helfen", "je ne peux pas vous aider",
// "我无法", "申し訳ありませんが", "As an AI language model"...).
//
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace duet::escalation {

inline constexpr size_t kRefusalOpeningChars = 300;

// The language ("English", "Spanish", "German", "French", "Chinese",
// "Japanese") of the first refusal phrase in the opening of `text`, or
// nullopt when it holds none.
std::optional<std::string_view> FindRefusalLanguage(std::string_view text);

}  // namespace duet::escalation
