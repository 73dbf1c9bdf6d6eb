#include "dispatcher/policy/review_policy.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace gd {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(ReviewPolicy, DefaultsFollowArticle10) {
  auto p = ReviewPolicy::Load(std::filesystem::path(GD_SOURCE_DIR) / "policies" / "review.json");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto roles = [&](Category c, bool oos) {
    std::vector<Role> out;
    for (const auto& s : p->ChainFor(c, oos)) out.push_back(s.role);
    return out;
  };
  using R = Role;
  EXPECT_EQ(roles(Category::kWorkNews, false),
            (std::vector<R>{R::kUnitReviewer, R::kDeputyLeader}));
  for (Category c : {Category::kAnnouncement, Category::kPolicyDocument, Category::kKeyArea})
    EXPECT_EQ(roles(c, false),
              (std::vector<R>{R::kUnitReviewer, R::kDeputyLeader, R::kPrincipalLeader}));
  for (Category c : {Category::kInteractive, Category::kReposted})
    EXPECT_EQ(roles(c, false), (std::vector<R>{R::kSiteManager, R::kDeputyLeader}));
  EXPECT_EQ(roles(Category::kWorkNews, true).back(), R::kOffice);
  EXPECT_EQ(p->checklist().size(), 9u);
  EXPECT_EQ(p->out_of_scope_min_working_days(), 3);
}

TEST(ReviewPolicy, BadFilesAreRefusedWithTheFieldPath) {
  auto p = ReviewPolicy::Parse(
      R"({"chains": {"work_news": [{"role": "boss", "label": "x"}]}, "checklist": []})", "r.json");
  ASSERT_THAT(p, StatusIs(Code::kInvalidArgument));
  // The text is the behaviour: whoever edits the policy file reads which file and field.
  EXPECT_THAT(p.status().message(),
              AllOf(HasSubstr("r.json"), HasSubstr("chains.work_news[0].role")));
  auto missing =
      ReviewPolicy::Parse(R"({"chains": {}, "checklist": [{"key": "a", "label": "b"}]})", "r.json");
  EXPECT_THAT(missing, StatusIs(Code::kInvalidArgument));
}

}  // namespace
}  // namespace gd
