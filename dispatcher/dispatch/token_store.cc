#include "dispatcher/dispatch/token_store.h"

#include "dispatcher/core/crypto.h"

namespace gd {
namespace {
std::string Key(int64_t id) { return "token:" + std::to_string(id); }
}  // namespace

StatusOr<std::optional<channels::Token>> SealedTokenStore::Load(int64_t account_id) {
  std::optional<std::string> sealed;
  GD_RETURN_IF_ERROR(store_.Read([&](Tx& tx) -> Status {
    GD_ASSIGN_OR_RETURN(sealed, tx.GetMeta(Key(account_id)));
    return Status::Ok();
  }));
  if (!sealed) return std::optional<channels::Token>();
  auto plain = OpenAesGcm(key_, *sealed, Key(account_id));
  if (!plain.ok()) return std::optional<channels::Token>();  // a key change: fetch afresh
  return channels::Token::FromJson(Json::parse(*plain, nullptr, false));
}

Status SealedTokenStore::Save(int64_t account_id, const channels::Token& token) {
  GD_ASSIGN_OR_RETURN(std::string sealed, SealAesGcm(key_, token.ToJson().dump(), Key(account_id)));
  return store_.Write([&](Tx& tx) { return tx.PutMeta(Key(account_id), sealed); });
}

Status SealedTokenStore::Erase(int64_t account_id) {
  return store_.Write([&](Tx& tx) { return tx.EraseMeta(Key(account_id)); });
}

}  // namespace gd
