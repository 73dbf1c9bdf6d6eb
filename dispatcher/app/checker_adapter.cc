// ContentChecker over the checks engine (dispatcher/checks).
#include "dispatcher/app/app.h"
#include "dispatcher/checks/engine.h"

namespace gd {
namespace {

class EngineChecker final : public ContentChecker {
 public:
  explicit EngineChecker(std::shared_ptr<const checks::CheckEngine> engine)
      : engine_(std::move(engine)) {}

  Json Run(const CheckRequest& req) const override {
    checks::CheckInput in;
    in.category = req.category;
    in.title = req.title;
    in.summary = req.summary;
    in.body = req.body;
    in.source = req.source;
    Json out = Json::array();
    for (const auto& f : engine_->Run(in)) out.push_back(checks::FindingToJson(f));
    return out;
  }
  std::string version() const override { return engine_->version(); }

 private:
  std::shared_ptr<const checks::CheckEngine> engine_;
};

}  // namespace

StatusOr<std::unique_ptr<ContentChecker>> MakeChecker(const std::filesystem::path& policies_dir) {
  GD_ASSIGN_OR_RETURN(auto engine, checks::CheckEngine::Load(policies_dir / "checks"));
  return std::unique_ptr<ContentChecker>(new EngineChecker(std::move(engine)));
}

}  // namespace gd
