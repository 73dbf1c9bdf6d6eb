#include "channels/portal/builtin_client.h"

#include <mutex>

namespace gd::channels::portal {
namespace {

class BuiltinPortalClient final : public Client {
 public:
  explicit BuiltinPortalClient(BuiltinSite site) : site_(std::move(site)) {}

  StatusOr<PublishResult> Publish(const PublishJob& job, Progress& progress,
                                  const Checkpoint&) override {
    std::lock_guard<std::mutex> lock(mu_);
    StaticSite site = Site(job);
    GD_RETURN_IF_ERROR(site.WriteArticle(job.rendering, job.media));
    PublishResult r;
    r.kind = PublishResult::Kind::kPublished;
    r.remote_id = job.rendering.value("path", "");
    r.remote_url = site.ArticleUrl(r.remote_id);
    progress.state["builtin"] = 1;
    return r;
  }

  StatusOr<PublishResult> Poll(const PublishJob& job, Progress& progress,
                               const Checkpoint& checkpoint) override {
    return Publish(job, progress, checkpoint);
  }

  StatusOr<ReconcileResult> Reconcile(const PublishJob&, const Progress& progress) override {
    ReconcileResult out;
    if (!progress.state.contains("remote_id")) return out;
    out.kind = ReconcileResult::Kind::kFound;
    out.remote_id = progress.state["remote_id"].get<std::string>();
    out.remote_url = progress.state.value("remote_url", "");
    return out;
  }

  Status Withdraw(const PublishJob& job, const std::string&) override {
    std::lock_guard<std::mutex> lock(mu_);
    return Site(job).RemoveArticle(job.rendering.value("path", ""));
  }

  Status CheckCredentials(const Account&, const SecretSource&) override { return Status::Ok(); }

 private:
  StaticSite Site(const PublishJob& job) const {
    return StaticSite(*site_.templates,
                      site_.Options(job.account ? job.account->settings : Json::object()));
  }

  const BuiltinSite site_;
  std::mutex mu_;  // one page writer
};

}  // namespace

bool IsBuiltinPortal(std::string_view kind, const Json& settings) {
  return kind == "portal" && settings.value("mode", "builtin") == "builtin";
}

SiteOptions BuiltinSite::Options(const Json& account_settings) const {
  SiteOptions opt;
  opt.site_dir = site_dir;
  opt.site_name = account_settings.value("site_name", opt.site_name);
  opt.public_base_url = account_settings.value("public_base_url", public_base_url);
  opt.settings = account_settings;
  return opt;
}

std::unique_ptr<Client> NewBuiltinClient(BuiltinSite site) {
  return std::make_unique<BuiltinPortalClient>(std::move(site));
}

}  // namespace gd::channels::portal
