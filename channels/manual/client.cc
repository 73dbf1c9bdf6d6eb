#include "channels/manual/client.h"

namespace gd::channels::manual {
namespace {

class ManualClient final : public Client {
 public:
  explicit ManualClient(const ClientDeps& deps) : deps_(deps) {}

  StatusOr<PublishResult> Publish(const PublishJob& job, Progress& progress,
                                  const Checkpoint& checkpoint) override {
    Json& st = progress.state;
    if (!st.contains("task")) {
      const Json& r = job.rendering;
      std::string platform =
          r.value("platform", job.account->settings.value("platform", "人工渠道"));
      st["task"] = Json{{"platform", platform},
                        {"title", r.value("title", "")},
                        {"text", r.value("text", "")},
                        {"media", r.value("media", Json::array())},
                        {"instructions", r.value("instructions", "")},
                        {"created_at", deps_.clock->Now()}};
      GD_RETURN_IF_ERROR(checkpoint(progress));
    }
    return Poll(job, progress, checkpoint);
  }

  StatusOr<PublishResult> Poll(const PublishJob&, Progress& progress, const Checkpoint&) override {
    const Json& st = progress.state;
    PublishResult out;
    std::string url = st.value("confirmed_url", "");
    std::string id = st.value("confirmed_id", "");
    if (url.empty() && id.empty()) {
      out.kind = PublishResult::Kind::kAwaiting;
      out.poll_after_ms = 60000;
      out.note =
          "等待运维人员在" + st["task"].value("platform", std::string("平台")) + "手动发布并确认";
      return out;
    }
    out.kind = PublishResult::Kind::kPublished;
    out.remote_id = id.empty() ? url : id;
    out.remote_url = url;
    return out;
  }

  StatusOr<ReconcileResult> Reconcile(const PublishJob&, const Progress& progress) override {
    ReconcileResult out;
    std::string url = progress.state.value("confirmed_url", "");
    std::string id = progress.state.value("confirmed_id", "");
    out.kind =
        url.empty() && id.empty() ? ReconcileResult::Kind::kUnknown : ReconcileResult::Kind::kFound;
    out.remote_id = id.empty() ? url : id;
    out.remote_url = url;
    return out;
  }

  Status Withdraw(const PublishJob& job, const std::string& remote_id) override {
    return FailedPrecondition("该渠道（" +
                                  job.account->settings.value("platform", std::string("人工渠道")) +
                                  "）没有发布接口，请运维人员手动删除：" + remote_id,
                              "manual_withdrawal");
  }

  Status CheckCredentials(const Account&, const SecretSource&) override { return Status::Ok(); }

 private:
  ClientDeps deps_;
};

}  // namespace

std::unique_ptr<Client> NewClient(const ClientDeps& deps) {
  return std::make_unique<ManualClient>(deps);
}

}  // namespace gd::channels::manual
