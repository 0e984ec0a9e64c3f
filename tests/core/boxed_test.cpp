#include "core/boxed.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace duet {
namespace {

struct Note {
  std::string text;
  std::vector<int> numbers;
  friend bool operator==(const Note&, const Note&) = default;
};

TEST(BoxedTest, UnsetReadsAsTheDefaultValue) {
  Boxed<Note> box;
  EXPECT_FALSE(box.has_value());
  EXPECT_EQ(box.get(), Note{});
  EXPECT_FALSE(box.has_value()) << "reading must not create a value";
}

TEST(BoxedTest, WritingCreatesTheValueOnce) {
  Boxed<Note> box;
  box.mutable_get().text = "first";
  Note* where = &box.mutable_get();
  box.mutable_get().numbers.push_back(7);
  EXPECT_TRUE(box.has_value());
  EXPECT_EQ(&box.mutable_get(), where);
  EXPECT_EQ(box.get(), (Note{"first", {7}}));
}

TEST(BoxedTest, CopiesAreIndependent) {
  Boxed<Note> original(Note{"shared", {1, 2}});
  Boxed<Note> copy = original;
  copy.mutable_get().text = "changed";
  EXPECT_EQ(original.get().text, "shared");
  EXPECT_EQ(copy.get(), (Note{"changed", {1, 2}}));

  Boxed<Note> assigned;
  assigned = original;
  original.mutable_get().numbers.clear();
  EXPECT_EQ(assigned.get().numbers, (std::vector<int>{1, 2}));

  Boxed<Note> unset;
  assigned = unset;
  EXPECT_FALSE(assigned.has_value());
}

TEST(BoxedTest, MovingHandsTheValueOverAndLeavesTheDefault) {
  Boxed<Note> source(Note{"moved", {3}});
  const Note* where = &source.get();
  Boxed<Note> target = std::move(source);
  EXPECT_EQ(&target.get(), where) << "a move must not copy the value";
  EXPECT_EQ(target.get().text, "moved");
  EXPECT_EQ(source.get(), Note{});  // NOLINT(bugprone-use-after-move)
}

TEST(BoxedTest, AssigningAValueReplacesIt) {
  Boxed<Note> box(Note{"old", {1}});
  box = Note{"new", {}};
  EXPECT_EQ(box.get(), (Note{"new", {}}));
}

TEST(BoxedTest, ComparesByValueWithUnsetEqualToDefault) {
  Boxed<Note> unset;
  Boxed<Note> written_default;
  written_default.mutable_get();
  EXPECT_EQ(unset, written_default);
  EXPECT_NE(unset, Boxed<Note>(Note{"x", {}}));
  EXPECT_EQ(Boxed<Note>(Note{"x", {}}), Boxed<Note>(Note{"x", {}}));
}

}  // namespace
}  // namespace duet
