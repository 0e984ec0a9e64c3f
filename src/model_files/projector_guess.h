// GuessProjector: the vision projector ("mmproj") a model file most likely
// came with, for a model configured without one.
//
// Model repositories ship a vision model as its GGUF plus a projector GGUF
// named mmproj*.gguf, and downloads keep them side by side. The guess is
// the one file named mmproj*.gguf beside the model, and only when the
// folder is the model's own: a Hugging Face snapshot (all of one
// repository's files, several quantizations of the same model included) or
// a folder holding no other model (the shards of a split model count as
// the model). A wrong guess is expensive: llama.cpp keeps the memory of a
// projector that fails its checks against the model.
//
// Thread safety: reads the file system; callable from any thread.
#pragma once

#include <string>

namespace duet::model_files {

struct ProjectorGuess {
  std::string path;         // the projector; "" for none
  std::string passed_over;  // when projectors were seen but none chosen: why
};

ProjectorGuess GuessProjector(const std::string& model_path);

}  // namespace duet::model_files
