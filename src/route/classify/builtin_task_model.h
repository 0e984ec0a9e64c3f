// The task model trained at build time (tools/train_task_classifier over
// data/routing/corpus), embedded in the binary's read-only data.
#pragma once

#include <cstdint>
#include <span>

namespace duet {

// The serialized model (TaskModel::FromBytes). Valid for the program's
// lifetime.
std::span<const uint8_t> BuiltInTaskModelBytes();

}  // namespace duet
